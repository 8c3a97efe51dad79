"""The classes API: /api/v1/classes/…

Writes are idempotent on the client's UUID (a class, a registration, a round); gains are
idempotent on class + person + skill. Out of scope answers 404, the same as for an id that does
not exist; a full class answers 409 ``class_full``. A back-check round over a class's gains is
drawn here and kept by the skills app (``/api/v1/skills/checks/…``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from hocvuso.access.checks import can_draw_checks
from hocvuso.access.classes import can_organise, can_read_classes
from hocvuso.access.units import access_commune, access_village
from hocvuso.classes import selectors, services
from hocvuso.classes.models import ClassEvent
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.schemas import ErrorOut, Page, page_json
from hocvuso.core.web import paginate
from hocvuso.registry import selectors as registry_selectors
from hocvuso.skills import selectors as skills_selectors
from hocvuso.skills.api import RoundOut, round_out
from hocvuso.skills.checks import check_round_draw, round_checks
from hocvuso.skills.errors import SkillsError

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
    confirmed_new: bool = Field(
        False,
        description="The matches offered (409 possible_duplicate, in details) were seen: "
        "this is someone else",
    )


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
def class_list(request: HttpRequest, code: str, page: int = 1) -> HttpResponse:
    # The rows read as values and written straight to JSON (``core.schemas.page_json``).
    qs = selectors.class_list_keys(
        actor=request.user, commune=access_commune(request.user, code, allowed=can_read_classes)
    )
    return page_json(paginate(qs, page, rows=selectors.class_values), ClassOut)


@router.post("", response={201: ClassOut, 404: ErrorOut, 422: ErrorOut}, url_name="classes_create")
def class_create(request: HttpRequest, payload: ClassIn) -> Status[ClassOut]:
    commune = access_commune(request.user, payload.commune, allowed=can_organise)
    village = None
    if payload.village_id is not None:
        village = access_village(request.user, commune, payload.village_id)
    skills = list(skills_selectors.active_skills(codes=payload.skills))
    if len(skills) != len(set(payload.skills)):
        raise DomainError(SkillsError.UNKNOWN_SKILL, _("Unknown skill code."), "skills")
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
            full_name=n.full_name,
            sex=n.sex,
            birth_year=n.birth_year,
            phone=n.phone,
            confirmed_new=n.confirmed_new,
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


# --- A back-check round over a class's gains ------------------------------------------------


class ClassDrawIn(Schema):
    id: UUID = Field(description="Made by the client (UUID v7)")
    percent: Decimal = Field(description="Share of the class's recorded gains to draw, e.g. 10")
    seed: int | None = Field(None, description="Empty: a new random seed (stored)")


@router.post(
    "/{class_id}/checks",
    response={201: RoundOut, 404: ErrorOut, 422: ErrorOut},
    url_name="classes_check_draw",
)
def class_check_draw(
    request: HttpRequest, class_id: UUID, payload: ClassDrawIn
) -> Status[RoundOut]:
    """Draw a back-check round over the skills gained at this class (the skills app keeps the
    round: ``/api/v1/skills/checks/rounds/{id}``)."""
    klass = selectors.class_get(request.user, class_id)
    if not can_draw_checks(request.user, klass.commune_id):
        raise NotFound()
    day = timezone.localtime(klass.starts_at).date()
    rnd = check_round_draw(
        actor=request.user,
        id=payload.id,
        commune=klass.commune,
        period_from=day,
        period_to=day,
        percent=payload.percent,
        seed=payload.seed,
        frame=selectors.check_frame(klass),
    )
    return Status(201, round_out(rnd, list(round_checks(rnd))))
