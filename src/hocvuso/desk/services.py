"""Writes of the support desk: logging a visit (idempotent on the client's UUID v7).

A visit names a person of the commune — found at the desk, or added on the spot — the procedure,
the outcome and whether the person can now do it alone; "can do it alone" records the
``dvc.online`` skill event (channel ``support_desk``) in the same transaction, under an id derived
from the visit's id, so a replayed visit never records it twice.

Adding a person on the spot: desk staff do not keep the registry, but registering the citizen in
front of them is part of their job. The new person goes through
:func:`hocvuso.registry.services.person_register` (same validation, same CCCD rules, same audit row
under the staff's name) into either a household picked from the search results (one of the
commune's households the staff can see) or a new household made by
:func:`~hocvuso.registry.services.household_create` with the generated code ``QUAY-<8 hex digits
of the visit id>`` (``quầy``: the desk), which the commune officer can rename and complete later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from hocvuso.access.desk import ensure_desk
from hocvuso.core import hooks
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import CoreError, DomainError, NotFound
from hocvuso.core.ids import IdScheme, derived_id
from hocvuso.core.text import clean
from hocvuso.desk.models import DeskVisit, Outcome
from hocvuso.desk.procedures import BY_CODE
from hocvuso.geo.models import Commune
from hocvuso.registry.models import Household, Person
from hocvuso.registry.purposes import Purpose, processing_check
from hocvuso.registry.services import household_create, person_register, walk_in_check
from hocvuso.skills.models import Channel, Skill
from hocvuso.skills.services import skill_event_record

VISIT_CONTENT = ("commune_id", "procedure", "outcome", "can_do_alone", "note", "happened_at")


@dataclass(frozen=True)
class NewPerson:
    """A citizen added at the desk. ``household``: one of the commune's; empty: a new one."""

    full_name: str
    sex: str
    birth_year: int | None = None
    birth_date: dt.date | None = None
    phone: str = ""
    cccd: str = ""
    household: Household | None = None
    # The helper saw the matches offered (registry.walk_in_check) and says it is someone new.
    confirmed_new: bool = False


def household_code_for(visit_id: UUID) -> str:
    """The code of the household made at the desk for a new person (deterministic: a replay
    of the visit finds it rather than making another)."""
    return f"QUAY-{visit_id.hex[-8:].upper()}"


def skill_event_id_for(visit_id: UUID) -> UUID:
    """The id of the skill event a visit records: a UUID v7 with the visit's timestamp and the
    rest taken from a hash of the visit id — the same visit always gives the same event id."""
    return derived_id(IdScheme.TIMED, "hocvuso.desk.skill:", namespace=visit_id)


def _same(visit: DeskVisit, values: dict[str, Any]) -> bool:
    return all(getattr(visit, name) == values[name] for name in VISIT_CONTENT)


def _conflict() -> DomainError:
    return DomainError(
        CoreError.EVENT_CONFLICT, _("Another record with this identifier is already stored."), "id"
    )


@sensitive_variables("new_person")
@transaction.atomic
def desk_visit_record(
    *,
    actor: Any,
    id: UUID,
    commune: Commune,
    procedure: str,
    outcome: str,
    person: Person | None = None,
    new_person: NewPerson | None = None,
    can_do_alone: bool = False,
    note: str = "",
    happened_at: dt.datetime | None = None,
) -> DeskVisit:
    """Log one citizen helped at the commune's desk. Idempotent on ``id``: the same visit sent
    again returns the stored one (``replayed``), different content under the same id raises
    ``event_conflict``. Exactly one of ``person`` and ``new_person``."""
    ensure_desk(actor, commune.code, write=True)
    if (person is None) == (new_person is None):
        raise DomainError(
            CoreError.REQUIRED, _("Choose a person from the search or add a new one."), "person"
        )
    if person is not None and person.commune_id != commune.code:
        raise NotFound()
    if procedure not in BY_CODE:
        raise DomainError(CoreError.INVALID, _("Choose a procedure from the list."), "procedure")
    if outcome not in Outcome.values:
        raise DomainError(CoreError.INVALID, _("Choose the outcome."), "outcome")
    happened_at = happened_at or timezone.now()
    if timezone.is_naive(happened_at):
        raise DomainError(CoreError.INVALID, _("The time needs a time zone."), "happened_at")
    if happened_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError(CoreError.INVALID, _("The time cannot be in the future."), "happened_at")
    values: dict[str, Any] = {
        "commune_id": commune.code,
        "procedure": procedure,
        "outcome": outcome,
        "can_do_alone": bool(can_do_alone),
        "note": clean(note),
        "happened_at": happened_at.replace(microsecond=0),
    }
    # One desk at a time per commune: a replay racing its original waits, then finds it.
    list(Commune.objects.select_for_update().filter(pk=commune.code).values_list("pk"))
    existing = DeskVisit.objects.filter(pk=id).select_related("person").first()
    if existing is not None:
        same_person = (
            existing.person_id == person.pk
            if person is not None
            else new_person is not None and existing.person.full_name == clean(new_person.full_name)
        )
        if not (same_person and _same(existing, values)):
            raise _conflict()
        existing.replayed = True  # type: ignore[attr-defined]
        return existing
    if new_person is not None:
        person = _register(actor, id, commune, new_person)
    assert person is not None
    processing_check(person, Purpose.SKILLS)
    staff = user_or_none(actor)
    visit = DeskVisit(id=id, person=person, staff=staff, **values)
    if visit.can_do_alone:
        visit.skill_event = skill_event_record(
            actor=actor,
            id=skill_event_id_for(id),
            person=person,
            skill=Skill.objects.get(code=BY_CODE[procedure].skill),
            happened_on=timezone.localdate(values["happened_at"]),
            channel=Channel.SUPPORT_DESK,
            helped_by=staff,
            note=BY_CODE[procedure].name_vi,
        )
    visit.save(force_insert=True)
    audit_record(
        actor=actor,
        action=AuditAction.DESK_VISIT_RECORD,
        obj=visit,
        changes={
            "person": str(person.pk),
            "procedure": procedure,
            "outcome": outcome,
            "can_do_alone": visit.can_do_alone,
            "happened_at": visit.happened_at.isoformat(),
        },
    )
    visit.replayed = False  # type: ignore[attr-defined]
    hooks.network_changed.send(communes=[visit.commune_id])
    return visit


@sensitive_variables("new_person")
def _register(actor: Any, visit_id: UUID, commune: Commune, new_person: NewPerson) -> Person:
    household = new_person.household
    if household is not None and household.commune_id != commune.code:
        raise NotFound()
    walk_in_check(
        actor=actor,
        commune=commune,
        full_name=new_person.full_name,
        birth_year=new_person.birth_date.year if new_person.birth_date else new_person.birth_year,
        household=household,
        phone=new_person.phone,
        cccd=new_person.cccd,
        confirmed_new=new_person.confirmed_new,
    )
    relationship = ""
    if household is None:
        relationship = "head"  # alone in a new household: its head
        household = household_create(
            actor=actor, commune=commune, code=household_code_for(visit_id)
        )
    elif household.commune_id != commune.code:
        raise NotFound()
    return person_register(
        actor=actor,
        household=household,
        full_name=new_person.full_name,
        sex=new_person.sex,
        birth_year=new_person.birth_year,
        birth_date=new_person.birth_date,
        phone=new_person.phone,
        cccd=new_person.cccd,
        relationship=relationship,
    )
