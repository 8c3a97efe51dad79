"""Writes of the youth-campaign classes: create a class, register citizens (or add them at the
door), take attendance, mark the skills attendees gained (skill events with channel "class").

Who may: :mod:`hocvuso.classes.access`. Gains are recorded through
:func:`hocvuso.skills.services.skill_events_record_batch` with ids derived from class + person +
skill (:func:`gain_uuid`), so a replay stores nothing twice. Youth volunteers have no registry
scope of their own (:func:`hocvuso.core.access.can_record_skills` and ``can_register_people``
leave them out); when the actor is not one of those, the registry and skills services are
called as the system after this module's own check, and this module's audit row names the actor.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.access.classes import can_organise, can_work_class, may_act_for_attendees, may_sign_up
from hocvuso.classes.errors import ClassError
from hocvuso.classes.models import ClassEvent, ClassGain, ClassRegistration
from hocvuso.core import hooks
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import CoreError, DomainError, NotFound
from hocvuso.core.ids import IdScheme, derived_id
from hocvuso.core.text import clean
from hocvuso.geo.errors import GeoError
from hocvuso.geo.models import Commune, Village
from hocvuso.registry.models import Household, Person
from hocvuso.registry.purposes import Purpose, processing_check
from hocvuso.registry.services import household_create, person_register, walk_in_check
from hocvuso.skills.models import Channel, Skill
from hocvuso.skills.services import EventInput, skill_events_record_batch


def gain_uuid(class_id: UUID, person_id: UUID, skill_code: str) -> uuid.UUID:
    """The id of the gain and of its skill event: the same class, person and skill → the same id
    (UUID with version 7 bits, like :func:`hocvuso.demo.registry.demo_uuid`)."""
    return derived_id(IdScheme.HASHED, "class", class_id, person_id, skill_code)


@transaction.atomic
def class_create(
    *,
    actor: Any,
    commune: Commune,
    title: str,
    starts_at: dt.datetime,
    capacity: int,
    skills: Iterable[Skill] = (),
    branch: str = "",
    village: Village | None = None,
    address: str = "",
    organiser: Any = None,
    volunteers: Iterable[Any] = (),
    id: UUID | None = None,
) -> ClassEvent:
    """Create a class. ``organiser`` defaults to the actor. Idempotent on ``id`` when given."""
    if not can_organise(actor, commune.code):
        raise NotFound()
    if id is not None:
        existing = ClassEvent.objects.filter(pk=id).first()
        if existing is not None:
            if existing.commune_id != commune.code:
                raise NotFound()
            return existing
    title = clean(title)
    if not title:
        raise DomainError(CoreError.REQUIRED, _("Give the class a title."), "title")
    if capacity < 1:
        raise DomainError(CoreError.INVALID, _("The capacity must be at least 1."), "capacity")
    if timezone.is_naive(starts_at):
        raise DomainError(CoreError.INVALID, _("Give the time with a time zone."), "starts_at")
    if village is not None and village.commune_id != commune.code:
        raise DomainError(
            GeoError.VILLAGE_OTHER_COMMUNE, _("This village is in another commune."), "village"
        )
    organiser = organiser if organiser is not None else user_or_none(actor)
    if organiser is None:
        raise DomainError(CoreError.REQUIRED, _("Name the organiser."), "organiser")
    klass = ClassEvent(
        commune=commune,
        village=village,
        title=title,
        branch=clean(branch),
        address=clean(address),
        starts_at=starts_at,
        capacity=capacity,
        organiser=organiser,
    )
    if id is not None:
        klass.id = id
    klass.save(force_insert=True)
    skills = list(skills)
    klass.skills.set(skills)
    klass.volunteers.set(list(volunteers))
    audit_record(
        actor=actor,
        action=AuditAction.CLASS_CREATE,
        obj=klass,
        changes={
            "commune": commune.code,
            "title": title,
            "capacity": capacity,
            "skills": [s.code for s in skills],
        },
    )
    hooks.network_changed.send(communes=[klass.commune_id])
    return klass


@dataclass(frozen=True)
class NewPerson:
    """A citizen added at the door (not on the commune's lists yet)."""

    full_name: str
    sex: str
    birth_year: int | None = None
    phone: str = ""
    household: Household | None = None
    # The helper saw the matches offered (registry.walk_in_check) and says it is someone new.
    confirmed_new: bool = False


def _add_at_door(actor: Any, reg_id: UUID, klass: ClassEvent, new: NewPerson) -> Person:
    registrar = actor
    household = new.household
    walk_in_check(
        actor=actor,
        commune=klass.commune,
        full_name=new.full_name,
        birth_year=new.birth_year,
        village=klass.village if household is None else None,
        household=household,
        phone=new.phone,
        confirmed_new=new.confirmed_new,
    )
    relationship = ""
    if household is None:
        relationship = "head"  # alone in a new household: its head
        household = household_create(
            actor=registrar,
            commune=klass.commune,
            code=f"LOP-{reg_id.hex[-8:].upper()}",
            village=klass.village,
        )
    elif household.commune_id != klass.commune_id:
        raise NotFound()
    return person_register(
        actor=registrar,
        household=household,
        full_name=new.full_name,
        sex=new.sex,
        birth_year=new.birth_year,
        phone=new.phone,
        relationship=relationship,
    )


@transaction.atomic
def class_register(
    *,
    actor: Any,
    id: UUID,
    klass: ClassEvent,
    person: Person | None = None,
    new_person: NewPerson | None = None,
) -> ClassRegistration:
    """Register ``person`` (or a citizen added at the door) for the class. Idempotent on ``id``
    and on the person (registering twice returns the registration). A full class refuses with
    ``class_full``."""
    signing_up = person is not None and new_person is None and may_sign_up(actor, klass, person)
    if not (can_work_class(actor, klass) or signing_up):
        raise NotFound()
    stored = ClassRegistration.objects.filter(pk=id).first()
    if stored is not None:
        if stored.klass_id != klass.pk:
            raise DomainError(
                CoreError.EVENT_CONFLICT,
                _("Another record with this identifier is already stored."),
                "id",
            )
        return stored
    if person is None and new_person is None:
        raise DomainError(CoreError.REQUIRED, _("Choose a person or add one."), "person")
    if person is not None:
        if person.commune_id != klass.commune_id:
            raise NotFound()
        processing_check(person, Purpose.SKILLS)
        already = ClassRegistration.objects.filter(klass=klass, person=person).first()
        if already is not None:
            return already
    # Serialise registrations of one class: the capacity check and the insert go together.
    list(ClassEvent.objects.select_for_update().filter(pk=klass.pk).values_list("pk", flat=True))
    if ClassRegistration.objects.filter(klass=klass).count() >= klass.capacity:
        raise DomainError(ClassError.CLASS_FULL, _("This class is full."))
    if person is None:
        assert new_person is not None
        person = _add_at_door(actor, id, klass, new_person)
    reg = ClassRegistration.objects.create(
        id=id, klass=klass, person=person, registered_by=user_or_none(actor)
    )
    audit_record(
        actor=actor,
        action=AuditAction.CLASS_REGISTER,
        obj=reg,
        changes={"class": str(klass.pk), "person": str(person.pk), "new": new_person is not None},
    )
    return reg


@transaction.atomic
def class_attendance_set(*, actor: Any, klass: ClassEvent, present: Iterable[UUID]) -> int:
    """The phone's tick list: the registered people in ``present`` attended, the others did not.
    Returns how many attended. People not registered are refused (``not_registered``)."""
    if not can_work_class(actor, klass):
        raise NotFound()
    wanted = set(present)
    regs = {r.person_id: r for r in ClassRegistration.objects.filter(klass=klass)}
    if wanted - regs.keys():
        raise DomainError(
            ClassError.NOT_REGISTERED, _("Only registered people can be ticked."), "present"
        )
    changed = [r for pid, r in regs.items() if r.attended != (pid in wanted)]
    for r in changed:
        r.attended = r.person_id in wanted
    ClassRegistration.objects.bulk_update(changed, ["attended"])
    if changed:
        audit_record(
            actor=actor,
            action=AuditAction.CLASS_ATTENDANCE,
            obj=klass,
            changes={
                "present": sorted(str(p) for p in wanted),
                "changed": len(changed),
            },
        )
    hooks.network_changed.send(communes=[klass.commune_id])
    return len(wanted)


@transaction.atomic
def class_gains_record(
    *, actor: Any, klass: ClassEvent, gains: Sequence[tuple[UUID, str]]
) -> list[ClassGain]:
    """Mark that attendees gained topic skills: ``gains`` is (person id, skill code) pairs. Each
    becomes a skill event (channel "class", helped by the organiser, dated the class's day) with
    the id :func:`gain_uuid`; a replay returns the stored gains and records nothing."""
    if not can_work_class(actor, klass):
        raise NotFound()
    day = timezone.localtime(klass.starts_at).date()
    if day > timezone.localdate():
        raise DomainError(
            ClassError.CLASS_NOT_HELD, _("Skills are marked once the class has taken place.")
        )
    topic = {s.code: s for s in klass.skills.all()}
    regs = {
        r.person_id: r
        for r in ClassRegistration.objects.filter(klass=klass).select_related("person__household")
    }
    wanted: dict[UUID, tuple[Person, Skill]] = {}
    for person_id, code in gains:
        reg = regs.get(person_id)
        if reg is None:
            raise DomainError(ClassError.NOT_REGISTERED, _("This person is not registered."))
        if not reg.attended:
            raise DomainError(ClassError.NOT_ATTENDED, _("This person did not attend."))
        if code not in topic:
            raise DomainError(
                ClassError.SKILL_NOT_TOPIC, _("This skill is not a topic of the class."), "skill"
            )
        wanted[gain_uuid(klass.pk, person_id, code)] = (reg.person, topic[code])
    stored = {g.pk: g for g in ClassGain.objects.filter(pk__in=wanted)}
    new = {k: v for k, v in wanted.items() if k not in stored}
    if not new:
        return [stored[k] for k in wanted]
    events = skill_events_record_batch(
        actor=actor,
        allowed=lambda who, _person: may_act_for_attendees(who, klass),
        events=[
            EventInput(
                id=k,
                person=p,
                skill=s,
                happened_on=day,
                channel=Channel.CLASS,
                helped_by=klass.organiser,
            )
            for k, (p, s) in new.items()
        ],
    )
    by_id = {e.pk: e for e in events}
    created = ClassGain.objects.bulk_create(
        [
            ClassGain(
                id=k,
                klass=klass,
                person=p,
                skill=s,
                event=by_id[k],
                marked_by=user_or_none(actor),
            )
            for k, (p, s) in new.items()
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CLASS_GAINS,
        obj=klass,
        changes={"gains": [[str(p.pk), s.code] for p, s in new.values()]},
    )
    stored.update({g.pk: g for g in created})
    return [stored[k] for k in wanted]
