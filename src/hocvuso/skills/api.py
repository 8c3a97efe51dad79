"""The skills API: the catalogue, a person's status and history, recording and reversing events.

Recording is idempotent on the client's UUID v7: the first call answers 201, a replay of the same
event 200 with the stored event, the same id with different content 409 ``event_conflict``.
Out of scope answers 404, the same as for an id that does not exist.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from hocvuso.core.schemas import ErrorOut
from hocvuso.registry import selectors as registry_selectors
from hocvuso.skills import selectors, services
from hocvuso.skills.models import PersonSkillStatus, SkillEvent

router = Router(tags=["skills"])


class SkillOut(Schema):
    code: str
    kind: str
    level: int
    name_vi: str
    name_en: str
    description_vi: str
    description_en: str
    programmes: list[str]


class AreaOut(Schema):
    code: str
    name_vi: str
    name_en: str
    source: str
    skills: list[SkillOut]


class SkillSetOut(Schema):
    code: str
    province: str | None = Field(None, description="Empty: the national set")
    name_vi: str
    name_en: str
    skills: list[str]


class CatalogueOut(Schema):
    areas: list[AreaOut]
    sets: list[SkillSetOut]


class StatusOut(Schema):
    skills: list[str] = Field(description="Codes of the skills held (gains not reversed)")
    basic_complete: bool
    vneid_level: int = Field(description="0 none, 1 installed, 2 level 2 activated")
    has_bank_account: bool
    t4: list[str] = Field(description="Codes of the 4T set held")
    last_event_on: dt.date | None


class EventOut(Schema):
    id: UUID
    person_id: UUID
    skill: str
    happened_on: dt.date
    channel: str
    helped_by: str | None
    verified_by: str | None
    note: str
    reverses: UUID | None
    reversed_by: UUID | None
    created_at: dt.datetime


class PersonSkillsOut(Schema):
    person_id: UUID
    status: StatusOut
    events: list[EventOut]


class EventIn(Schema):
    id: UUID = Field(description="Made by the client (UUID v7): sending it again is safe")
    person_id: UUID
    skill: str = Field(description="Skill code, e.g. 'vneid.level2' or '1.1'")
    happened_on: dt.date
    channel: str
    helped: bool = Field(True, description="The signed-in user helped")
    note: str = ""


class ReverseIn(Schema):
    id: UUID = Field(description="Made by the client (UUID v7) for the reversing event")
    reason: str


def _event_out(e: SkillEvent, reversal: SkillEvent | None = None) -> EventOut:
    return EventOut(
        id=e.pk,
        person_id=e.person_id,
        skill=e.skill.code,
        happened_on=e.happened_on,
        channel=e.channel,
        helped_by=e.helped_by.get_username() if e.helped_by else None,
        verified_by=e.verified_by.get_username() if e.verified_by else None,
        note=e.note,
        reverses=e.reverses_id,
        reversed_by=reversal.pk if reversal else None,
        created_at=e.created_at,
    )


def _status_out(status: PersonSkillStatus | None) -> StatusOut:
    if status is None:
        return StatusOut(
            skills=[],
            basic_complete=False,
            vneid_level=0,
            has_bank_account=False,
            t4=[],
            last_event_on=None,
        )
    return StatusOut(
        skills=status.skills,
        basic_complete=status.basic_complete,
        vneid_level=status.vneid_level,
        has_bank_account=status.has_bank_account,
        t4=status.t4,
        last_event_on=status.last_event_on,
    )


@router.get("/catalogue", response=CatalogueOut, url_name="skills_catalogue")
def catalogue(request: HttpRequest) -> CatalogueOut:
    areas = [
        AreaOut(
            code=a.code,
            name_vi=a.name_vi,
            name_en=a.name_en,
            source=a.source,
            skills=[SkillOut.from_orm(s) for s in a.skills.all()],
        )
        for a in selectors.catalogue()
    ]
    sets = [
        SkillSetOut(
            code=s.code,
            province=s.province_id,
            name_vi=s.name_vi,
            name_en=s.name_en,
            skills=sorted(k.code for k in s.skills.all()),
        )
        for s in selectors.skill_set_list()
    ]
    return CatalogueOut(areas=areas, sets=sets)


@router.get(
    "/persons/{person_id}",
    response={200: PersonSkillsOut, 404: ErrorOut},
    url_name="skills_person",
)
def person(request: HttpRequest, person_id: UUID) -> PersonSkillsOut:
    p = registry_selectors.person_get(request.user, person_id)
    data = selectors.person_skills(actor=request.user, person=p)
    return PersonSkillsOut(
        person_id=p.pk,
        status=_status_out(data.status),
        events=[_event_out(e, e.reversal) for e in data.events],
    )


@router.post(
    "/events",
    response={200: EventOut, 201: EventOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="skills_event_record",
)
def event_record(request: HttpRequest, payload: EventIn) -> Status[EventOut]:
    p = registry_selectors.person_get(request.user, payload.person_id)
    event = services.skill_event_record(
        actor=request.user,
        id=payload.id,
        person=p,
        skill=selectors.skill_get(code=payload.skill),
        happened_on=payload.happened_on,
        channel=payload.channel,
        helped_by=request.user if payload.helped else None,
        note=payload.note,
    )
    return Status(200 if event.replayed else 201, _event_out(event))


@router.post(
    "/events/{event_id}/reverse",
    response={200: EventOut, 201: EventOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="skills_event_reverse",
)
def event_reverse(request: HttpRequest, event_id: UUID, payload: ReverseIn) -> Status[EventOut]:
    event = selectors.event_get(request.user, event_id)
    reversal = services.skill_event_reverse(
        actor=request.user, event=event, reason=payload.reason, id=payload.id
    )
    return Status(200 if reversal.replayed else 201, _event_out(reversal))
