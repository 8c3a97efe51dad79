"""Calendar arithmetic shared by every app (months for the dashboards, days for "as of")."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def month_of(day: dt.date) -> dt.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    """The first day of the month before ``month``'s."""
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_end(month: dt.date) -> dt.date:
    """The last day of ``month``'s month."""
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def day_end(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in the platform's time zone: ``at < day_end(d)`` is
    "on or before d" for a timestamp, and an index on the timestamp still serves it."""
    start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    return timezone.make_aware(start, timezone.get_current_timezone())
