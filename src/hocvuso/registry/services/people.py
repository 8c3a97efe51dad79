"""Writes to the registry. Every change is validated here, written, and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from hocvuso.access.registry import can_register_people, can_reveal_cccd, can_rotate_id_keys
from hocvuso.access.units import ensure_commune
from hocvuso.core import crypto, hooks
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import AuditAction, audit_record, diff, snapshot
from hocvuso.core.context import current_request_id
from hocvuso.core.errors import CoreError, DomainError, NotFound, ensure
from hocvuso.core.models import AuditLog
from hocvuso.core.phones import normalise_phone
from hocvuso.core.text import clean, fold
from hocvuso.geo.errors import GeoError
from hocvuso.geo.models import Commune, Village
from hocvuso.registry import cccd as cccd_lib
from hocvuso.registry.errors import RegistryError
from hocvuso.registry.ethnicity import ETHNICITY_NAMES
from hocvuso.registry.models import Household, Occupation, Person, Relationship, Sex
from hocvuso.registry.parsing import check_birth
from hocvuso.registry.purposes import Purpose, processing_check

HOUSEHOLD_FIELDS = ["code", "village", "address"]
PERSON_FIELDS = [
    "full_name",
    "birth_date",
    "birth_year",
    "sex",
    "ethnicity",
    "phone",
    "occupation",
    "relationship",
    "special_needs",
    "household",
]
# Audit rows never hold these values, only the fact that they changed.
PERSON_MASKED = {"cccd", "ethnicity", "special_needs"}


def household_search_key(code: str, address: str) -> str:
    """Folded code and address; members' names are searched through the persons' own keys."""
    return " ".join(filter(None, [fold(code), fold(address)]))


def _id_conflict() -> DomainError:
    return DomainError(
        CoreError.EVENT_CONFLICT, _("Another record with this identifier is already stored."), "id"
    )


def _check_village(commune: Commune, village: Village | None) -> None:
    if village is not None and village.commune_id != commune.code:
        raise DomainError(
            GeoError.VILLAGE_OTHER_COMMUNE,
            _("The village belongs to another commune."),
            field="village",
        )


@transaction.atomic
def household_create(
    *,
    actor: Any,
    commune: Commune,
    code: str,
    village: Village | None = None,
    address: str = "",
    id: UUID | None = None,
) -> Household:
    """Add a household. ``id``: made by a field device (UUID v7); the same household sent again
    under it is returned as stored, another one under it is ``event_conflict``."""
    if not can_register_people(actor, commune.code):
        raise NotFound()
    code = clean(code)
    if not code:
        raise DomainError(CoreError.REQUIRED, _("A household needs a code."), field="code")
    _check_village(commune, village)
    if id is not None:
        existing = Household.all_objects.filter(pk=id).first()
        if existing is not None:
            if existing.commune_id != commune.code or existing.code != code:
                raise _id_conflict()
            return existing
    household = Household(commune=commune, village=village, code=code, address=clean(address))
    if id is not None:
        household.id = id
    household.search_key = household_search_key(household.code, household.address)
    try:
        with transaction.atomic():
            household.save()
    except IntegrityError as exc:
        raise DomainError(
            RegistryError.DUPLICATE_HOUSEHOLD_CODE,
            _("This commune already has a household with this code."),
            field="code",
        ) from exc
    with hooks.facts_change() as tracked:
        tracked.add(households=[household.pk])
    audit_record(
        actor=actor,
        action=AuditAction.HOUSEHOLD_CREATE,
        obj=household,
        changes=diff({}, snapshot(household, ["commune", *HOUSEHOLD_FIELDS])),
    )
    return household


@transaction.atomic
def household_update(
    *,
    actor: Any,
    household: Household,
    code: str | None = None,
    village: Village | None = None,
    address: str | None = None,
    head: Person | None = None,
) -> Household:
    """Change a household's code, village, address or head (only one of its members)."""
    ensure_commune(actor, household.commune_id, write=True)
    before = snapshot(household, [*HOUSEHOLD_FIELDS, "head"])
    if code is not None:
        code = clean(code)
        if not code:
            raise DomainError(CoreError.REQUIRED, _("A household needs a code."), field="code")
        household.code = code
    if village is not None:
        _check_village(household.commune, village)
        household.village = village
    if address is not None:
        household.address = clean(address)
    if head is not None:
        if head.household_id != household.pk:
            raise DomainError(
                RegistryError.HEAD_NOT_MEMBER,
                _("The head of a household must be one of its members."),
                field="head",
            )
        household.head = head
    changes = diff(before, snapshot(household, [*HOUSEHOLD_FIELDS, "head"]))
    if not changes:
        return household
    household.search_key = household_search_key(household.code, household.address)
    moved = "village" in changes
    members = list(household.members.values_list("pk", flat=True)) if moved else []
    with hooks.facts_change(persons=members, households=[household.pk] if moved else []):
        try:
            with transaction.atomic():
                household.save()
        except IntegrityError as exc:
            raise DomainError(
                RegistryError.DUPLICATE_HOUSEHOLD_CODE,
                _("This commune already has a household with this code."),
                field="code",
            ) from exc
    audit_record(actor=actor, action=AuditAction.HOUSEHOLD_UPDATE, obj=household, changes=changes)
    if moved and before["village"]:
        hooks.left_village.send(
            rows=[("household", household.pk, household.commune_id, before["village"])]
        )
    return household


class PossibleDuplicate(DomainError):
    """A walk-in looks like people already registered in the commune (``matches``, most telling
    first): nobody was created. Register one of them, or say it is someone else
    (``confirmed_new``)."""

    def __init__(self, matches: list[Any]) -> None:
        if any("same_cccd" in m.reasons for m in matches):
            # The same CCCD is the same person: no confirming otherwise, choose them.
            super().__init__(
                RegistryError.DUPLICATE_CCCD,
                _("A person with this CCCD is already registered."),
                "cccd",
            )
        else:
            super().__init__(
                RegistryError.POSSIBLE_DUPLICATE,
                _(
                    "This person may already be registered in the commune: choose one of the "
                    "matches, or confirm it is someone else."
                ),
                "full_name",
            )
        self.matches = matches
        # For the API: what a picker shows of a namesake (no phone, no CCCD).
        self.details = [
            {
                "person_id": str(m.person.pk),
                "full_name": m.person.full_name,
                "birth_year": m.person.birth_year,
                "village": m.person.household.village.name if m.person.household.village else None,
                "reasons": m.reasons,
            }
            for m in matches
        ]


@sensitive_variables("cccd")
def walk_in_check(
    *,
    actor: Any,
    commune: Commune,
    full_name: str,
    birth_year: int | None = None,
    village: Village | None = None,
    household: Household | None = None,
    phone: str = "",
    cccd: str = "",
    confirmed_new: bool = False,
) -> None:
    """Before a walk-in is created (a class's door, the desk): raise :class:`PossibleDuplicate`
    when the commune holds people they may be, unless the helper confirmed it is someone new."""
    if confirmed_new:
        return
    from hocvuso.registry.selectors import walk_in_matches

    phone = normalise_phone(phone)  # a wrong number is reported first, on its field

    matches = walk_in_matches(
        actor=actor,
        commune=commune,
        full_name=full_name,
        birth_year=birth_year,
        village_id=village.pk if village else (household.village_id if household else None),
        household_id=household.pk if household else None,
        phone=phone,
        cccd=cccd,
    )
    if matches:
        raise PossibleDuplicate(matches)


@sensitive_variables("values")
def person_add(
    *, actor: Any, household: Household, confirmed_new: bool = False, **values: Any
) -> Person:
    """A keeper adds a person to a household: the commune's matches are offered first
    (:func:`walk_in_check`), then :func:`person_register`."""
    if not can_register_people(actor, household.commune_id):
        raise NotFound()
    born = values.get("birth_date")
    walk_in_check(
        actor=actor,
        commune=household.commune,
        full_name=values.get("full_name", ""),
        birth_year=born.year if born else values.get("birth_year"),
        household=household,
        phone=values.get("phone", ""),
        cccd=values.get("cccd", ""),
        confirmed_new=confirmed_new,
    )
    return person_register(actor=actor, household=household, **values)


def _validate_person(values: dict[str, Any]) -> None:
    if not values["full_name"]:
        raise DomainError(CoreError.REQUIRED, _("A person needs a full name."), field="full_name")
    if values["sex"] not in Sex.values:
        raise DomainError(CoreError.REQUIRED, _("Choose the person's sex."), field="sex")
    if values["ethnicity"] and values["ethnicity"] not in ETHNICITY_NAMES:
        raise DomainError(
            RegistryError.INVALID_ETHNICITY, _("Unknown ethnic group."), field="ethnicity"
        )
    if values["occupation"] and values["occupation"] not in Occupation.values:
        raise DomainError(CoreError.INVALID, _("Unknown occupation."), field="occupation")
    if values["relationship"] and values["relationship"] not in Relationship.values:
        raise DomainError(CoreError.INVALID, _("Unknown relationship."), field="relationship")


def _duplicate_cccd(number: str, exclude: Any = None) -> None:
    qs = Person.objects.filter(cccd_hash__in=cccd_lib.lookup_hashes(number))
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise DomainError(
            RegistryError.DUPLICATE_CCCD,
            _("A person with this CCCD is already registered."),
            field="cccd",
        )


@sensitive_variables("cccd", "number")
@transaction.atomic
def person_register(
    *,
    actor: Any,
    household: Household,
    full_name: str,
    sex: str,
    birth_date: dt.date | None = None,
    birth_year: int | None = None,
    ethnicity: str = "",
    cccd: str = "",
    phone: str = "",
    occupation: str = "",
    relationship: str = "",
    special_needs: str = "",
    id: UUID | None = None,
) -> Person:
    """Add a person to a household. One CCCD = one person nationwide. ``id``: made by a field
    device (UUID v7); the same person sent again under it is returned as stored, another one
    under it is ``event_conflict``."""
    if not can_register_people(actor, household.commune_id):
        raise NotFound()
    if id is not None:
        existing = Person.all_objects.filter(pk=id).first()
        if existing is not None:
            if existing.household_id != household.pk or existing.full_name != clean(full_name):
                raise _id_conflict()
            return existing
    birth_date, birth_year = check_birth(birth_date, birth_year)
    values: dict[str, Any] = {
        "full_name": clean(full_name),
        "sex": sex,
        "birth_date": birth_date,
        "birth_year": birth_year,
        "ethnicity": ethnicity or "",
        "phone": normalise_phone(phone),
        "occupation": occupation or "",
        "relationship": relationship or "",
        "special_needs": clean(special_needs),
    }
    _validate_person(values)
    person = Person(household=household, commune_id=household.commune_id, **values)
    if id is not None:
        person.id = id
    person.search_key = fold(person.full_name)
    if cccd.strip():
        number = cccd_lib.validate(cccd, sex=sex, birth_year=birth_year)
        _duplicate_cccd(number)
        protected = cccd_lib.protect(number)
        person.cccd_hash = protected.hash
        person.cccd_ciphertext = protected.ciphertext
        person.cccd_last3 = protected.last3
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # a concurrent registration of the same CCCD
        raise DomainError(
            RegistryError.DUPLICATE_CCCD,
            _("A person with this CCCD is already registered."),
            field="cccd",
        ) from exc
    with hooks.facts_change() as tracked:
        tracked.add(persons=[person.pk])
    changes = diff({}, snapshot(person, PERSON_FIELDS), masked=PERSON_MASKED)
    if person.cccd_hash:
        changes["cccd"] = [None, cccd_lib.masked(person.cccd_last3)]
    audit_record(actor=actor, action=AuditAction.PERSON_REGISTER, obj=person, changes=changes)
    if relationship == Relationship.HEAD and household.head_id is None:
        # Part of registering (not an edit of the household): whoever may register may do it.
        household.head = person
        household.save(update_fields=["head", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.HOUSEHOLD_UPDATE,
            obj=household,
            changes={"head": [None, str(person.pk)]},
        )
    return person


@sensitive_variables("cccd", "number")
@transaction.atomic
def person_update(*, actor: Any, person: Person, cccd: str | None = None, **values: Any) -> Person:
    """Change a person's details. ``cccd=""`` removes the number; ``None`` leaves it alone."""
    ensure_commune(actor, person.commune_id, write=True)
    processing_check(person, Purpose.REGISTRY)
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown person fields: {sorted(unknown)}")
    household = values.get("household")
    if household is not None and household.commune_id != person.commune_id:
        raise DomainError(
            RegistryError.HOUSEHOLD_OTHER_COMMUNE,
            _("A person can only move to a household of the same commune here."),
            field="household",
        )
    before = snapshot(person, PERSON_FIELDS)
    for text_field in ("full_name", "special_needs"):
        if text_field in values:
            values[text_field] = clean(values[text_field])
    if "phone" in values:
        values["phone"] = normalise_phone(values["phone"])
    for k, v in values.items():
        if v is None and k == "household":
            continue
        setattr(person, k, "" if v is None and k not in {"birth_date", "birth_year"} else v)
    person.birth_date, person.birth_year = check_birth(person.birth_date, person.birth_year)
    _validate_person({f: getattr(person, f) for f in PERSON_FIELDS})
    person.search_key = fold(person.full_name)
    changes = diff(before, snapshot(person, PERSON_FIELDS), masked=PERSON_MASKED)
    if cccd is not None:
        old_last3 = person.cccd_last3
        if cccd.strip():
            number = cccd_lib.validate(cccd, sex=person.sex, birth_year=person.birth_year)
            protected = cccd_lib.protect(number)
            if protected.hash != person.cccd_hash:
                _duplicate_cccd(number, exclude=person.pk)
                person.cccd_hash, person.cccd_ciphertext, person.cccd_last3 = (
                    protected.hash,
                    protected.ciphertext,
                    protected.last3,
                )
                changes["cccd"] = [cccd_lib.masked(old_last3) or None, cccd_lib.masked(number[-3:])]
        elif person.cccd_hash:
            person.cccd_hash, person.cccd_ciphertext, person.cccd_last3 = None, "", ""
            changes["cccd"] = [cccd_lib.masked(old_last3), None]
    elif person.cccd_hash and ({"sex", "birth_year"} & changes.keys()):
        # The stored number must stay consistent with sex and year of birth.
        cccd_lib.validate(
            cccd_lib.reveal(person.cccd_ciphertext), sex=person.sex, birth_year=person.birth_year
        )
    if not changes:
        return person
    # Year of birth, occupation and household are counted on dashboards; a move between
    # households can change whether each has a trained member.
    moved = "household" in changes
    counted = moved or bool({"birth_date", "birth_year", "occupation"} & changes.keys())
    old_household = Person.objects.get(pk=person.pk).household_id if moved else None
    with hooks.facts_change(
        persons=[person.pk] if counted else [],
        households=[h for h in (old_household, person.household_id) if moved and h],
    ):
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError as exc:
            raise DomainError(
                RegistryError.DUPLICATE_CCCD,
                _("A person with this CCCD is already registered."),
                "cccd",
            ) from exc
    audit_record(actor=actor, action=AuditAction.PERSON_UPDATE, obj=person, changes=changes)
    if moved and old_household is not None:
        _head_left(actor, old_household, person)
        was = Household.objects.filter(pk=old_household).values_list("village_id", flat=True)
        village = was.first()
        if village is not None and village != person.household.village_id:
            hooks.left_village.send(rows=[("person", person.pk, person.commune_id, village)])
    return person


def _head_left(actor: Any, household_id: Any, person: Person) -> None:
    """The head of a household must be one of its members: when the head moves to another
    household, the household they left has no head until its keepers name one (audited)."""
    left = Household.objects.filter(pk=household_id, head=person).first()
    if left is None:
        return
    left.head = None
    left.search_key = household_search_key(left.code, left.address)
    left.save(update_fields=["head", "search_key", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.HOUSEHOLD_UPDATE,
        obj=left,
        changes={"head": [str(person.pk), None]},
    )


@transaction.atomic
def person_reveal_cccd(*, actor: Any, person: Person, reason: str) -> str:
    """The full CCCD, for a role allowed to see it, with a reason. Every reveal is audited."""
    if not can_reveal_cccd(actor, person.commune_id):
        raise NotFound()
    reason = clean(reason)
    if not reason:
        raise DomainError(CoreError.REQUIRED, _("Say why the full number is needed."), "reason")
    if not person.cccd_ciphertext:
        raise DomainError(CoreError.NOT_FOUND, _("This person has no CCCD on record."), "cccd")
    audit_record(
        actor=actor, action=AuditAction.PERSON_REVEAL_CCCD, obj=person, changes={"reason": reason}
    )
    return cccd_lib.reveal(person.cccd_ciphertext)


def id_keys_rotate(
    *,
    actor: Any,
    batch_size: int = 1000,
    after: Any = None,
    progress: Callable[[int, int, Any], None] | None = None,
) -> int:
    """Re-protect every stored CCCD, and every other value sealed at rest (ethnicity, special
    needs, authenticator secrets), with the current key. Returns the CCCD rows rewritten.

    Safe to interrupt and run again: each batch is its own transaction, and rows already under the
    current key are rewritten to the same hash. One audit row says who rotated, how many rows
    were rewritten under how many configured keys, and whether the run finished (an interrupted
    run is recorded too, then re-raised). ``after``: resume after that person (a checkpoint:
    people are taken in id order); ``progress(done, total, last)`` after each batch, ``done``
    counting from the start of the whole rotation.
    """
    ensure(can_rotate_id_keys(actor))
    rewritten = 0
    resealed: dict[str, int] = {}
    last_pk = after
    finished = False
    protected_rows = Person.objects.exclude(cccd_ciphertext="")
    total = protected_rows.count() if progress else 0
    before = protected_rows.filter(pk__lte=after).count() if progress and after else 0
    try:
        while True:
            qs = Person.objects.exclude(cccd_ciphertext="").order_by("pk")
            if last_pk is not None:
                qs = qs.filter(pk__gt=last_pk)
            batch = list(qs.only("pk", "cccd_ciphertext", "cccd_hash")[:batch_size])
            if not batch:
                break

            with transaction.atomic():
                for person in batch:
                    protected = cccd_lib.reprotect(person.cccd_ciphertext)
                    person.cccd_hash, person.cccd_ciphertext = protected.hash, protected.ciphertext
                Person.objects.bulk_update(batch, ["cccd_hash", "cccd_ciphertext"])
            rewritten += len(batch)
            last_pk = batch[-1].pk
            if progress:
                progress(before + rewritten, total, last_pk)
        # The other values sealed at rest: ethnicity, special needs, authenticator secrets.
        for model, name in crypto.sealed_fields():
            resealed[f"{model._meta.label_lower}.{name}"] = crypto.reseal_column(
                model, name, batch_size=batch_size
            )
        finished = True
        return rewritten
    finally:
        AuditLog.objects.create(
            actor=user_or_none(actor),
            action=AuditAction.ID_KEY_ROTATE,
            object_type=Person._meta.label_lower,
            object_id="",  # every protected number, not one person
            changes={
                "rewritten": rewritten,
                "resealed": resealed,
                "keys": cccd_lib.configured_keys(),
                "finished": finished,
            },
            request_id=current_request_id() or "",
        )
