"""The support desk's figures, defined once: the desk pages show them, the dashboards' summary
tables count them (live rows and rebuilt history alike). ``day=None`` is now."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Count, Q

from hocvuso.accounts.models import Role, RoleAssignment
from hocvuso.core.dates import day_end
from hocvuso.desk.models import DeskVisit


def desk_staff(communes: Sequence[str], day: dt.date | None = None) -> dict[str, int]:
    """People holding the desk-staff role of the commune (active accounts)."""
    qs = RoleAssignment.objects.filter(
        role=Role.DESK_STAFF, commune_id__in=communes, user__is_active=True
    )
    if day is None:
        qs = qs.filter(revoked_at__isnull=True)
    else:
        end = day_end(day)
        qs = qs.filter(Q(created_at__lt=end), Q(revoked_at__isnull=True) | Q(revoked_at__gte=end))
    rows = qs.values("commune_id").annotate(n=Count("user_id", distinct=True)).order_by()
    return {r["commune_id"]: r["n"] for r in rows}


def desk_helped(communes: Sequence[str], day: dt.date | None = None) -> dict[str, int]:
    """Citizens helped at the desk (each counted once)."""
    qs = DeskVisit.objects.filter(commune_id__in=communes)
    if day is not None:
        qs = qs.filter(happened_at__lt=day_end(day))
    rows = qs.values("commune_id").annotate(n=Count("person_id", distinct=True)).order_by()
    return {r["commune_id"]: r["n"] for r in rows}
