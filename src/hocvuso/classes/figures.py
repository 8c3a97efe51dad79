"""The youth campaign's figures, defined once: the class pages show them, the dashboards'
summary tables count them (live rows and rebuilt history alike). A class counts from the day it
is planned for; ``day=None`` is now (planned classes included)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Count

from hocvuso.classes.models import ClassEvent, ClassRegistration
from hocvuso.core.dates import day_end


def classes(communes: Sequence[str], day: dt.date | None = None) -> dict[str, int]:
    qs = ClassEvent.objects.filter(commune_id__in=communes)
    if day is not None:
        qs = qs.filter(starts_at__lt=day_end(day))
    rows = qs.values("commune_id").annotate(n=Count("pk")).order_by()
    return {r["commune_id"]: r["n"] for r in rows}


def participants(communes: Sequence[str], day: dt.date | None = None) -> dict[str, int]:
    """People who attended a class (each counted once)."""
    qs = ClassRegistration.objects.filter(klass__commune_id__in=communes, attended=True)
    if day is not None:
        qs = qs.filter(klass__starts_at__lt=day_end(day))
    rows = qs.values("klass__commune_id").annotate(n=Count("person_id", distinct=True)).order_by()
    return {r["klass__commune_id"]: r["n"] for r in rows}


def volunteers(communes: Sequence[str], day: dt.date | None = None) -> dict[str, int]:
    """Users volunteering at a class (each counted once)."""
    qs = ClassEvent.volunteers.through.objects.filter(classevent__commune_id__in=communes)
    if day is not None:
        qs = qs.filter(classevent__starts_at__lt=day_end(day))
    rows = (
        qs.values("classevent__commune_id").annotate(n=Count("user_id", distinct=True)).order_by()
    )
    return {r["classevent__commune_id"]: r["n"] for r in rows}
