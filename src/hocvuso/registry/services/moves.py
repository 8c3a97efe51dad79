"""People and households who move to another commune (or province).

A household moves whole (its members with it); a person moves alone into a new household of
the commune they go to (their own, until its keepers join them to another). Whoever keeps the
commune they leave moves them (``access.registry.can_move_out``); from then on they are the new
commune's, whose keepers alone see and edit them (the access policy reads the commune of the
row: nothing else to change). Each move is audited, listed as a :class:`Transfer`, and the
summaries of both communes are updated in the same transaction (the facts before and after, and
the network columns of both)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hocvuso.access.registry import can_move_out
from hocvuso.core import hooks
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import CoreError, DomainError, NotFound
from hocvuso.core.text import clean
from hocvuso.geo.errors import GeoError
from hocvuso.geo.models import Commune, Village
from hocvuso.registry.errors import RegistryError
from hocvuso.registry.models import Household, Person, Relationship, Transfer
from hocvuso.registry.purposes import Purpose, processing_check
from hocvuso.registry.services.people import household_search_key


def _check(actor: Any, from_commune: str, to: Commune, village: Village | None) -> None:
    if from_commune == to.code:
        raise DomainError(
            RegistryError.MOVE_SAME_COMMUNE,
            _("Choose another commune: within the commune, change the household instead."),
            "commune",
        )
    if not can_move_out(actor, from_commune, to.code):
        raise NotFound()
    if to.retired_at is not None:
        raise DomainError(
            RegistryError.MOVE_RETIRED,
            _("That commune was merged into another one: move them to its successor."),
            "commune",
        )
    if village is not None and village.commune_id != to.code:
        raise DomainError(
            GeoError.VILLAGE_OTHER_COMMUNE, _("The village belongs to another commune."), "village"
        )


def _code_taken() -> DomainError:
    return DomainError(
        RegistryError.DUPLICATE_HOUSEHOLD_CODE,
        _("The other commune already has a household with this code: give another one."),
        "code",
    )


@transaction.atomic
def household_move(
    *,
    actor: Any,
    household: Household,
    to: Commune,
    village: Village | None = None,
    code: str = "",
) -> Transfer:
    """Move ``household`` and its members to commune ``to`` (``village`` of it, if known;
    ``code``: its code there, the same by default)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    old_commune, old_village = household.commune_id, household.village_id
    _check(actor, old_commune, to, village)
    members = list(Person.objects.filter(household=household).values_list("pk", flat=True))
    for person in Person.objects.filter(pk__in=members):
        processing_check(person, Purpose.REGISTRY)
    code = clean(code) or household.code
    with hooks.facts_change(persons=members, households=[household.pk]):
        household.commune, household.village, household.code = to, village, code
        household.search_key = household_search_key(household.code, household.address)
        try:
            with transaction.atomic():
                household.save(
                    update_fields=["commune", "village", "code", "search_key", "updated_at"]
                )
        except IntegrityError as exc:
            raise _code_taken() from exc
        Person.objects.filter(pk__in=members).update(commune=to)
    transfer = Transfer.objects.create(
        kind=Transfer.Kind.HOUSEHOLD,
        household=household,
        from_commune_id=old_commune,
        to_commune=to,
        moved_by=user_or_none(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.HOUSEHOLD_MOVE,
        obj=household,
        changes={
            "commune": [old_commune, to.code],
            "village": [
                str(old_village) if old_village else None,
                str(village.pk) if village else None,
            ],
            "members": len(members),
        },
    )
    hooks.network_changed.send(communes=[old_commune, to.code])
    hooks.persons_moved.send(persons=members)
    if old_village is not None:
        hooks.left_village.send(rows=[("household", household.pk, old_commune, old_village)])
    return transfer


@transaction.atomic
def person_move(
    *,
    actor: Any,
    person: Person,
    to: Commune,
    code: str,
    village: Village | None = None,
    address: str = "",
) -> Transfer:
    """Move ``person`` alone to commune ``to``, into a new household there (``code``, in
    ``village`` if known), of which they are the head."""
    person = Person.objects.select_for_update().select_related("household").get(pk=person.pk)
    old_commune, old_household = person.commune_id, person.household
    _check(actor, old_commune, to, village)
    processing_check(person, Purpose.REGISTRY)
    code = clean(code)
    if not code:
        raise DomainError(CoreError.REQUIRED, _("A household needs a code."), field="code")
    household = Household(commune=to, village=village, code=code, address=clean(address))
    household.search_key = household_search_key(household.code, household.address)
    with hooks.facts_change(persons=[person.pk], households=[old_household.pk]) as tracked:
        try:
            with transaction.atomic():
                household.save()
        except IntegrityError as exc:
            raise _code_taken() from exc
        tracked.add(households=[household.pk])
        was_head = old_household.head_id == person.pk
        person.commune, person.household, person.relationship = to, household, Relationship.HEAD
        person.save(update_fields=["commune", "household", "relationship", "updated_at"])
        household.head = person
        household.save(update_fields=["head", "updated_at"])
        if was_head:
            old_household.head = None
            old_household.save(update_fields=["head", "updated_at"])
    transfer = Transfer.objects.create(
        kind=Transfer.Kind.PERSON,
        person=person,
        from_commune_id=old_commune,
        to_commune=to,
        to_household=household,
        moved_by=user_or_none(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.PERSON_MOVE,
        obj=person,
        changes={
            "commune": [old_commune, to.code],
            "household": [str(old_household.pk), str(household.pk)],
        },
    )
    hooks.network_changed.send(communes=[old_commune, to.code])
    hooks.persons_moved.send(persons=[person.pk])
    if old_household.village_id is not None:
        hooks.left_village.send(rows=[("person", person.pk, old_commune, old_household.village_id)])
    return transfer
