"""The support-desk API: log a visit (idempotent on the client's UUID v7) and list a commune's log.

Logging answers 201, a replay of the same visit 200 with the stored visit, the same id with
different content 409 ``event_conflict``. Out of scope answers 404, the same as for a commune or
person that does not exist. The CCCD of a new person is never sent back.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status

from hocvuso.access.desk import can_log_visits, can_read_visits
from hocvuso.access.units import access_commune
from hocvuso.core.schemas import ErrorOut, Page, page_json
from hocvuso.core.web import paginate
from hocvuso.desk import selectors, services
from hocvuso.desk.models import DeskVisit
from hocvuso.registry import selectors as registry_selectors

router = Router(tags=["desk"])


class DeskNewPersonIn(Schema):
    full_name: str
    sex: str = Field(description="M or F")
    birth_year: int | None = None
    phone: str = ""
    confirmed_new: bool = Field(
        False,
        description="The matches offered (409 possible_duplicate, in details) were seen: "
        "this is someone else",
    )
    cccd: str = Field("", description="Optional; stored protected, never sent back")
    household_id: UUID | None = Field(
        None, description="One of the commune's households; empty: a new household QUAY-…"
    )


class DeskVisitIn(Schema):
    id: UUID = Field(description="Made by the client (UUID v7): sending it again is safe")
    commune: str = Field(description="Official commune code")
    person_id: UUID | None = Field(None, description="A person of the commune, or new_person")
    new_person: DeskNewPersonIn | None = None
    procedure: str = Field(description="Procedure code, e.g. 'khai_sinh', 'bhyt'")
    outcome: str = Field(description="done_with_help, done_alone or not_done")
    can_do_alone: bool = False
    note: str = ""
    happened_at: dt.datetime = Field(description="With a time zone; the same on a replay")


class DeskVisitOut(Schema):
    id: UUID
    commune: str
    person_id: UUID
    person_name: str
    procedure: str
    outcome: str
    can_do_alone: bool
    note: str
    happened_at: dt.datetime
    staff: str | None
    skill_event_id: UUID | None


class DeskVisitPage(Page):
    results: list[DeskVisitOut]


def _out(v: DeskVisit) -> DeskVisitOut:
    return DeskVisitOut(
        id=v.pk,
        commune=v.commune_id,
        person_id=v.person_id,
        person_name=v.person.full_name,
        procedure=v.procedure,
        outcome=v.outcome,
        can_do_alone=v.can_do_alone,
        note=v.note,
        happened_at=v.happened_at,
        staff=v.staff.get_username() if v.staff else None,
        skill_event_id=v.skill_event_id,
    )


@router.post(
    "/visits",
    response={200: DeskVisitOut, 201: DeskVisitOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="desk_visit_record",
)
def visit_record(request: HttpRequest, payload: DeskVisitIn) -> Status[DeskVisitOut]:
    commune = access_commune(request.user, payload.commune, allowed=can_log_visits)
    person = None
    if payload.person_id is not None:
        person = registry_selectors.person_get(request.user, payload.person_id)
    new_person = None
    if payload.new_person is not None:
        n = payload.new_person
        household = None
        if n.household_id is not None:
            household = registry_selectors.household_get(request.user, n.household_id)
        new_person = services.NewPerson(
            full_name=n.full_name,
            sex=n.sex,
            birth_year=n.birth_year,
            phone=n.phone,
            cccd=n.cccd,
            household=household,
            confirmed_new=n.confirmed_new,
        )
    visit = services.desk_visit_record(
        actor=request.user,
        id=payload.id,
        commune=commune,
        person=person,
        new_person=new_person,
        procedure=payload.procedure,
        outcome=payload.outcome,
        can_do_alone=payload.can_do_alone,
        note=payload.note,
        happened_at=payload.happened_at,
    )
    return Status(200 if visit.replayed else 201, _out(visit))  # type: ignore[attr-defined]


@router.get(
    "/communes/{code}/visits",
    response={200: DeskVisitPage, 404: ErrorOut},
    url_name="desk_visits",
)
def visit_list(request: HttpRequest, code: str, page: int = 1) -> HttpResponse:
    # The rows read as values and written straight to JSON (``core.schemas.page_json``).
    commune = access_commune(request.user, code, allowed=can_read_visits)
    qs = selectors.visit_list(actor=request.user, commune=commune)
    return page_json(paginate(qs, page, rows=selectors.visit_values), DeskVisitOut)
