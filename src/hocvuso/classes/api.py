"""The classes and back-check API: /api/v1/classes/…

Writes are idempotent on the client's UUID (a class, a registration, a round); gains are
idempotent on class + person + skill. Out of scope answers 404, the same as for an id that does
not exist; a full class answers 422 ``class_full``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from hocvuso.access.checks import can_draw_checks, can_read_checks
from hocvuso.access.classes import can_organise, can_read_classes
from hocvuso.access.units import access_commune
from hocvuso.classes import checks, selectors, services
from hocvuso.classes.models import BackCheck, CheckRound, ClassEvent
from hocvuso.core.errors import NotFound
from hocvuso.core.schemas import ErrorOut, Page, page_fields
from hocvuso.core.web import paginate
from hocvuso.geo.models import Village
from hocvuso.registry import selectors as registry_selectors
from hocvuso.skills.errors import SkillsError
from hocvuso.skills.models import Skill

router = Router(tags=["classes"])


class ClassIn(Schema):
    id: UUID = Field(description="Made by the client (UUID v7): sending it again is safe")
    commune: str = Field(description="Official commune code")
    title: str
    branch: str = Field("", description="The youth branch or team organising (a tag)")
    village_id: UUID | None = None
    address: str = ""
    starts_at: dt.datetime = Field(description="With a time zone")
    capacity: int
    skills: list[str] = Field(default_factory=list, description="Topic skill codes")


class ClassOut(Schema):
    id: UUID
    commune: str
    title: str
    branch: str
    village_id: UUID | None
    address: str
    starts_at: dt.datetime
    capacity: int
    organiser: str
    skills: list[str]
    registered: int | None = None
    attended: int | None = None
    volunteers: int | None = None


class ClassPageOut(Page):
    results: list[ClassOut]


class RegistrationOut(Schema):
    id: UUID
    person_id: UUID
    person_name: str
    attended: bool
    gained: list[str]


class ClassDetailOut(ClassOut):
    registrations: list[RegistrationOut]


class WalkInPersonIn(Schema):
    full_name: str
    sex: str = Field(description="M or F")
    birth_year: int | None = None
    phone: str = ""


class RegisterIn(Schema):
    id: UUID = Field(description="Made by the client (UUID v7)")
    person_id: UUID | None = None
    new_person: WalkInPersonIn | None = None


class AttendanceIn(Schema):
    present: list[UUID] = Field(description="Person ids of everyone present (the whole list)")


class GainIn(Schema):
    person_id: UUID
    skill: str


class GainsIn(Schema):
    gains: list[GainIn]


class GainOut(Schema):
    id: UUID = Field(description="Also the id of the skill event")
    person_id: UUID
    skill: str


def _out(c: ClassEvent) -> ClassOut:
    return ClassOut(
        id=c.pk,
        commune=c.commune_id,
        title=c.title,
        branch=c.branch,
        village_id=c.village_id,
        address=c.address,
        starts_at=c.starts_at,
        capacity=c.capacity,
        organiser=str(c.organiser),
        skills=[s.code for s in c.skills.all()],
        registered=getattr(c, "registered", None),
        attended=getattr(c, "attended", None),
        volunteers=getattr(c, "volunteer_count", None),
    )


@router.get(
    "/communes/{code}", response={200: ClassPageOut, 404: ErrorOut}, url_name="classes_list"
)
def class_list(request: HttpRequest, code: str, page: int = 1) -> ClassPageOut:
    qs = selectors.class_list(
        actor=request.user, commune=access_commune(request.user, code, allowed=can_read_classes)
    )
    p = paginate(qs, page)
    return ClassPageOut(**page_fields(p), results=[_out(c) for c in p.object_list])


@router.post("", response={201: ClassOut, 404: ErrorOut, 422: ErrorOut}, url_name="classes_create")
def class_create(request: HttpRequest, payload: ClassIn) -> Status[ClassOut]:
    commune = access_commune(request.user, payload.commune, allowed=can_organise)
    village = None
    if payload.village_id is not None:
        village = Village.objects.filter(pk=payload.village_id, commune=commune).first()
        if village is None:
            raise NotFound()
    skills = list(Skill.objects.filter(code__in=payload.skills, is_active=True))
    if len(skills) != len(set(payload.skills)):
        from hocvuso.core.errors import DomainError

        raise DomainError(SkillsError.UNKNOWN_SKILL, "Unknown skill.", "skills")
    klass = services.class_create(
        actor=request.user,
        id=payload.id,
        commune=commune,
        title=payload.title,
        branch=payload.branch,
        village=village,
        address=payload.address,
        starts_at=payload.starts_at,
        capacity=payload.capacity,
        skills=skills,
    )
    return Status(201, _out(klass))


def _detail(request: HttpRequest, klass: ClassEvent) -> ClassDetailOut:
    regs = selectors.class_registrations(actor=request.user, klass=klass)
    base = _out(klass).dict()
    registered, attended = selectors.class_counts(klass)
    base.update(registered=registered, attended=attended)
    base["volunteers"] = len(klass.volunteers.all())
    return ClassDetailOut(
        **base,
        registrations=[
            RegistrationOut(
                id=r.pk,
                person_id=r.person_id,
                person_name=r.person.full_name,
                attended=r.attended,
                gained=r.gained,  # type: ignore[attr-defined]
            )
            for r in regs
        ],
    )


@router.get("/{class_id}", response={200: ClassDetailOut, 404: ErrorOut}, url_name="classes_detail")
def class_detail(request: HttpRequest, class_id: UUID) -> ClassDetailOut:
    return _detail(request, selectors.class_get(request.user, class_id))


@router.post(
    "/{class_id}/registrations",
    response={201: RegistrationOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="classes_register",
)
def class_register(
    request: HttpRequest, class_id: UUID, payload: RegisterIn
) -> Status[RegistrationOut]:
    klass = selectors.class_get(request.user, class_id)
    person = None
    if payload.person_id is not None:
        person = registry_selectors.person_get(request.user, payload.person_id)
    new_person = None
    if payload.new_person is not None:
        n = payload.new_person
        new_person = services.NewPerson(
            full_name=n.full_name, sex=n.sex, birth_year=n.birth_year, phone=n.phone
        )
    reg = services.class_register(
        actor=request.user, id=payload.id, klass=klass, person=person, new_person=new_person
    )
    return Status(
        201,
        RegistrationOut(
            id=reg.pk,
            person_id=reg.person_id,
            person_name=reg.person.full_name,
            attended=reg.attended,
            gained=[],
        ),
    )


@router.post(
    "/{class_id}/attendance",
    response={200: ClassDetailOut, 404: ErrorOut, 422: ErrorOut},
    url_name="classes_attendance",
)
def class_attendance(request: HttpRequest, class_id: UUID, payload: AttendanceIn) -> ClassDetailOut:
    klass = selectors.class_get(request.user, class_id)
    services.class_attendance_set(actor=request.user, klass=klass, present=payload.present)
    return _detail(request, klass)


@router.post(
    "/{class_id}/gains",
    response={200: list[GainOut], 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="classes_gains",
)
def class_gains(request: HttpRequest, class_id: UUID, payload: GainsIn) -> list[GainOut]:
    klass = selectors.class_get(request.user, class_id)
    gains = services.class_gains_record(
        actor=request.user, klass=klass, gains=[(g.person_id, g.skill) for g in payload.gains]
    )
    codes = {s.pk: s.code for s in klass.skills.all()}
    return [GainOut(id=g.pk, person_id=g.person_id, skill=codes[g.skill_id]) for g in gains]


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
    class_id: UUID | None = None


class CheckOut(Schema):
    id: UUID
    event_id: UUID
    person_name: str
    skill: str
    happened_on: dt.date
    channel: str
    helper_id: int | None
    class_id: UUID | None
    assigned_to: str | None
    outcome: str


class RoundOut(Schema):
    id: UUID
    commune: str
    period_from: dt.date
    period_to: dt.date
    channel: str
    helper_id: int | None
    class_id: UUID | None
    percent: Decimal
    seed: int
    population: int
    size: int
    checks: list[CheckOut] | None = None


class RateOut(Schema):
    channel: str
    helper_id: int | None
    helper: str
    class_id: UUID | None
    class_title: str
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


def _round(r: CheckRound, items: list[BackCheck] | None = None) -> RoundOut:
    return RoundOut(
        id=r.pk,
        commune=r.commune_id,
        period_from=r.period_from,
        period_to=r.period_to,
        channel=r.channel,
        helper_id=r.helper_id,
        class_id=r.klass_id,
        percent=r.percent,
        seed=r.seed,
        population=r.population,
        size=r.size,
        checks=None if items is None else [_check(c) for c in items],
    )


def _check(c: BackCheck) -> CheckOut:
    return CheckOut(
        id=c.pk,
        event_id=c.event_id,
        person_name=c.event.person.full_name,
        skill=c.event.skill.code,
        happened_on=c.event.happened_on,
        channel=c.channel,
        helper_id=c.helper_id,
        class_id=c.klass_id,
        assigned_to=c.assigned_to.get_username() if c.assigned_to else None,
        outcome=c.outcome,
    )


@router.get(
    "/checks/communes/{code}", response={200: RoundsOut, 404: ErrorOut}, url_name="checks_rounds"
)
def check_rounds(request: HttpRequest, code: str) -> RoundsOut:
    commune = access_commune(request.user, code, allowed=can_read_checks)
    rounds = checks.round_list(actor=request.user, commune=commune)[:100]
    rates = checks.confirmation_rates(actor=request.user, commune=commune)
    return RoundsOut(
        rounds=[_round(r) for r in rounds],
        rates=[
            RateOut(
                channel=g.channel,
                helper_id=g.helper_id,
                helper=g.helper,
                class_id=g.klass_id,
                class_title=g.klass,
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
        helper = checks.checkers(commune).filter(pk=payload.helper_id).first()
        if helper is None:
            raise NotFound()
    klass = None
    if payload.class_id is not None:
        klass = ClassEvent.objects.filter(pk=payload.class_id, commune=commune).first()
        if klass is None:
            raise NotFound()
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
        klass=klass,
    )
    return Status(201, _round(rnd, list(checks.round_checks(rnd))))


@router.get(
    "/checks/rounds/{round_id}", response={200: RoundOut, 404: ErrorOut}, url_name="checks_round"
)
def check_round(request: HttpRequest, round_id: UUID) -> RoundOut:
    rnd = checks.round_get(request.user, round_id)
    return _round(rnd, list(checks.round_checks(rnd)))


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
    return _check(checks.round_checks(done.round).get(pk=done.pk))
