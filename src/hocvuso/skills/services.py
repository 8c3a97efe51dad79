"""Writes of the skill framework: skill events (append-only, idempotent on the client's UUID v7),
their reversals, each person's derived status (updated in the event's transaction), the rebuild
of every status from the events, and catalogue edits by national admins.

Who may record or reverse an event for a person: :func:`hocvuso.core.access.can_record_skills`
(commune officers and desk staff of the person's commune, team members over the household's
village, national admins). Everyone else gets not-found, as everywhere in hocvuso.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.access.skills import can_edit_catalogue, can_record_skills
from hocvuso.core import hooks
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import AuditAction, audit_record, diff, snapshot
from hocvuso.core.batch import Outcome
from hocvuso.core.bulk import RawJson, insert_rows
from hocvuso.core.context import current_request_id
from hocvuso.core.errors import CoreError, DomainError, NotFound, ensure
from hocvuso.core.models import AuditLog
from hocvuso.core.text import clean
from hocvuso.registry.models import Person
from hocvuso.registry.purposes import Purpose, processing_check
from hocvuso.skills.errors import SkillsError
from hocvuso.skills.facts import (
    skill_sets,
)
from hocvuso.skills.models import Channel, Skill, SkillEvent, SkillSet
from hocvuso.skills.status import status_extend, status_refresh
from hocvuso.skills.tasks import refresh_statuses

# The content of an event: a replay of the same id must carry exactly these values.
EVENT_CONTENT = (
    "person",
    "skill",
    "happened_on",
    "channel",
    "helped_by",
    "verified_by",
    "note",
    "reverses",
)


# --- Status: derived from the events ----------------------------------------------------------


def _lock_person(person: Person) -> None:
    """Serialise the writes of one person's events (their status is recomputed after each)."""
    list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True))


# --- Events ---------------------------------------------------------------------------------


def _same_content(event: SkillEvent, values: dict[str, Any]) -> bool:
    for name in EVENT_CONTENT:
        field = SkillEvent._meta.get_field(name)
        stored = getattr(event, getattr(field, "attname", name))
        wanted = values[name]
        if hasattr(wanted, "_meta"):  # a model instance: compare keys
            wanted = wanted.pk
        if stored != wanted:
            return False
    return True


def _existing(id: UUID, values: dict[str, Any]) -> SkillEvent | None:
    """The event already stored under ``id``: returned (marked replayed) when its content is the
    same; a different content under the same id is a conflict."""
    event = SkillEvent.objects.filter(pk=id).first()
    if event is None:
        return None
    if not _same_content(event, values):
        raise DomainError(
            CoreError.EVENT_CONFLICT,
            _("Another record with this identifier is already stored."),
            "id",
        )
    event.replayed = True
    return event


def _insert(event: SkillEvent, values: dict[str, Any]) -> SkillEvent | None:
    """Insert; on a concurrent insert of the same id, the stored event (or a conflict)."""
    try:
        with transaction.atomic():
            event.save(force_insert=True)
    except IntegrityError:
        return _existing(event.pk, values)
    return None


@dataclass(frozen=True, slots=True)
class HouseholdRef:
    pk: Any
    village_id: Any


@dataclass(frozen=True, slots=True)
class PersonRef:
    """What the rules of an event read of a person (scope, processing), read as one tuple per
    person instead of a model instance: a batch of thousands of events builds none."""

    pk: Any
    commune_id: str
    household_id: Any
    household: HouseholdRef
    erased_at: Any
    restricted_at: Any
    purposes_withheld: Any
    purposes_consented: Any


def person_refs(ids: Iterable[Any]) -> dict[Any, PersonRef]:
    """The :class:`PersonRef` of each person of ``ids`` found, in one query."""
    return {
        pk: PersonRef(pk, commune, household, HouseholdRef(household, village), *rest)
        for pk, commune, household, village, *rest in Person.objects.filter(
            pk__any=list(ids)
        ).values_list(
            "pk",
            "commune_id",
            "household_id",
            "household__village_id",
            "erased_at",
            "restricted_at",
            "purposes_withheld",
            "purposes_consented",
        )
    }


@dataclass(frozen=True)
class EventInput:
    """One event of a batch (see :func:`skill_events_record_batch`)."""

    id: UUID
    person: Person | PersonRef
    skill: Skill
    happened_on: dt.date
    channel: str
    helped_by: Any = None
    verified_by: Any = None
    note: str = ""


Allowed = Callable[[Any, Any], bool]  # (actor, a Person or a PersonRef)


def _validate(actor: Any, e: EventInput, today: dt.date, allowed: Allowed) -> dict[str, Any]:
    """The rules every recorded event meets (single or batch), and its stored content."""
    if not allowed(actor, e.person):
        raise NotFound()
    processing_check(e.person, Purpose.SKILLS)
    if e.channel not in Channel.values:
        raise DomainError(CoreError.INVALID, _("Choose how the skill was gained."), "channel")
    if not e.skill.is_active:
        raise DomainError(
            SkillsError.UNKNOWN_SKILL, _("This skill is no longer recorded."), "skill"
        )
    if e.happened_on > today:
        raise DomainError(CoreError.INVALID, _("The date cannot be in the future."), "happened_on")
    verified_by = e.verified_by
    if e.channel == Channel.VERIFIED_AT_CHECK and verified_by is None:
        verified_by = user_or_none(actor)
    return {
        "person": e.person,
        "skill": e.skill,
        "happened_on": e.happened_on,
        "channel": e.channel,
        "helped_by": e.helped_by,
        "verified_by": verified_by,
        "note": clean(e.note),
        "reverses": None,
    }


def _audit_rows(actor: Any, events: Sequence[SkillEvent]) -> list[AuditLog]:
    request_id = current_request_id() or ""
    return [
        AuditLog(
            actor=user_or_none(actor),
            action=AuditAction.SKILL_EVENT_RECORD,
            object_type=SkillEvent._meta.label_lower,
            object_id=str(ev.pk),
            changes={
                "person": str(ev.person_id),
                "skill": ev.skill.code,
                "happened_on": ev.happened_on.isoformat(),
                "channel": ev.channel,
            },
            request_id=request_id,
        )
        for ev in events
    ]


@transaction.atomic
def skill_event_record(
    *,
    actor: Any,
    id: UUID,
    person: Person,
    skill: Skill,
    happened_on: dt.date,
    channel: str,
    helped_by: Any = None,
    verified_by: Any = None,
    note: str = "",
    allowed: Allowed = can_record_skills,
) -> SkillEvent:
    """Record that ``person`` gained ``skill``. Idempotent on ``id`` (the client's UUID v7):
    the same id with the same content returns the stored event unchanged (``replayed``), with
    different content raises ``event_conflict``. The person's status is updated in the same
    transaction. ``allowed`` is the policy rule that lets the actor record for the person
    (:func:`hocvuso.access.skills.can_record_skills` unless a programme's own rule applies,
    such as the class's :func:`hocvuso.access.classes.may_act_for_attendees`)."""
    values = _validate(
        actor,
        EventInput(id, person, skill, happened_on, channel, helped_by, verified_by, note),
        timezone.localdate(),
        allowed,
    )
    existing = _existing(id, values)
    if existing is not None:
        return existing
    _lock_person(person)
    event = SkillEvent(id=id, recorded_by=user_or_none(actor), **values)
    stored = _insert(event, values)
    if stored is not None:
        return stored
    status_refresh([person.pk], sets=skill_sets(), create_empty=True)
    AuditLog.objects.bulk_create(_audit_rows(actor, [event]))
    return event


# The columns of an event as the batch writes them (plain tuples, no model instance per row).
EVENT_COLUMNS = (
    "id",
    "person_id",
    "skill_id",
    "happened_on",
    "channel",
    "helped_by_id",
    "verified_by_id",
    "note",
    "reverses_id",
    "recorded_by_id",
)
AUDIT_COLUMNS = ("actor_id", "action", "object_type", "object_id", "changes", "request_id")


def _batch_rows(
    actor: Any, events: Sequence[EventInput], allowed: Allowed
) -> list[tuple[Any, ...]]:
    """The rules of :func:`_validate` for a batch, each person's (scope, processing) checked
    once however many events they have, and each event's stored row as a tuple of
    :data:`EVENT_COLUMNS`. The first event that breaks a rule raises its error."""
    today = timezone.localdate()
    channels = frozenset(Channel.values)
    recorder = user_or_none(actor)
    recorder_id = recorder.pk if recorder is not None else None
    people: dict[Any, DomainError | None] = {}
    rows: list[tuple[Any, ...]] = []
    for e in events:
        person = e.person
        if person.pk not in people:
            refused = None
            try:
                if not allowed(actor, person):
                    raise NotFound()
                processing_check(person, Purpose.SKILLS)
            except DomainError as exc:
                refused = exc
            people[person.pk] = refused
        refused = people[person.pk]
        if refused is not None:
            raise refused
        if e.channel not in channels:
            raise DomainError(CoreError.INVALID, _("Choose how the skill was gained."), "channel")
        if not e.skill.is_active:
            raise DomainError(
                SkillsError.UNKNOWN_SKILL, _("This skill is no longer recorded."), "skill"
            )
        if e.happened_on > today:
            raise DomainError(
                CoreError.INVALID, _("The date cannot be in the future."), "happened_on"
            )
        verified_by = e.verified_by
        if e.channel == Channel.VERIFIED_AT_CHECK and verified_by is None:
            verified_by = recorder
        rows.append(
            (
                e.id,
                person.pk,
                e.skill.pk,
                e.happened_on,
                e.channel,
                getattr(e.helped_by, "pk", e.helped_by),
                getattr(verified_by, "pk", verified_by),
                clean(e.note) if e.note else "",
                None,
                recorder_id,
            )
        )
    return rows


def _same_row(event: SkillEvent, row: tuple[Any, ...]) -> bool:
    """A stored event against a batch's row of the same id (the content of
    :data:`EVENT_CONTENT`)."""
    stored = (
        event.person_id,
        event.skill_id,
        event.happened_on,
        event.channel,
        event.helped_by_id,
        event.verified_by_id,
        event.note,
        event.reverses_id,
    )
    return stored == row[1:9]


def _events_write(
    actor: Any, events: Sequence[EventInput], allowed: Allowed
) -> tuple[list[tuple[Any, ...]], dict[Any, SkillEvent]]:
    """The set-based write of :func:`skill_events_record_batch`: the rows of ``events`` (in
    order) and the events already stored under their ids (replays, left as they are)."""
    rows = _batch_rows(actor, events, allowed)
    person_ids = sorted({row[1] for row in rows})
    # Serialise the writes of these people's events (their status is recomputed below).
    list(Person.objects.select_for_update().filter(pk__any=person_ids).values_list("pk", flat=True))
    stored = {x.pk: x for x in SkillEvent.objects.filter(pk__any=[row[0] for row in rows])}
    new: list[tuple[Any, ...]] = []
    taken: dict[Any, tuple[Any, ...]] = {}
    for row in rows:
        existing = stored.get(row[0])
        first = taken.get(row[0])
        if (existing is not None and not _same_row(existing, row)) or (
            first is not None and first[1:9] != row[1:9]
        ):
            raise DomainError(
                CoreError.EVENT_CONFLICT,
                _("Another record with this identifier is already stored."),
                "id",
            )
        if existing is None and first is None:
            taken[row[0]] = row
            new.append(row)
    if new:
        codes = {e.skill.pk: e.skill.code for e in events}
        request_id = current_request_id() or ""
        actor_id = getattr(user_or_none(actor), "pk", None)
        label = SkillEvent._meta.label_lower
        action = str(AuditAction.SKILL_EVENT_RECORD)
        insert_rows(SkillEvent, EVENT_COLUMNS, new)
        # The audit rows' changes encoded once per skill and channel (ids and dates need no
        # escaping): the same JSON as json.dumps of the dict, without building 10,000 dicts.
        quoted = {k: json.dumps(code) for k, code in codes.items()}
        channels = {c: json.dumps(str(c)) for c in {row[4] for row in new}}
        insert_rows(
            AuditLog,
            AUDIT_COLUMNS,
            [
                (
                    actor_id,
                    action,
                    label,
                    str(row[0]),
                    RawJson(
                        f'{{"person": "{row[1]}", "skill": {quoted[row[2]]}, '
                        f'"happened_on": "{row[3].isoformat()}", "channel": {channels[row[4]]}}}'
                    ),
                    request_id,
                )
                for row in new
            ],
        )
        status_extend([(row[1], codes[row[2]], row[3]) for row in new], sets=skill_sets())
    return rows, stored


@transaction.atomic
def skill_events_record_batch(
    *,
    actor: Any,
    events: Sequence[EventInput],
    allowed: Allowed = can_record_skills,
    returning: bool = True,
) -> list[SkillEvent]:
    """Record many events at once (a field device's sync batch, a bulk load), set-based: each
    person checked once (scope, processing), one query for the ids already stored, one
    ``COPY`` (PostgreSQL) of the new events and one of their audit rows — plain tuples, no model
    instance per row —, one status refresh for the people touched, the dashboards' summaries
    brought up to date by it in the same transaction. Same rules, the same ``allowed`` and the
    same idempotency as :func:`skill_event_record`; one event out of scope or invalid refuses
    the whole batch. Returns the events in order (a replay: the stored one, ``replayed``);
    ``returning=False`` (a caller that needs no instances back, such as a visit batch): an
    empty list."""
    rows, stored = _events_write(actor, events, allowed)
    if not returning:
        return []
    out: list[SkillEvent] = []
    made: dict[Any, SkillEvent] = {}
    for e, row in zip(events, rows, strict=True):
        existing = stored.get(row[0])
        if existing is not None:
            existing.replayed = True
            out.append(existing)
            continue
        event = made.get(row[0])
        if event is None:
            event = SkillEvent(**dict(zip(EVENT_COLUMNS, row, strict=True)))
            event._state.adding = False
            if isinstance(e.person, Person):
                event.person = e.person
            event.skill = e.skill
            made[row[0]] = event
        out.append(event)
    return out


@transaction.atomic
def skill_events_record_each(
    *, actor: Any, events: Sequence[EventInput], allowed: Allowed = can_record_skills
) -> list[Outcome]:
    """Like :func:`skill_events_record_batch`, but a field device's batch: each event answered
    on its own (an :class:`~hocvuso.core.batch.Outcome`), an invalid or out-of-scope event
    refused without stopping the others, a replay returned as such, the same id with other
    content refused with ``event_conflict``. The same fixed number of queries."""
    today = timezone.localdate()
    out: list[Outcome] = [Outcome() for _ in events]
    stored = {x.pk: x for x in SkillEvent.objects.filter(pk__any=[e.id for e in events])}
    valid: list[tuple[int, EventInput]] = []
    seen: dict[UUID, dict[str, Any]] = {}
    for i, e in enumerate(events):
        try:
            values = _validate(actor, e, today, allowed)
            existing = stored.get(e.id)
            if existing is not None or e.id in seen:
                if existing is not None and not _same_content(existing, values):
                    raise DomainError(
                        CoreError.EVENT_CONFLICT,
                        _("Another record with this identifier is already stored."),
                        "id",
                    )
                if existing is None and seen[e.id] != values:
                    raise DomainError(
                        CoreError.EVENT_CONFLICT,
                        _("Another record with this identifier is already stored."),
                        "id",
                    )
                out[i] = Outcome(obj=existing, replayed=True)
                continue
        except DomainError as exc:
            out[i] = Outcome.refused(exc)
            continue
        seen[e.id] = values
        valid.append((i, e))
    if valid:
        recorded = skill_events_record_batch(
            actor=actor, events=[e for _, e in valid], allowed=allowed
        )
        for (i, _e), event in zip(valid, recorded, strict=True):
            out[i] = Outcome(obj=event, replayed=getattr(event, "replayed", False))
    return out


@transaction.atomic
def skill_event_reverse(
    *, actor: Any, event: SkillEvent, reason: str, id: UUID, allowed: Allowed = can_record_skills
) -> SkillEvent:
    """Withdraw ``event`` (recorded by mistake) with a reversing event carrying ``reason``.
    Idempotent on ``id``; an event is reversed at most once; a reversal is not reversed (record
    the skill again instead). ``allowed`` as for :func:`skill_event_record`."""
    person = event.person
    if not allowed(actor, person):
        raise NotFound()
    reason = clean(reason)
    if not reason:
        raise DomainError(CoreError.REQUIRED, _("Say why this record is wrong."), "reason")
    today = timezone.localdate()
    values = {
        "person": person,
        "skill": event.skill,
        "happened_on": today,
        "channel": event.channel,
        "helped_by": None,
        "verified_by": None,
        "note": reason,
        "reverses": event,
    }
    stored = SkillEvent.objects.filter(pk=id).first()
    if stored is not None:
        if stored.reverses_id == event.pk and stored.note == reason:
            stored.replayed = True
            return stored
        raise DomainError(
            CoreError.EVENT_CONFLICT,
            _("Another record with this identifier is already stored."),
            "id",
        )
    if event.reverses_id is not None:
        raise DomainError(CoreError.INVALID, _("A correction cannot be reversed."), "event")
    _lock_person(person)
    if SkillEvent.objects.filter(reverses=event).exists():
        raise DomainError(SkillsError.ALREADY_REVERSED, _("This record was already withdrawn."))
    reversal = SkillEvent(id=id, recorded_by=user_or_none(actor), **values)
    try:
        with transaction.atomic():
            reversal.save(force_insert=True)
    except IntegrityError:
        raise DomainError(
            SkillsError.ALREADY_REVERSED, _("This record was already withdrawn.")
        ) from None
    status_refresh([person.pk], sets=skill_sets(), create_empty=True)
    hooks.skill_event_reversed.send(actor=actor, event=event, reversal=reversal)
    audit_record(
        actor=actor,
        action=AuditAction.SKILL_EVENT_REVERSE,
        obj=reversal,
        changes={
            "reverses": str(event.pk),
            "person": str(person.pk),
            "skill": event.skill.code,
        },
    )
    return reversal


# --- The catalogue (national admins) ----------------------------------------------------------

SKILL_EDITABLE = (
    "name_vi",
    "name_en",
    "description_vi",
    "description_en",
    "level",
    "programmes",
    "order",
    "is_active",
)


def _ensure_national(actor: Any) -> None:
    ensure(can_edit_catalogue(actor))


@transaction.atomic
def skill_update(*, actor: Any, skill: Skill, **values: Any) -> Skill:
    """Edit a skill's names, description, level, programmes or activity (national admins).
    Codes and areas never change: events refer to them."""
    _ensure_national(actor)
    unknown = set(values) - set(SKILL_EDITABLE)
    if unknown:
        raise DomainError(
            CoreError.INVALID, _("These fields cannot be changed."), sorted(unknown)[0]
        )
    before = snapshot(skill, SKILL_EDITABLE)
    for name, value in values.items():
        setattr(skill, name, value)
    skill.full_clean()
    skill.save(update_fields=[*values])
    changes = diff(before, snapshot(skill, SKILL_EDITABLE))
    if changes:
        audit_record(actor=actor, action=AuditAction.SKILL_UPDATE, obj=skill, changes=changes)
    return skill


@transaction.atomic
def skill_set_members_set(*, actor: Any, skill_set: SkillSet, codes: Iterable[str]) -> SkillSet:
    """Set the members of a skill set (national admins). Everyone's status depends on the sets
    (who holds the basic set, which T): once the change is committed, a background job
    recomputes the statuses of the set's scope (its province, or the nation) in batches, and
    the dashboards follow each batch (:mod:`hocvuso.skills.tasks`)."""
    _ensure_national(actor)
    wanted = sorted(set(codes))
    skills = list(Skill.objects.filter(code__in=wanted))
    if len(skills) != len(wanted):
        raise DomainError(SkillsError.UNKNOWN_SKILL, _("Unknown skill code."), "codes")
    before = sorted(skill_set.skills.values_list("code", flat=True))
    skill_set.skills.set(skills)
    if before != wanted:
        audit_record(
            actor=actor,
            action=AuditAction.SKILL_SET_UPDATE,
            obj=skill_set,
            changes={"skills": [before, wanted]},
        )
        province = skill_set.province_id
        transaction.on_commit(lambda: refresh_statuses.enqueue(province))
    return skill_set
