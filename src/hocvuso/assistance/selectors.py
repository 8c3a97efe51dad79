"""Reads of the requests for help, always through the actor's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from hocvuso.access.assistance import (
    can_read_help_requests,
    help_request_q,
    help_worker_q,
    help_worklist_communes,
    may_withdraw_help_request,
    may_work_help_request,
)
from hocvuso.assistance.models import ACTIVE, Contact, HelpRequest, Status
from hocvuso.core.errors import ensure
from hocvuso.core.fetch import one
from hocvuso.geo.models import Commune, Village
from hocvuso.registry.purposes import PHONE_FACTS, PhoneFacts, contact_phone, unrestricted_q
from hocvuso.skills.models import Skill


def help_request_get(actor: Any, request_id: Any) -> HelpRequest:
    """The request if the actor may read it; not found otherwise."""
    qs = HelpRequest.objects.filter(help_request_q(actor)).select_related(
        "person__household__village", "commune", "village", "skill", "taken_by", "answered_by"
    )
    return one(qs, request_id)


def help_request_list(
    *,
    actor: Any,
    commune: Commune,
    village: Village | None = None,
    closed: bool = False,
) -> QuerySet[HelpRequest]:
    """The commune's requests the actor may read: those still in hand (open first, then
    oldest first), or the closed ones (newest first). One query with the person and skill."""
    ensure(can_read_help_requests(actor, commune.code))
    qs = HelpRequest.objects.filter(help_request_q(actor), commune=commune).select_related(
        "person__household", "village", "skill", "taken_by"
    )
    if village is not None:
        qs = qs.filter(village=village)
    if closed:
        return qs.filter(status=Status.CLOSED).order_by("-closed_at", "-pk")
    order = Case(
        *(When(status=st, then=Value(i)) for i, st in enumerate(ACTIVE)),
        output_field=IntegerField(),
    )
    return qs.filter(unrestricted_q("person__"), status__in=ACTIVE).order_by(
        order, "created_at", "pk"
    )


def help_request_rows(ids: list[Any]) -> QuerySet[HelpRequest]:
    """The requests ``ids`` (a page of :func:`help_request_list`) with their person, village,
    skill and helper: for ``core.web.paginate(..., rows=help_request_rows)``, which selects the
    page's ids through the list's filters first and joins for those rows only."""
    return HelpRequest.objects.filter(pk__in=ids).select_related(
        "person__household", "village", "skill", "taken_by"
    )


# What a request of the worklist's API shows, and what deciding its phone needs (the person's
# ``registry.purposes`` columns): read as values, no model instance a row.
_REQUEST_VALUES = (
    "id",
    "commune_id",
    "village_id",
    "person_id",
    "person__full_name",
    "skill__code",
    "need",
    "contact",
    "status",
    "answer",
    "created_at",
)
_PHONE_VALUES = tuple(f"person__{name}" for name in PHONE_FACTS)


@dataclass(frozen=True, slots=True)
class HelpRequestValues:
    """A request as the worklist's API lists it: its own columns, the person's name, the skill's
    code and the helper's username (``None`` when there is none), and the phone a helper may see
    (as :func:`help_request_view` decides it): named as the API's row
    (``assistance.api.HelpRequestOut``)."""

    id: Any
    commune: str
    village_id: Any
    person_id: Any
    person_name: str
    skill: str | None
    need: str
    contact: str
    status: str
    answer: str
    created_at: dt.datetime
    taken_by: str | None
    phone: str

    @property
    def pk(self) -> Any:
        return self.id


def shown_phone(contact: str, person: Any) -> str:
    """The phone number a helper sees on a request: the person's, when they asked to be called
    and agreed to it (``registry.purposes.contact_phone``); else ""."""
    return contact_phone(person) if contact == Contact.PHONE else ""


def help_request_values(ids: list[Any]) -> list[HelpRequestValues]:
    """The requests ``ids`` (a page of :func:`help_request_list`) as the API lists them, in one
    query of values (for ``core.web.paginate(..., rows=help_request_values)``)."""
    username = get_user_model().USERNAME_FIELD  # what ``taken_by.get_username()`` answers
    rows = HelpRequest.objects.filter(pk__in=ids).values_list(
        *_REQUEST_VALUES, f"taken_by__{username}", *_PHONE_VALUES
    )
    out = []
    for row in rows:
        pk, commune, village, person, name, skill, need, contact, status, answer, created = row[:11]
        taken_by, facts = row[11], PhoneFacts(*row[12:])
        out.append(
            HelpRequestValues(
                pk,
                commune,
                village,
                person,
                name,
                skill,
                need,
                contact,
                status,
                answer,
                created,
                taken_by,
                shown_phone(contact, facts),
            )
        )
    return out


def own_help_requests(*, actor: Any, person_ids: list[Any], limit: int = 5) -> list[HelpRequest]:
    """The latest requests of the actor's own records (their home), newest first."""
    if not person_ids:
        return []
    return list(
        HelpRequest.objects.filter(help_request_q(actor), person_id__in=person_ids)
        .select_related("skill", "answered_by")
        .order_by("-created_at", "-pk")[:limit]
    )


def waiting_counts(*, actor: Any, communes: list[str]) -> dict[str, int]:
    """Requests waiting for a helper (open) on the actor's worklist, per commune (one query)."""
    if not communes:
        return {}
    rows = (
        HelpRequest.objects.filter(help_worker_q(actor), commune_id__in=communes)
        .values("commune_id")
        .annotate(n=Count("pk", filter=Q(status=Status.OPEN)))
        .order_by()
    )
    return {r["commune_id"]: r["n"] for r in rows}


@dataclass(frozen=True)
class HelpRequestView:
    """A request as a helper reads it: the phone only when the person consented to calls."""

    request: HelpRequest
    phone: str
    can_work: bool
    can_withdraw: bool


def help_request_view(*, actor: Any, request: HelpRequest) -> HelpRequestView:
    return HelpRequestView(
        request=request,
        phone=shown_phone(request.contact, request.person),
        can_work=may_work_help_request(actor, request),
        can_withdraw=may_withdraw_help_request(actor, request)
        and request.status in (Status.OPEN, Status.TAKEN),
    )


def skill_choices() -> list[Skill]:
    """The catalogue's active skills a citizen may ask help with (reference data, one query)."""
    return list(
        Skill.objects.filter(is_active=True).select_related("area").order_by("area__order", "order")
    )


def worklist_communes(*, actor: Any) -> list[tuple[Commune, int]]:
    """The communes whose requests the actor answers, each with the number waiting for a helper
    (two queries; none without such a role)."""
    codes = sorted(help_worklist_communes(actor))
    if not codes:
        return []
    waiting = waiting_counts(actor=actor, communes=codes)
    return [
        (c, waiting.get(c.code, 0)) for c in Commune.objects.filter(code__in=codes).order_by("name")
    ]
