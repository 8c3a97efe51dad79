"""Reads of the support desk, always through the actor's scope."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hocvuso.access.desk import (
    can_log_visits,
    can_read_visits,
    desk_commune_q,
    desk_visit_q,
    ensure_desk,
)
from hocvuso.access.registry import person_q
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.phones import normalise_phone
from hocvuso.desk import figures
from hocvuso.desk.models import DeskVisit, Outcome
from hocvuso.geo.models import Commune
from hocvuso.registry import cccd as cccd_lib
from hocvuso.registry import selectors as registry_selectors
from hocvuso.registry.models import Person
from hocvuso.registry.selectors import _uuid

SEARCH_LIMIT = 20
_CCCD = re.compile(r"^\d{12}$")
_PHONE = re.compile(r"^\+?\d{9,12}$")
_SEPARATORS = re.compile(r"[\s.\-()]")


def looks_like_cccd(q: str) -> bool:
    return bool(_CCCD.match(_SEPARATORS.sub("", q or "")))


def person_search(*, actor: Any, commune: Commune, q: str) -> list[Person]:
    """The commune's people matching ``q``: a CCCD (12 digits, by its keyed hash), a phone number
    (E.164), or a name (diacritics and case ignored). At most :data:`SEARCH_LIMIT`."""
    ensure_desk(actor, commune.code, write=True)
    compact = _SEPARATORS.sub("", q or "")
    qs = Person.objects.filter(person_q(actor), commune=commune, erased_at__isnull=True)
    if _CCCD.match(compact):
        qs = qs.filter(cccd_hash__in=cccd_lib.lookup_hashes(compact))
    elif _PHONE.match(compact):
        try:
            qs = qs.filter(phone=normalise_phone(compact))
        except DomainError:
            return []
    else:
        return registry_selectors.people_by_name(
            actor=actor, commune=commune, q=q, limit=SEARCH_LIMIT
        )
    return list(qs.select_related("household__village").order_by("full_name", "pk")[:SEARCH_LIMIT])


def desk_visit_get(actor: Any, visit_id: Any) -> DeskVisit:
    """The visit if the actor may read its commune's desk log; not-found otherwise."""
    try:
        return (
            DeskVisit.objects.filter(desk_visit_q(actor))
            .select_related(
                "commune__province", "person__household__village", "staff", "skill_event"
            )
            .get(pk=_uuid(visit_id))
        )
    except DeskVisit.DoesNotExist:
        raise NotFound() from None


def visit_list(*, actor: Any, commune: Commune, day: dt.date | None = None) -> QuerySet[DeskVisit]:
    """The commune's desk log, newest first (``day``: that local day only)."""
    ensure_desk(actor, commune.code)
    qs = DeskVisit.objects.filter(commune=commune).select_related("person__household", "staff")
    if day is not None:
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
        qs = qs.filter(happened_at__gte=start, happened_at__lt=start + dt.timedelta(days=1))
    return qs.order_by("-happened_at", "-pk")


def visit_rows(ids: list[Any]) -> QuerySet[DeskVisit]:
    """The visits ``ids`` (a page of :func:`visit_list`) with what the log shows of each: for
    ``core.web.paginate(..., rows=visit_rows)``, which selects the page's ids through the
    commune's time index first."""
    return DeskVisit.objects.filter(pk__in=ids).select_related("person__household", "staff")


@dataclass(frozen=True, slots=True)
class VisitValues:
    """A visit of the desk log as the API lists it: its own columns, the person's name and the
    staff member's username (``None`` when no staff member is named): named as the API's row
    (``desk.api.DeskVisitOut``)."""

    id: Any
    commune: str
    person_id: Any
    person_name: str
    procedure: str
    outcome: str
    can_do_alone: bool
    note: str
    happened_at: dt.datetime
    staff: str | None
    skill_event_id: Any

    @property
    def pk(self) -> Any:
        return self.id


def visit_values(ids: list[Any]) -> list[VisitValues]:
    """The visits ``ids`` (a page of :func:`visit_list`) as the API lists them, in one query of
    values (for ``core.web.paginate(..., rows=visit_values)``): no model instance a row."""
    username = get_user_model().USERNAME_FIELD  # what ``staff.get_username()`` answers
    rows = DeskVisit.objects.filter(pk__in=ids).values_list(
        "id",
        "commune_id",
        "person_id",
        "person__full_name",
        "procedure",
        "outcome",
        "can_do_alone",
        "note",
        "happened_at",
        f"staff__{username}",
        "skill_event_id",
    )
    return [VisitValues(*row) for row in rows]


@dataclass
class DeskFigures:
    """One commune's desk: staff named, citizens helped, visits by outcome, "can do it alone"."""

    commune: str
    staff: int = 0
    persons: int = 0
    visits: int = 0
    by_outcome: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Outcome.values, 0))
    can_do_alone: int = 0


def desk_figures(*, actor: Any, communes: Iterable[str]) -> dict[str, DeskFigures]:
    """The figures of each of ``communes`` the actor may read (others are left out), in three
    queries whatever the number of communes: which may be read, the visits, the staff (the
    dashboards' own figure, :func:`hocvuso.desk.figures.desk_staff`)."""
    codes = _readable(actor, set(communes))
    out = {c: DeskFigures(commune=c) for c in codes}
    if not codes:
        return out
    counts = {f"o_{o}": Count("pk", filter=Q(outcome=o)) for o in Outcome.values}
    rows = (
        DeskVisit.objects.filter(commune_id__in=codes)
        .values("commune_id")
        .annotate(
            visits=Count("pk"),
            persons=Count("person_id", distinct=True),
            alone=Count("pk", filter=Q(can_do_alone=True)),
            **counts,
        )
        .order_by()
    )
    for row in rows:
        f = out[row["commune_id"]]
        f.visits, f.persons, f.can_do_alone = row["visits"], row["persons"], row["alone"]
        f.by_outcome = {o: row[f"o_{o}"] for o in Outcome.values}
    for code, n in figures.desk_staff(codes).items():
        out[code].staff = n
    return out


def _readable(actor: Any, codes: set[str]) -> list[str]:
    """The communes of ``codes`` whose desk the actor may read (one query)."""
    return sorted(
        Commune.objects.filter(desk_commune_q(actor), code__in=codes).values_list("code", flat=True)
    )


@dataclass(frozen=True)
class CommuneDesk:
    """What the commune page shows about the desk: the staff count (a warning when none)."""

    staff: int
    can_read: bool
    can_log: bool


def commune_desk(*, actor: Any, commune: Commune) -> CommuneDesk:
    """One query: the number of active desk staff named for the commune."""
    staff = figures.desk_staff([commune.code]).get(commune.code, 0)
    return CommuneDesk(
        staff=staff,
        can_read=can_read_visits(actor, commune.code),
        can_log=can_log_visits(actor, commune.code),
    )
