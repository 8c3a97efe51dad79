"""The sync protocol's writes: registering a device, and applying a pushed batch.

**A push** (:func:`push_apply`) is one transaction. The device's row is locked first, so two
batches of one device (a resend racing its original) are applied one after the other; a server
killed in the middle commits nothing and the device sends the batch again. Then, with a fixed
number of queries whatever the batch's length:

1. each record's envelope is checked (id, sequence number, kind, time made on the phone);
2. the records already received are found in one query of :class:`~hocvuso.sync.models.SyncRecord`
   by their ids: the same content hash is a ``duplicate`` (answered with what the first answer
   was), another hash a ``conflict`` (``event_conflict``) — neither written again;
3. sequence numbers continue the device's: the next expected one is taken, a later one waits
   (``sequence_gap``, to send again once the missing ones arrived), an earlier one not received
   is ``sequence_reused``;
4. the new records are handed, kind by kind in :data:`~hocvuso.sync.kinds.SCHEMAS`' order, to
   their domain's services — set-based batch services for the hot kinds (visits, claims, skill
   events), the single services inside a savepoint each for the rarer ones — which apply the
   same rules, scope and audit as online; a refused record is answered ``rejected`` with its
   code and field and changes nothing;
5. every record applied or refused is logged with its hash and sequence number, in one insert,
   and the device's last sequence number, time and pending count are written.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from hocvuso.access.registry import household_q, person_q
from hocvuso.access.sync import (
    can_use_field_app,
    can_watch_devices,
    field_communes,
    may_place_household,
)
from hocvuso.access.units import can_edit_commune
from hocvuso.accounts.services.tokens import token_create
from hocvuso.classes.models import ClassEvent
from hocvuso.classes.services import class_attendance_set, class_gains_record
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.batch import Outcome
from hocvuso.core.bulk import bulk_insert
from hocvuso.core.context import current_request_id, reset_request_id, set_request_id
from hocvuso.core.errors import CoreError, DomainError, Kind, NotFound
from hocvuso.desk.services import desk_visit_record
from hocvuso.geo.models import Commune, Village
from hocvuso.outreach.services import family_guide_set
from hocvuso.registry.models import Household, Person
from hocvuso.registry.services import (
    household_create,
    household_update,
    person_update,
)
from hocvuso.registry.services import merges as registry_merges
from hocvuso.skills.models import Channel, Skill
from hocvuso.skills.services import EventInput, skill_events_record_each
from hocvuso.sync.errors import SyncError
from hocvuso.sync.kinds import HOUSEHOLD_EDITABLE, PERSON_EDITABLE, SCHEMAS, Envelope
from hocvuso.sync.models import Conflict, ConflictStatus, Device, RecordStatus, SyncRecord
from hocvuso.teams.services import ClaimIn, VisitIn, claims_take_batch, visits_record_batch

# What a device may say a skill was gained through on its own (the class channel comes with a
# class's attendance, a back-check's with the check).
DEVICE_CHANNELS = frozenset({Channel.HOME_VISIT, Channel.SUPPORT_DESK, Channel.MENTORING})


def batch_limit() -> int:
    return int(getattr(settings, "HOCVUSO_SYNC_BATCH_MAX", 500))


def max_age() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "HOCVUSO_SYNC_MAX_AGE_DAYS", 366)))


FUTURE_SLACK = dt.timedelta(minutes=10)  # a phone's clock a little ahead


# --- Devices ------------------------------------------------------------------------------------


@transaction.atomic
def device_register(*, actor: Any, name: str) -> tuple[Device, str]:
    """Register a field app of ``actor``: a device token of its own (``accounts``: shown once,
    stored hashed, expiring, revocable) and its device row. Without a role the field app works
    for (a team, the desk, youth classes, a commune's registry), not-found."""
    if not can_use_field_app(actor):
        raise NotFound()
    token, secret = token_create(actor=actor, name=name or _("Field app"))
    communes = field_communes(actor)
    device = Device.objects.create(
        user=actor, token=token, name=token.name, commune_id=communes[0] if communes else None
    )
    return device, secret


def device_pulled(*, device: Device, more: bool) -> None:
    """A pull page went out: the device's last pull (when its last page did) is recorded."""
    if not more:
        Device.objects.filter(pk=device.pk).update(last_pull_at=timezone.now())


# --- Push ---------------------------------------------------------------------------------------


@dataclass
class Item:
    """One record of a batch as it goes through the push."""

    index: int
    env: Envelope
    hash: str
    data: Any = None
    outcome: Outcome | None = None
    conflict: dict[str, Any] | None = None  # a stale edit: the conflict to store


@dataclass
class Answer:
    id: str | None
    seq: int | None
    status: str  # accepted | duplicate | conflict | rejected
    code: str = ""
    field: str | None = None
    message: str = ""
    retry: bool = False  # send it again later (a sequence gap): nothing was wrong with it
    was: str | None = None  # a duplicate: what the first answer was


@dataclass
class PushResult:
    answers: list[Answer]
    last_seq: int
    counts: dict[str, int] = field(default_factory=dict)


def content_hash(raw: dict[str, Any]) -> str:
    """SHA-256 of the record's kind, time and data as canonical JSON (sorted keys): the same
    record sent again has the same hash whatever the order of its keys."""
    canonical = json.dumps(
        {"kind": raw.get("kind"), "at": raw.get("at"), "data": raw.get("data")},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _wrong_type(exc: ValidationError, prefix: str = "") -> DomainError:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in (prefix, *first.get("loc", ())) if p != "")
    return DomainError(
        SyncError.WRONG_TYPE,
        _("The field %(field)s is missing or has the wrong type.") % {"field": where},
        where,
    )


def _refusal(
    raw: Any, index: int, error: DomainError, *, retry: bool = False
) -> tuple[int, Answer]:
    rid = raw.get("id") if isinstance(raw, dict) else None
    seq = raw.get("seq") if isinstance(raw, dict) else None
    return index, Answer(
        id=str(rid) if rid is not None else None,
        seq=seq if isinstance(seq, int) else None,
        status="rejected",
        code=str(error.code),
        field=error.field,
        message=error.message,
        retry=retry,
    )


def _check_time(
    at: dt.datetime, now: dt.datetime, name: str, oldest: dt.timedelta | None = None
) -> None:
    oldest = oldest or max_age()
    if at > now + FUTURE_SLACK:
        raise DomainError(
            SyncError.TIME_IN_FUTURE,
            _("The time is in the future: check the phone's clock."),
            name,
        )
    if at < now - oldest:
        raise DomainError(
            SyncError.TIME_TOO_OLD,
            _("The record is more than %(days)s days old.") % {"days": oldest.days},
            name,
        )


def push_parse(body: bytes) -> tuple[list[Any], int | None]:
    """The records of a push body and the pending count the device reports; a body that is
    not JSON, not an object with a list of records, or longer than the limit, refuses the whole
    batch (nothing of it is applied)."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise DomainError(SyncError.NOT_JSON, _("The batch is not valid JSON.")) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("records"), list):
        raise DomainError(
            SyncError.BAD_BATCH, _("The batch must be an object with a list of records."), "records"
        )
    records = payload["records"]
    limit = batch_limit()
    if len(records) > limit:
        raise DomainError(
            SyncError.BATCH_TOO_LARGE,
            _("A batch holds at most %(limit)s records; this one has %(count)s.")
            % {"limit": limit, "count": len(records)},
            "records",
        )
    pending = payload.get("pending")
    if pending is not None and (
        not isinstance(pending, int) or isinstance(pending, bool) or pending < 0
    ):
        raise DomainError(
            SyncError.WRONG_TYPE, _("The field pending must be a whole number."), "pending"
        )
    return records, pending


def device_tag(device: Device) -> str:
    """What the audit rows of a push carry as their request id: the request's own id and the
    device's, so the audit trail names the device as well as the actor."""
    return f"{(current_request_id() or '')[:20]}@dev:{device.pk.hex}"


def push_apply(*, device: Device, records: Sequence[Any], pending: int | None = None) -> PushResult:
    """Apply a batch pushed by ``device`` (see the module's docstring). Every record gets one
    answer, in the order sent; every audit row written names the device (:func:`device_tag`)."""
    token = set_request_id(device_tag(device))
    # A batch makes tens of thousands of short-lived objects and no cycle worth collecting
    # before it ends: the cyclic collector is paused for its length (it took a fifth of it).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _push_apply(device=device, records=records, pending=pending)
    finally:
        if collecting:
            gc.enable()
        reset_request_id(token)


@transaction.atomic
def _push_apply(*, device: Device, records: Sequence[Any], pending: int | None) -> PushResult:
    now = timezone.now()
    actor = device.user
    device = Device.objects.select_for_update().get(pk=device.pk)
    answers: dict[int, Answer] = {}
    items: list[Item] = []
    for index, raw in enumerate(records):
        if not isinstance(raw, dict):
            answers.__setitem__(*_refusal(raw, index, _bad_record()))
            continue
        try:
            env = Envelope.model_validate(raw)
        except ValidationError as exc:
            answers.__setitem__(*_refusal(raw, index, _wrong_type(exc)))
            continue
        items.append(Item(index=index, env=env, hash=content_hash(raw)))
    known = {r.pk: r for r in SyncRecord.objects.filter(pk__any=[i.env.id for i in items])}
    fresh: list[Item] = []
    for item in items:
        seen = known.get(item.env.id)
        if seen is None:
            fresh.append(item)
        elif seen.content_hash == item.hash:
            answers[item.index] = Answer(
                id=str(item.env.id),
                seq=item.env.seq,
                status="duplicate",
                code=seen.code,
                field=seen.field or None,
                was=seen.status,
            )
        else:
            answers[item.index] = _answer(item, _id_reused(), status="conflict")
    # Sequence numbers continue the device's, in order.
    fresh.sort(key=lambda i: (i.env.seq, i.index))
    next_seq = device.last_seq + 1
    to_apply: list[Item] = []
    ids_in_batch: dict[Any, str] = {}  # id → content hash, of the records taken from this batch
    for item in fresh:
        if item.env.id in ids_in_batch:  # the same id twice in one batch
            if ids_in_batch[item.env.id] == item.hash:
                answers[item.index] = Answer(
                    id=str(item.env.id), seq=item.env.seq, status="duplicate"
                )
            else:
                answers[item.index] = _answer(item, _id_reused(), status="conflict")
            continue
        if item.env.seq < next_seq:
            answers[item.index] = _answer(
                item,
                DomainError(
                    SyncError.SEQUENCE_REUSED,
                    _("Another record already has this sequence number."),
                    "seq",
                ),
            )
            continue
        if item.env.seq > next_seq:
            answers[item.index] = _answer(
                item,
                DomainError(
                    SyncError.SEQUENCE_GAP,
                    _("Record %(seq)s has not arrived yet: it is sent first.") % {"seq": next_seq},
                    "seq",
                ),
                retry=True,
            )
            continue
        ids_in_batch[item.env.id] = item.hash
        next_seq += 1
        to_apply.append(item)
    # Each record's data in its kind's shape, and its times.
    by_kind: dict[str, list[Item]] = {}
    oldest = max_age()
    for item in to_apply:
        schema = SCHEMAS.get(item.env.kind)
        try:
            if schema is None:
                raise DomainError(
                    SyncError.UNKNOWN_KIND,
                    _("Unknown kind of record: %(kind)s.") % {"kind": item.env.kind[:32]},
                    "kind",
                )
            _check_time(item.env.at, now, "at", oldest)
            try:
                item.data = schema.model_validate(item.env.data)
            except ValidationError as exc:
                raise _wrong_type(exc, "data") from None
            for name in ("visited_at", "happened_at"):
                value = getattr(item.data, name, None)
                if isinstance(value, dt.datetime):
                    _check_time(value, now, f"data.{name}", oldest)
        except DomainError as exc:
            item.outcome = Outcome.refused(exc)
            continue
        by_kind.setdefault(item.env.kind, []).append(item)
    for kind in SCHEMAS:
        if kind in by_kind:
            APPLY[kind](actor, by_kind[kind])
            if kind == "person":
                _follow_merges(by_kind)
    log: list[SyncRecord] = []
    for item in to_apply:
        outcome = item.outcome or Outcome.refused(_unanswered())
        if outcome.error is None:
            status = RecordStatus.ACCEPTED
            answers[item.index] = Answer(
                id=str(item.env.id),
                seq=item.env.seq,
                status="duplicate" if outcome.replayed else "accepted",
            )
        else:
            conflict = outcome.error.code == CoreError.EVENT_CONFLICT or (
                outcome.error.code == SyncError.STALE_EDIT
            )
            status = RecordStatus.CONFLICT if conflict else RecordStatus.REJECTED
            answers[item.index] = _answer(
                item, outcome.error, status="conflict" if conflict else "rejected"
            )
        log.append(
            SyncRecord(
                id=item.env.id,
                device=device,
                seq=item.env.seq,
                kind=item.env.kind[:32],
                content_hash=item.hash,
                status=status,
                code=str(outcome.error.code) if outcome.error else "",
                field=(outcome.error.field or "")[:64] if outcome.error else "",
                received_at=now,
            )
        )
    bulk_insert(SyncRecord, log)
    conflicts = [
        Conflict(record_id=item.env.id, device=device, **item.conflict)
        for item in to_apply
        if item.conflict is not None
    ]
    if conflicts:
        Conflict.objects.bulk_create(conflicts)
    device.last_seq = next_seq - 1
    device.last_push_at = now
    if pending is not None:
        device.pending = pending
    device.save(update_fields=["last_seq", "last_push_at", "pending", "updated_at"])
    ordered = [answers[i] for i in range(len(records))]
    counts: dict[str, int] = {}
    for a in ordered:
        counts[a.status] = counts.get(a.status, 0) + 1
    return PushResult(answers=ordered, last_seq=device.last_seq, counts=counts)


def _bad_record() -> DomainError:
    return DomainError(SyncError.WRONG_TYPE, _("A record must be an object."), "records")


def _id_reused() -> DomainError:
    return DomainError(
        CoreError.EVENT_CONFLICT, _("Another record with this identifier is already stored."), "id"
    )


def _unanswered() -> DomainError:
    return DomainError(CoreError.INVALID, _("The record could not be applied."))


def _answer(
    item: Item, error: DomainError, *, status: str = "rejected", retry: bool = False
) -> Answer:
    return Answer(
        id=str(item.env.id),
        seq=item.env.seq,
        status=status,
        code=str(error.code),
        field=error.field,
        message=error.message if error.kind is not Kind.NOT_FOUND else _not_found_message(),
        retry=retry,
    )


def _not_found_message() -> str:
    return _("Not found, or outside your assignment.")


# --- Applying each kind -------------------------------------------------------------------------


def _one_by_one(items: list[Item], write: Callable[[Item], Any]) -> None:
    """The rarer kinds: each record through its single service, in a savepoint of its own."""
    for item in items:
        try:
            with transaction.atomic():
                stored = write(item)
            item.outcome = Outcome(obj=stored, replayed=getattr(stored, "replayed", False))
        except DomainError as exc:
            item.outcome = Outcome.refused(exc)


def _apply_households(actor: Any, items: list[Item]) -> None:
    villages = {
        v.pk: v
        for v in Village.objects.select_related("commune").filter(
            pk__any=list({i.data.village_id for i in items})
        )
    }

    def write(item: Item) -> Household:
        village = villages.get(item.data.village_id)
        if village is None or not may_place_household(actor, village):
            raise NotFound(field="data.village_id")
        return household_create(
            actor=actor,
            commune=village.commune,
            code=item.data.code,
            village=village,
            address=item.data.address,
            id=item.env.id,
        )

    _one_by_one(items, write)


def _apply_persons(actor: Any, items: list[Item]) -> None:
    # Read after the batch's own households were written: a newcomer of a new household.
    households = {
        h.pk: h
        for h in Household.objects.filter(
            household_q(actor), pk__any=list({i.data.household_id for i in items})
        )
    }

    def write(item: Item) -> Person:
        household = households.get(item.data.household_id)
        if household is None:
            raise NotFound(field="data.household_id")
        d = item.data
        return registry_merges.person_register_matched(
            actor=actor,
            household=household,
            full_name=d.full_name,
            sex=d.sex,
            birth_year=d.birth_year,
            birth_date=d.birth_date,
            phone=d.phone,
            occupation=d.occupation,
            relationship=d.relationship,
            id=item.env.id,
        )

    _one_by_one(items, write)


def _follow_merges(by_kind: dict[str, list[Item]]) -> None:
    """A newcomer the registry took for someone already registered (or any record merged since
    the device's copy) is a tombstone: the batch's records about it go to the survivor. One
    query for the whole batch."""
    refs: list[tuple[Any, Any]] = []  # (object or list holding a person id, attribute or index)
    for kind, items in by_kind.items():
        if kind == "person":
            continue
        for data in (i.data for i in items if i.data is not None):
            if hasattr(data, "person_id"):
                refs.append((data, "person_id"))
            for rows in (getattr(data, "present", None), getattr(data, "gains", None)):
                for n, row in enumerate(rows or ()):
                    refs.append((rows, n) if isinstance(row, UUID) else (row, "person_id"))

    def get(obj: Any, key: Any) -> Any:
        return obj[key] if isinstance(key, int) else getattr(obj, key, None)

    ids = {get(obj, key) for obj, key in refs} - {None}
    if not ids:
        return
    survivors = registry_merges.survivors_of(ids)
    for obj, key in refs:
        new = survivors.get(get(obj, key))
        if new is None:
            continue
        if isinstance(key, int):
            obj[key] = new
        else:
            setattr(obj, key, new)


def _apply_claims(actor: Any, items: list[Item]) -> None:
    outcomes = claims_take_batch(
        actor=actor,
        claims=[
            ClaimIn(
                id=i.env.id,
                household_id=i.data.household_id,
                claimed_at=i.env.at,
                team_id=i.data.team_id,
            )
            for i in items
        ],
    )
    for item, outcome in zip(items, outcomes, strict=True):
        item.outcome = outcome


def _apply_visits(actor: Any, items: list[Item]) -> None:
    outcomes = visits_record_batch(
        actor=actor,
        visits=[
            VisitIn(
                id=i.env.id,
                household_id=i.data.household_id,
                visited_at=i.data.visited_at,
                present=[(p.person_id, p.guided, p.gained) for p in i.data.present],
                team_id=i.data.team_id,
                issues=i.data.issues,
                issues_note=i.data.issues_note,
                follow_up_on=i.data.follow_up_on,
                note=i.data.note,
            )
            for i in items
        ],
    )
    for item, outcome in zip(items, outcomes, strict=True):
        item.outcome = outcome


def _apply_skill_events(actor: Any, items: list[Item]) -> None:
    persons = {
        p.pk: p
        for p in Person.objects.select_related("household", "commune").filter(
            pk__any=list({i.data.person_id for i in items})
        )
    }
    skills = {s.code: s for s in Skill.objects.filter(code__in={i.data.skill for i in items})}
    ready: list[tuple[Item, EventInput]] = []
    for item in items:
        person, skill = persons.get(item.data.person_id), skills.get(item.data.skill)
        if person is None:
            item.outcome = Outcome.refused(NotFound(field="data.person_id"))
        elif skill is None:
            item.outcome = Outcome.refused(
                DomainError(CoreError.INVALID, _("Unknown skill."), "data.skill")
            )
        elif item.data.channel not in DEVICE_CHANNELS:
            item.outcome = Outcome.refused(
                DomainError(CoreError.INVALID, _("Choose how the skill was gained."), "channel")
            )
        else:
            ready.append(
                (
                    item,
                    EventInput(
                        id=item.env.id,
                        person=person,
                        skill=skill,
                        happened_on=item.data.happened_on,
                        channel=item.data.channel,
                        helped_by=actor,
                    ),
                )
            )
    if ready:
        outcomes = skill_events_record_each(actor=actor, events=[e for _, e in ready])
        for (item, _e), outcome in zip(ready, outcomes, strict=True):
            item.outcome = outcome


def _apply_family_guides(actor: Any, items: list[Item]) -> None:
    people = {
        p.pk: p
        for p in Person.objects.filter(
            person_q(actor), pk__any=list({i.data.person_id for i in items})
        ).select_related("household", "commune")
    }

    def write(item: Item) -> Any:
        person = people.get(item.data.person_id)
        if person is None or person.household_id != item.data.household_id:
            raise NotFound(field="data.person_id")
        return family_guide_set(actor=actor, household=person.household, person=person)

    _one_by_one(items, write)


def _apply_desk_visits(actor: Any, items: list[Item]) -> None:
    communes = {c.pk: c for c in Commune.objects.filter(pk__in={i.data.commune for i in items})}
    people = {
        p.pk: p
        for p in Person.objects.filter(
            person_q(actor), pk__any=list({i.data.person_id for i in items})
        )
    }

    def write(item: Item) -> Any:
        d = item.data
        commune, person = communes.get(d.commune), people.get(d.person_id)
        if commune is None or person is None:
            raise NotFound(field="data.person_id")
        return desk_visit_record(
            actor=actor,
            id=item.env.id,
            commune=commune,
            procedure=d.procedure,
            outcome=d.outcome,
            person=person,
            can_do_alone=d.can_do_alone,
            note=d.note,
            happened_at=d.happened_at,
        )

    _one_by_one(items, write)


def _apply_attendance(actor: Any, items: list[Item]) -> None:
    classes = {
        c.pk: c
        for c in ClassEvent.objects.prefetch_related("volunteers", "skills").filter(
            pk__any=list({i.data.class_id for i in items})
        )
    }

    def write(item: Item) -> Any:
        klass = classes.get(item.data.class_id)
        if klass is None:
            raise NotFound(field="data.class_id")
        class_attendance_set(actor=actor, klass=klass, present=item.data.present)
        if item.data.gains:
            class_gains_record(
                actor=actor,
                klass=klass,
                gains=[(g.person_id, g.skill) for g in item.data.gains],
            )
        return klass

    _one_by_one(items, write)


def _ms(value: dt.datetime) -> dt.datetime:
    """A version as the pull sends it (JSON keeps milliseconds)."""
    return value.astimezone(dt.UTC).replace(microsecond=value.microsecond // 1000 * 1000)


def _edit(
    actor: Any, item: Item, obj: Any, editable: Sequence[str], write: Callable[..., Any]
) -> DomainError | None:
    """An offline edit of ``obj``'s fields. On the version the phone had: written. On an older
    one, field by field: a field the server has not changed since (its value is still the
    phone's ``base``) is written; a field changed on both sides keeps the server's value and
    becomes a conflict for the commune's officer (``stale_edit``)."""
    d = item.data
    unknown = sorted(set(d.changes) - set(editable))
    if unknown:
        raise DomainError(
            SyncError.WRONG_TYPE,
            _("The field %(field)s cannot be changed from the field app.")
            % {"field": f"data.changes.{unknown[0]}"},
            f"data.changes.{unknown[0]}",
        )
    stale = _ms(obj.updated_at) != _ms(d.base_version)
    apply: dict[str, Any] = {}
    clashing: dict[str, dict[str, Any]] = {}
    for name, theirs in d.changes.items():
        server = getattr(obj, name)
        if server == theirs or (server in (None, "") and theirs in (None, "")):
            continue
        if not stale or (name in d.base and d.base[name] == server):
            apply[name] = theirs
        else:
            clashing[name] = {"base": d.base.get(name), "server": server, "theirs": theirs}
    if apply:
        write(actor=actor, **{obj._meta.model_name: obj}, **apply)
    if clashing:
        item.conflict = {
            "commune_id": obj.commune_id,
            "object_type": obj._meta.model_name,
            "object_id": obj.pk,
            "fields": clashing,
            "status": ConflictStatus.OPEN,
        }
        return DomainError(
            SyncError.STALE_EDIT,
            _("Changed on the server since this phone's copy: the server's value is kept "
              "until the commune officer decides."),
            f"data.changes.{sorted(clashing)[0]}",
        )  # fmt: skip
    return None


def _edits(
    items: list[Item], fetch: Callable[[Item], Any], editable: Sequence[str], write: Any, actor: Any
) -> None:
    """Each edit in a savepoint of its own: the fields written stay even when others clash."""
    for item in items:
        try:
            with transaction.atomic():
                obj = fetch(item)
                if obj is None or not can_edit_commune(actor, obj.commune_id):
                    raise NotFound(field="data")
                clash = _edit(actor, item, obj, editable, write)
            item.outcome = Outcome.refused(clash) if clash else Outcome(obj=obj)
        except DomainError as exc:
            item.conflict = None
            item.outcome = Outcome.refused(exc)


def _apply_person_edits(actor: Any, items: list[Item]) -> None:
    people = {
        p.pk: p
        for p in Person.objects.filter(
            person_q(actor), pk__any=list({i.data.person_id for i in items})
        ).select_related("household", "commune")
    }

    _edits(items, lambda i: people.get(i.data.person_id), PERSON_EDITABLE, person_update, actor)


def _apply_household_edits(actor: Any, items: list[Item]) -> None:
    households = {
        h.pk: h
        for h in Household.objects.filter(
            household_q(actor), pk__any=list({i.data.household_id for i in items})
        ).select_related("commune")
    }

    _edits(
        items,
        lambda i: households.get(i.data.household_id),
        HOUSEHOLD_EDITABLE,
        household_update,
        actor,
    )


APPLY: dict[str, Callable[[Any, list[Item]], None]] = {
    "household": _apply_households,
    "person": _apply_persons,
    "claim": _apply_claims,
    "visit": _apply_visits,
    "skill_event": _apply_skill_events,
    "family_guide": _apply_family_guides,
    "desk_visit": _apply_desk_visits,
    "class_attendance": _apply_attendance,
    "household_edit": _apply_household_edits,
    "person_edit": _apply_person_edits,
}


# --- Conflicts ----------------------------------------------------------------------------------


@transaction.atomic
def conflict_resolve(*, actor: Any, conflict: Conflict, take_theirs: bool) -> Conflict:
    """The commune officer decides a stale edit: keep the server's values, or take the phone's
    (written through the registry's own service, with its rules and its audit row). Audited
    (``sync_conflict.resolve``: which fields, which way — never the values). Deciding again
    changes nothing."""
    if not can_watch_devices(actor, conflict.commune_id):
        raise NotFound()
    conflict = Conflict.objects.select_for_update().get(pk=conflict.pk)
    if conflict.status != ConflictStatus.OPEN:
        return conflict
    if take_theirs:
        theirs = {name: v["theirs"] for name, v in conflict.fields.items()}
        if conflict.object_type == "person":
            person = Person.objects.filter(pk=conflict.object_id).first()
            if person is None:
                raise NotFound()
            person_update(actor=actor, person=person, **theirs)
        else:
            household = Household.objects.filter(pk=conflict.object_id).first()
            if household is None:
                raise NotFound()
            household_update(actor=actor, household=household, **theirs)
    conflict.status = ConflictStatus.TAKEN if take_theirs else ConflictStatus.KEPT
    conflict.resolved_by = actor
    conflict.resolved_at = timezone.now()
    conflict.save(update_fields=["status", "resolved_by", "resolved_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.SYNC_CONFLICT_RESOLVE,
        obj=conflict,
        changes={
            "object": f"{conflict.object_type}:{conflict.object_id}",
            "fields": sorted(conflict.fields),
            "decision": conflict.status,
            "device": str(conflict.device_id),
        },
    )
    return conflict
