"""Plain JSON-ready values for a person's export (each app's ``personal_data`` uses them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone


def when(value: dt.datetime | dt.date | None) -> str | None:
    """ISO 8601, times in Vietnam's time zone (what the person reads)."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return value.isoformat() if value is not None else None


def user_name(user: Any) -> str | None:
    """Another person appears in someone's export only by their account's name."""
    return str(user) if user is not None else None


def label(choices: Any, value: str) -> str:
    """A choice's label in the reader's language (the value itself when unknown)."""
    return str(choices(value).label) if value in choices.values else value
