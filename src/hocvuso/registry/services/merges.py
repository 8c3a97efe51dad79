"""One record per person: merging two records of one person, splitting a merge again, and
marking a pair of the duplicates worklist as two people.

A merge keeps the *survivor* and turns the *duplicate* into a tombstone (``merged_into``): the
row stays, is counted nowhere (``Person.objects`` leaves it out) and points to the survivor.
Every app's rows about the duplicate move through its personal-data provider's ``reassign``
hook (``core.personal_data``) — skill events, desk visits, class registrations, home visits,
enrolments, a citizen's account link, field-app conflicts — and the ids moved are kept on the
:class:`~hocvuso.registry.models.PersonMerge` row, so a split moves exactly those back. The
survivor's empty fields (phone, date or year of birth, occupation, CCCD …) are filled from the
duplicate and the names of those fields kept too. A duplicate's household left without a member
(the one-person household of a walk-in) becomes a tombstone of the survivor's household.

The dashboards: the merge changes statuses (events move) and what is counted (the tombstone
leaves), so the commune is recounted whole in the same transaction (``communes_rewritten``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.access.registry import can_merge_people
from hocvuso.core import hooks
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.personal_data import providers
from hocvuso.registry.errors import RegistryError
from hocvuso.registry.models import Household, MergeReason, NotDuplicate, Person, PersonMerge

# The survivor's fields filled from the duplicate when empty (the CCCD moves as three columns).
FILLABLE = ("birth_date", "birth_year", "phone", "occupation", "ethnicity", "special_needs")
CCCD_COLUMNS = ("cccd_hash", "cccd_ciphertext", "cccd_last3")
# In ``PersonMerge.moved["registry"]``: the household the duplicate headed (its head cleared).
HEAD_OF = "registry.household.head"


def _locked(*ids: Any) -> dict[Any, Person]:
    rows = Person.all_objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {p.pk: p for p in rows}


def _moved_counts(moved: dict[str, dict[str, list[str]]]) -> dict[str, int]:
    return {
        label: len(ids)
        for by_app in moved.values()
        for label, ids in by_app.items()
        if not label.startswith("kept:")
    }


@transaction.atomic
def person_merge(
    *, actor: Any, survivor: Person, duplicate: Person, reason: str = MergeReason.OFFICER
) -> PersonMerge:
    """Merge ``duplicate`` into ``survivor`` (two records of one person of the same commune).
    Refused, with nothing written, when they are the same record, of two communes, already
    merged, erased, or carry two different CCCDs; an app may refuse too (a mentor)."""
    if not can_merge_people(actor, survivor.commune_id):
        raise NotFound()
    return _merge(actor, survivor, duplicate, reason)


def _merge(actor: Any, survivor: Person, duplicate: Person, reason: str) -> PersonMerge:
    """The merge itself, once the caller's right is settled: an officer's decision, or the
    matching rule applied to a field device's newcomer (:func:`person_register_matched`)."""
    if survivor.pk == duplicate.pk:
        raise DomainError(RegistryError.MERGE_SAME, _("Choose two different records."), "duplicate")
    if reason not in MergeReason.values:
        raise DomainError(RegistryError.MERGE_SAME, _("Unknown reason."), "reason")
    locked = _locked(survivor.pk, duplicate.pk)
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    if survivor.commune_id != duplicate.commune_id:
        raise DomainError(
            RegistryError.MERGE_OTHER_COMMUNE,
            _("Only two records of the same commune can be merged: move one first."),
            "duplicate",
        )
    if survivor.merged_into_id or duplicate.merged_into_id:
        raise DomainError(
            RegistryError.MERGE_MERGED, _("One of the two records is already merged."), "duplicate"
        )
    if survivor.erased_at or duplicate.erased_at:
        raise DomainError(
            RegistryError.PERSON_ERASED, _("This person's data has been erased."), "duplicate"
        )
    if survivor.cccd_hash and duplicate.cccd_hash and survivor.cccd_hash != duplicate.cccd_hash:
        raise DomainError(
            RegistryError.MERGE_DIFFERENT_CCCD,
            _("The two records carry different CCCDs: they are two people."),
            "duplicate",
        )
    moved: dict[str, dict[str, list[str]]] = {}
    for provider in providers():
        if provider.reassign is not None:
            got = provider.reassign(duplicate, survivor, None, actor)
            if got:
                moved[provider.app] = got
    filled = [f for f in FILLABLE if not getattr(survivor, f) and getattr(duplicate, f)]
    for name in filled:
        setattr(survivor, name, getattr(duplicate, name))
    if duplicate.cccd_hash and not survivor.cccd_hash:
        values = [getattr(duplicate, c) for c in CCCD_COLUMNS]
        duplicate.cccd_hash, duplicate.cccd_ciphertext, duplicate.cccd_last3 = None, "", ""
        duplicate.save(update_fields=[*CCCD_COLUMNS, "updated_at"])
        for column, value in zip(CCCD_COLUMNS, values, strict=True):
            setattr(survivor, column, value)
        filled.append("cccd")
    if filled:
        survivor.save(update_fields=[*FILLABLE, *CCCD_COLUMNS, "updated_at"])
    duplicate.merged_into = survivor
    duplicate.save(update_fields=["merged_into", "updated_at"])
    household = Household.all_objects.select_for_update().get(pk=duplicate.household_id)
    retired = (
        household.pk != survivor.household_id
        and household.merged_into_id is None
        and not Person.objects.filter(household=household).exists()
    )
    if retired:
        household.merged_into_id = survivor.household_id
        household.save(update_fields=["merged_into", "updated_at"])
    elif household.head_id == duplicate.pk:
        # The head must be a member: the household the tombstone headed has none until its
        # keepers name one (a split gives it back).
        household.head = None
        household.save(update_fields=["head", "updated_at"])
        moved.setdefault("registry", {})[HEAD_OF] = [str(household.pk)]
    record = PersonMerge.objects.create(
        commune_id=survivor.commune_id,
        survivor=survivor,
        duplicate=duplicate,
        reason=reason,
        merged_by=user_or_none(actor),
        moved={
            app: {k: v for k, v in m.items() if not k.startswith("kept:")}
            for app, m in moved.items()
        },
        kept={
            app: {k[5:]: v for k, v in m.items() if k.startswith("kept:")}
            for app, m in moved.items()
            if any(k.startswith("kept:") for k in m)
        },
        filled=filled,
        household_retired=retired,
    )
    audit_record(
        actor=actor,
        action=AuditAction.PERSON_MERGE,
        obj=duplicate,
        changes={
            "merged_into": [None, str(survivor.pk)],
            "reason": reason,
            "moved": _moved_counts(moved),
            "filled": [*filled],
            "household_retired": retired,
        },
    )
    # What the field devices hold: the tombstone (and its empty household) leave them.
    rows = [("person", duplicate.pk, duplicate.commune_id, household.village_id)]
    if retired:
        rows.append(("household", household.pk, household.commune_id, household.village_id))
    if household.village_id is not None:
        hooks.left_village.send(rows=rows)
    hooks.communes_rewritten.send(communes=[survivor.commune_id])
    return record


@transaction.atomic
def person_register_matched(*, actor: Any, household: Household, **values: Any) -> Person:
    """A newcomer sent by a field device (offline, nobody could be offered the matches): the
    record is stored under the device's id; when the commune already holds the same person by
    the strong rule (``registry.matching.is_strong``: the same name and year of birth in that
    very household, or the same name and phone) it becomes at once a tombstone of that person
    (merge reason ``walk_in``, audited under the device's user), so the device's later records
    about it reach the person, and no duplicate is counted."""
    from hocvuso.registry import matching
    from hocvuso.registry.selectors import walk_in_matches
    from hocvuso.registry.services.people import person_register

    id = values.get("id")
    replay = id is not None and Person.all_objects.filter(pk=id).exists()
    person = person_register(actor=actor, household=household, **values)
    if replay or person.merged_into_id is not None:
        return person
    probe = matching.Probe.of(
        full_name=person.full_name,
        birth_year=person.birth_year,
        village_id=household.village_id,
        household_id=household.pk,
        phone=person.phone,
    )
    for match in walk_in_matches(
        actor=actor,
        commune=household.commune,
        full_name=person.full_name,
        birth_year=person.birth_year,
        village_id=household.village_id,
        household_id=household.pk,
        phone=person.phone,
    ):
        if match.person.pk != person.pk and matching.is_strong(probe, match.person, match.reasons):
            _merge(actor, match.person, person, MergeReason.WALK_IN)
            person.merged_into_id = match.person.pk
            break
    return person


@transaction.atomic
def person_split(*, actor: Any, merge: PersonMerge) -> Person:
    """Undo a merge found wrong: the tombstone is a person again, with exactly the rows the merge
    moved and the fields it filled, and its household if the merge retired it. Returns the
    restored person."""
    if not can_merge_people(actor, merge.commune_id):
        raise NotFound()
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.split_at is not None:
        raise DomainError(RegistryError.SPLIT_DONE, _("This merge was already undone."))
    locked = _locked(merge.survivor_id, merge.duplicate_id)
    survivor, duplicate = locked[merge.survivor_id], locked[merge.duplicate_id]
    if duplicate.merged_into_id != survivor.pk:
        raise DomainError(RegistryError.SPLIT_DONE, _("This merge was already undone."))
    if survivor.merged_into_id is not None:
        raise DomainError(
            RegistryError.MERGE_MERGED,
            _("The surviving record was merged again since: undo that merge first."),
        )
    # Fields the merge filled go back to the duplicate's record (the CCCD moves back).
    cleared: list[str] = []
    for name in merge.filled:
        if name == "cccd":
            values = [getattr(survivor, c) for c in CCCD_COLUMNS]
            survivor.cccd_hash, survivor.cccd_ciphertext, survivor.cccd_last3 = None, "", ""
            survivor.save(update_fields=[*CCCD_COLUMNS, "updated_at"])
            for column, value in zip(CCCD_COLUMNS, values, strict=True):
                setattr(duplicate, column, value)
            duplicate.save(update_fields=[*CCCD_COLUMNS, "updated_at"])
        elif getattr(survivor, name) == getattr(duplicate, name):
            setattr(survivor, name, None if name in {"birth_date", "birth_year"} else "")
            cleared.append(name)
    if cleared:
        survivor.save(update_fields=[*cleared, "updated_at"])
    duplicate.merged_into = None
    duplicate.save(update_fields=["merged_into", "updated_at"])
    if merge.household_retired:
        Household.all_objects.filter(pk=duplicate.household_id).update(
            merged_into=None, updated_at=timezone.now()
        )
    headed = merge.moved.get("registry", {}).get(HEAD_OF, [])
    if headed:
        Household.objects.filter(pk__in=headed, head__isnull=True).update(
            head=duplicate, updated_at=timezone.now()
        )
    moved_back: dict[str, int] = {}
    for provider in providers():
        rows = merge.moved.get(provider.app)
        if provider.reassign is not None and rows:
            for label, ids in provider.reassign(survivor, duplicate, rows, actor).items():
                moved_back[label] = len(ids)
    merge.split_at = timezone.now()
    merge.split_by = user_or_none(actor)
    merge.save(update_fields=["split_at", "split_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.PERSON_SPLIT,
        obj=duplicate,
        changes={"merged_into": [str(survivor.pk), None], "moved_back": moved_back},
    )
    hooks.communes_rewritten.send(communes=[survivor.commune_id])
    return duplicate


@transaction.atomic
def pair_not_duplicate(*, actor: Any, first: Person, second: Person) -> NotDuplicate:
    """The pair of the worklist is two people: kept off it (audited)."""
    if not can_merge_people(actor, first.commune_id) or first.commune_id != second.commune_id:
        raise NotFound()
    if first.pk == second.pk:
        raise DomainError(RegistryError.MERGE_SAME, _("Choose two different records."), "second")
    a, b = sorted([first, second], key=lambda p: p.pk)
    row, created = NotDuplicate.objects.get_or_create(
        first=a, second=b, defaults={"commune_id": a.commune_id, "decided_by": user_or_none(actor)}
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.PERSON_NOT_DUPLICATE,
            obj=a,
            changes={"other": str(b.pk)},
        )
    return row


def survivors_of(ids: Any) -> dict[Any, Any]:
    """For the ids of ``ids`` that are tombstones, the live record each stands for now (a
    chain of merges followed; one query per link, usually one)."""
    out: dict[Any, Any] = {}
    pending = {
        pk: to
        for pk, to in Person.all_objects.filter(
            pk__in=list(ids), merged_into__isnull=False
        ).values_list("pk", "merged_into")
    }
    for _link in range(5):
        if not pending:
            break
        further = dict(
            Person.all_objects.filter(
                pk__in=set(pending.values()), merged_into__isnull=False
            ).values_list("pk", "merged_into")
        )
        for pk, to in list(pending.items()):
            if to in further:
                pending[pk] = further[to]
            else:
                out[pk] = to
                del pending[pk]
    return out


def survivor_of(person_id: Any) -> Any:
    """The record a (possibly merged) person id stands for now: follows ``merged_into``."""
    seen = set()
    current = person_id
    while current not in seen:
        seen.add(current)
        nxt = Person.all_objects.filter(pk=current).values_list("merged_into", flat=True).first()
        if nxt is None:
            return current
        current = nxt
    return current
