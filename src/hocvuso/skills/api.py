"""The skills API: the catalogue, a person's status and history, recording and reversing events,
and the back-checks of what was reported (/api/v1/skills/checks/…).

Recording is idempotent on the client's UUID v7: the first call answers 201, a replay of the same
event 200 with the stored event, the same id with different content 409 ``event_conflict``.
Out of scope answers 404, the same as for an id that does not exist.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from hocvuso.access.checks import can_draw_checks, can_read_checks
from hocvuso.access.units import access_commune
from hocvuso.core.schemas import ErrorOut
from hocvuso.registry import selectors as registry_selectors
from hocvuso.skills import checks, selectors, services
from hocvuso.skills.models import BackCheck, CheckRound, PersonSkillStatus, SkillEvent

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


# --- Back-checks ------------------------------------------------------------------------------


class DrawIn(Schema):
    id: UUID = Field(description="Made by the client (UUID v7)")
    commune: str
    period_from: dt.date
    period_to: dt.date
    percent: Decimal = Field(description="Share of the reported events to draw, e.g. 5")
    seed: int | None = Field(None, description="Empty: a new random seed (stored)")
    channel: str = ""
    helper_id: int | None = None


class CheckOut(Schema):
    id: UUID
    event_id: UUID
    person_name: str
    skill: str
    happened_on: dt.date
    channel: str
    helper_id: int | None
    source: str = Field(description="The frame drawn from, e.g. 'class:<id>'; empty: commune-wide")
    label: str = Field(description="Its name, e.g. the class's title")
    assigned_to: str | None
    outcome: str


class RoundOut(Schema):
    id: UUID
    commune: str
    period_from: dt.date
    period_to: dt.date
    channel: str
    helper_id: int | None
    source: str
    label: str
    percent: Decimal
    seed: int
    population: int
    size: int
    checks: list[CheckOut] | None = None


class RateOut(Schema):
    channel: str
    helper_id: int | None
    helper: str
    source: str
    label: str
    drawn: int
    confirmed: int
    not_confirmed: int
    unreachable: int
    rate: float | None


class RoundsOut(Schema):
    rounds: list[RoundOut]
    rates: list[RateOut]


class OutcomeIn(Schema):
    outcome: str = Field(description="confirmed, not_confirmed or unreachable")
    note: str = ""


def round_out(r: CheckRound, items: list[BackCheck] | None = None) -> RoundOut:
    """A round as the API answers it (with its checks when given): also used by the programme
    apps that draw rounds over their own events."""
    return RoundOut(
        id=r.pk,
        commune=r.commune_id,
        period_from=r.period_from,
        period_to=r.period_to,
        channel=r.channel,
        helper_id=r.helper_id,
        source=r.source,
        label=r.label,
        percent=r.percent,
        seed=r.seed,
        population=r.population,
        size=r.size,
        checks=None if items is None else [_check_out(c) for c in items],
    )


def _check_out(c: BackCheck) -> CheckOut:
    return CheckOut(
        id=c.pk,
        event_id=c.event_id,
        person_name=c.event.person.full_name,
        skill=c.event.skill.code,
        happened_on=c.event.happened_on,
        channel=c.channel,
        helper_id=c.helper_id,
        source=c.source,
        label=c.label,
        assigned_to=c.assigned_to.get_username() if c.assigned_to else None,
        outcome=c.outcome,
    )


@router.get(
    "/checks/communes/{code}", response={200: RoundsOut, 404: ErrorOut}, url_name="checks_rounds"
)
def check_rounds(request: HttpRequest, code: str) -> RoundsOut:
    commune = access_commune(request.user, code, allowed=can_read_checks)
    newest = checks.round_list(actor=request.user, commune=commune).values_list("pk", flat=True)
    ids = list(newest[:100])
    counted = {r.pk: r for r in checks.round_rows(ids)}
    rounds = [counted[i] for i in ids]
    rates = checks.confirmation_rates(actor=request.user, commune=commune)
    return RoundsOut(
        rounds=[round_out(r) for r in rounds],
        rates=[
            RateOut(
                channel=g.channel,
                helper_id=g.helper_id,
                helper=g.helper,
                source=g.source,
                label=g.label,
                drawn=g.drawn,
                confirmed=g.confirmed,
                not_confirmed=g.not_confirmed,
                unreachable=g.unreachable,
                rate=g.rate,
            )
            for g in rates
        ],
    )


@router.post(
    "/checks/rounds", response={201: RoundOut, 404: ErrorOut, 422: ErrorOut}, url_name="checks_draw"
)
def check_draw(request: HttpRequest, payload: DrawIn) -> Status[RoundOut]:
    commune = access_commune(request.user, payload.commune, allowed=can_draw_checks)
    helper = None
    if payload.helper_id is not None:
        helper = checks.helper_get(commune, payload.helper_id)
    rnd = checks.check_round_draw(
        actor=request.user,
        id=payload.id,
        commune=commune,
        period_from=payload.period_from,
        period_to=payload.period_to,
        percent=payload.percent,
        seed=payload.seed,
        channel=payload.channel,
        helper=helper,
    )
    return Status(201, round_out(rnd, list(checks.round_checks(rnd))))


@router.get(
    "/checks/rounds/{round_id}", response={200: RoundOut, 404: ErrorOut}, url_name="checks_round"
)
def check_round(request: HttpRequest, round_id: UUID) -> RoundOut:
    rnd = checks.round_get(request.user, round_id)
    return round_out(rnd, list(checks.round_checks(rnd)))


@router.post(
    "/checks/items/{check_id}/outcome",
    response={200: CheckOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="checks_outcome",
)
def check_outcome(request: HttpRequest, check_id: UUID, payload: OutcomeIn) -> CheckOut:
    check = checks.check_get(request.user, check_id)
    done = checks.check_outcome_record(
        actor=request.user, check=check, outcome=payload.outcome, note=payload.note
    )
    return _check_out(checks.round_check(done.round, done.pk))
