"""The API of the requests for help: a commune's worklist (what the desk and the teams answer),
one step on a request (take, answer, close), and the asker's withdrawal of their own request.
Out of scope answers 404, the same as for a commune or request that does not exist. The phone
number is sent only when the person agreed to be called."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from hocvuso.access.assistance import can_read_help_requests
from hocvuso.access.units import access_commune
from hocvuso.assistance import selectors, services
from hocvuso.assistance.models import HelpRequest
from hocvuso.core.schemas import ErrorOut, Page, page_json
from hocvuso.core.web import paginate

router = Router(tags=["assistance"])


class HelpRequestOut(Schema):
    id: UUID
    commune: str
    village_id: UUID | None
    person_id: UUID
    person_name: str
    skill: str | None = Field(description="Skill code of the catalogue, or null")
    need: str
    contact: str = Field(description="phone, visit or desk")
    phone: str = Field(description="Only when the person agreed to be called")
    status: str = Field(description="open, taken, answered or closed")
    taken_by: str | None
    answer: str
    created_at: dt.datetime


class HelpRequestPage(Page):
    results: list[HelpRequestOut]


class HelpStepIn(Schema):
    step: Literal["take", "answer", "close"]
    answer: str = ""


def _out(request: HttpRequest, r: HelpRequest) -> HelpRequestOut:
    view = selectors.help_request_view(actor=request.user, request=r)
    return HelpRequestOut(
        id=r.pk,
        commune=r.commune_id,
        village_id=r.village_id,
        person_id=r.person_id,
        person_name=r.person.full_name,
        skill=r.skill.code if r.skill else None,
        need=r.need,
        contact=r.contact,
        phone=view.phone,
        status=r.status,
        taken_by=r.taken_by.get_username() if r.taken_by else None,
        answer=r.answer,
        created_at=r.created_at,
    )


@router.get(
    "/communes/{code}/requests",
    response={200: HelpRequestPage, 404: ErrorOut},
    url_name="assistance_requests",
)
def request_list(
    request: HttpRequest, code: str, page: int = 1, closed: bool = False
) -> HttpResponse:
    # The rows read as values, the phone decided as for one request (``shown_phone``), and
    # written straight to JSON (``core.schemas.page_json``).
    commune = access_commune(request.user, code, allowed=can_read_help_requests)
    qs = selectors.help_request_list(actor=request.user, commune=commune, closed=closed)
    return page_json(paginate(qs, page, rows=selectors.help_request_values), HelpRequestOut)


@router.post(
    "/requests/{request_id}/step",
    response={200: HelpRequestOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="assistance_step",
)
def request_step(request: HttpRequest, request_id: UUID, payload: HelpStepIn) -> HelpRequestOut:
    r = selectors.help_request_get(request.user, request_id)
    if payload.step == "take":
        services.help_request_take(actor=request.user, request=r)
    elif payload.step == "answer":
        services.help_request_answer(actor=request.user, request=r, answer=payload.answer)
    else:
        services.help_request_close(actor=request.user, request=r)
    return _out(request, selectors.help_request_get(request.user, request_id))


@router.post(
    "/requests/{request_id}/withdraw",
    response={200: HelpRequestOut, 404: ErrorOut, 409: ErrorOut},
    url_name="assistance_withdraw",
)
def request_withdraw(request: HttpRequest, request_id: UUID) -> HelpRequestOut:
    """The asker withdraws their own request while nobody has answered it (replay 200; answered
    409 ``wrong_state``). Anyone else — a helper included — gets 404, as for a request that does
    not exist."""
    r = selectors.help_request_get(request.user, request_id)
    services.help_request_withdraw(actor=request.user, request=r)
    return _out(request, selectors.help_request_get(request.user, request_id))
