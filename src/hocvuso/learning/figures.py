"""Online learning's figures, defined once: the learning pages show them, the dashboards'
summary tables count them (live rows and rebuilt history alike). A learner counts in the
commune they lived in when they started a course — their registry person's, or, for an account
linked to no person, the commune or ward they chose (``LearnerUnit``); ``day=None`` is now."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Count, Q

from hocvuso.core.dates import day_end
from hocvuso.learning.models import Certificate, Enrollment


def learners(communes: Sequence[str], day: dt.date | None = None) -> dict[str, int]:
    """People who started at least one course (each counted once): a registry person once
    however many accounts they learn with, an account linked to no person once."""
    qs = Enrollment.objects.filter(commune_id__in=communes)
    if day is not None:
        qs = qs.filter(created_at__lt=day_end(day))
    rows = (
        qs.values("commune_id")
        .annotate(
            n=Count("person_id", distinct=True)
            + Count("user_id", filter=Q(person__isnull=True), distinct=True)
        )
        .order_by()
    )
    return {r["commune_id"]: r["n"] for r in rows}


def courses_completed(communes: Sequence[str], day: dt.date | None = None) -> dict[str, int]:
    """Courses passed (one per learner and course)."""
    qs = Enrollment.objects.filter(commune_id__in=communes, passed=True)
    if day is not None:
        qs = qs.filter(completed_at__lt=day_end(day))
    rows = qs.values("commune_id").annotate(n=Count("pk")).order_by()
    return {r["commune_id"]: r["n"] for r in rows}


def certificates_valid(communes: Sequence[str], day: dt.date | None = None) -> dict[str, int]:
    """Certificates issued and not revoked (by then)."""
    qs = Certificate.objects.filter(commune_id__in=communes)
    if day is None:
        qs = qs.filter(revoked_at__isnull=True)
    else:
        end = day_end(day)
        qs = qs.filter(Q(revoked_at__isnull=True) | Q(revoked_at__gte=end), issued_at__lt=end)
    rows = qs.values("commune_id").annotate(n=Count("pk")).order_by()
    return {r["commune_id"]: r["n"] for r in rows}
