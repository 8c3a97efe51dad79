"""Writes about personal data protection: consent, data-subject requests, export, erasure.

Who may do what:

- commune officers of the person's commune (and national admins) record and withdraw consent,
  record, acknowledge and complete requests, and erase;
- the person themself (a citizen user whose scope holds the person) gives and withdraws their own
  consent in the app, files their own requests and downloads their own data;
- province officers oversee: they read (and may download a person's data for them) but do not
  write.

Everyone else gets not-found, as everywhere else in hocvuso.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.access.privacy import (
    can_handle_requests,
    can_keep_privacy,
    can_read_audit,
    can_read_privacy,
)
from hocvuso.access.units import can_edit_commune
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import MASK, AuditAction, audit_record
from hocvuso.core.errors import CoreError, DomainError, NotFound, ensure
from hocvuso.core.models import AuditLog
from hocvuso.core.personal_data import identifiers, providers, scrub_text
from hocvuso.core.text import clean, unaccent
from hocvuso.privacy.errors import PrivacyError
from hocvuso.privacy.models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    DataRequest,
    RequestChannel,
    RequestKind,
)
from hocvuso.registry.cccd import reveal
from hocvuso.registry.errors import RegistryError
from hocvuso.registry.models import Person
from hocvuso.registry.personal_data import ERASED_FIELDS
from hocvuso.registry.purposes import BASIS, Basis


def _ensure_not_erased(person: Person) -> None:
    if person.erased_at is not None:
        raise DomainError(RegistryError.PERSON_ERASED, _("This person's data has been erased."))


# --- Consent ------------------------------------------------------------------------------------


def _purposes_change(person: Person, *, consented: str = "", withdrawn: str = "") -> None:
    """Keep the person's purposes (registry.purposes) current with a consent given or
    withdrawn: giving one for a purpose also lifts an earlier objection to it (the person's own
    newer choice); withdrawing one of a public-task purpose withholds it."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    given = set(person.purposes_consented or ())
    withheld = set(person.purposes_withheld or ())
    if consented:
        given.add(consented)
        withheld.discard(consented)
    if withdrawn:
        given.discard(withdrawn)
        if BASIS[withdrawn] == Basis.PUBLIC_TASK:
            withheld.add(withdrawn)
    person.purposes_consented = sorted(given) or None
    person.purposes_withheld = sorted(withheld) or None
    person.save(update_fields=["purposes_consented", "purposes_withheld", "updated_at"])


@transaction.atomic
def consent_record(
    *,
    actor: Any,
    person: Person,
    purpose: str,
    method: str,
    given_at: dt.datetime | None = None,
    witness: str = "",
) -> Consent:
    """Record a consent. A person giving consent in the app can only do so as themself; a verbal
    consent needs a witness. An active consent for the same purpose is returned unchanged."""
    if not can_keep_privacy(actor, person):
        raise NotFound()
    _ensure_not_erased(person)
    if purpose not in ConsentPurpose.values:
        raise DomainError(CoreError.INVALID, _("Choose what the consent is for."), "purpose")
    if method not in ConsentMethod.values:
        raise DomainError(CoreError.REQUIRED, _("Choose how the consent was given."), "method")
    officer = can_edit_commune(actor, person.commune_id)
    if not officer and method != ConsentMethod.APP:
        raise DomainError(CoreError.INVALID, _("Only the commune can record this."), "method")
    witness = clean(witness)
    if method == ConsentMethod.VERBAL and not witness:
        raise DomainError(
            PrivacyError.WITNESS_REQUIRED, _("A verbal consent needs a witness."), "witness"
        )
    now = timezone.now()
    if given_at is None:
        given_at = now
    if given_at > now:
        raise DomainError(CoreError.INVALID, _("The date cannot be in the future."), "given_at")
    existing = (
        Consent.objects.select_for_update()
        .filter(person=person, purpose=purpose, withdrawn_at__isnull=True)
        .first()
    )
    if existing is not None:
        return existing
    _purposes_change(person, consented=purpose)
    consent = Consent.objects.create(
        person=person,
        purpose=purpose,
        method=method,
        witness=witness if method == ConsentMethod.VERBAL else "",
        given_at=given_at,
        recorded_by=user_or_none(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT_RECORD,
        obj=consent,
        changes={
            "person": str(person.pk),
            "purpose": purpose,
            "method": method,
            "given_at": given_at.isoformat(),
        },
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Any, consent: Consent) -> Consent:
    """Withdraw a consent: the row stays, with when and by whom. Withdrawing twice changes
    nothing."""
    person = consent.person
    if not can_keep_privacy(actor, person):
        raise NotFound()
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        return consent
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = user_or_none(actor)
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "updated_at"])
    _purposes_change(person, withdrawn=consent.purpose)
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT_WITHDRAW,
        obj=consent,
        changes={"person": str(person.pk), "purpose": consent.purpose},
    )
    return consent


# --- Data-subject requests ----------------------------------------------------------------------


@transaction.atomic
def data_request_create(
    *,
    actor: Any,
    person: Person,
    kind: str,
    channel: str,
    received_at: dt.datetime | None = None,
    notes: str = "",
) -> DataRequest:
    """Record a request, from the person (in the app) or taken by an officer on their behalf."""
    if not can_keep_privacy(actor, person):
        raise NotFound()
    if kind not in RequestKind.values:
        raise DomainError(CoreError.REQUIRED, _("Choose what the person asks for."), "kind")
    officer = can_edit_commune(actor, person.commune_id)
    if not officer:
        channel = RequestChannel.APP
    if channel not in RequestChannel.values:
        raise DomainError(CoreError.REQUIRED, _("Choose how the request was received."), "channel")
    now = timezone.now()
    if received_at is None or not officer:
        received_at = now
    if received_at > now:
        raise DomainError(CoreError.INVALID, _("The date cannot be in the future."), "received_at")
    request = DataRequest.objects.create(
        person=person,
        kind=kind,
        channel=channel,
        received_at=received_at,
        requested_by=user_or_none(actor),
        notes=clean(notes),
    )
    audit_record(
        actor=actor,
        action=AuditAction.PRIVACY_REQUEST,
        obj=request,
        changes={
            "person": str(person.pk),
            "kind": kind,
            "channel": channel,
            "received_at": received_at.isoformat(),
        },
    )
    return request


def _ensure_officer(actor: Any, request: DataRequest) -> None:
    ensure(can_handle_requests(actor, request.person))


@transaction.atomic
def data_request_acknowledge(*, actor: Any, request: DataRequest) -> DataRequest:
    """The commune tells the person their request was received (due in 2 working days)."""
    _ensure_officer(actor, request)
    if request.acknowledged_at is not None:
        return request
    request.acknowledged_at = timezone.now()
    request.acknowledged_by = user_or_none(actor)
    request.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.PRIVACY_REQUEST_ACKNOWLEDGE,
        obj=request,
        changes={"late": request.overdue},
    )
    return request


def _complete(actor: Any, request: DataRequest, notes: str = "") -> None:
    now = timezone.now()
    fields = ["completed_at", "completed_by", "updated_at"]
    if request.acknowledged_at is None:
        request.acknowledged_at = now
        request.acknowledged_by = user_or_none(actor)
        fields += ["acknowledged_at", "acknowledged_by"]
    request.completed_at = now
    request.completed_by = user_or_none(actor)
    notes = clean(notes)
    if notes:
        request.notes = f"{request.notes}\n{notes}".strip()
        fields.append("notes")
    request.save(update_fields=fields)


@transaction.atomic
def data_request_complete(
    *, actor: Any, request: DataRequest, notes: str = "", purpose: str = ""
) -> DataRequest:
    """Close a request once it has been handled (an erasure closes itself: see person_erase).

    Completing a restriction request restricts the person (read-only, off worklists and
    contact lists: registry.purposes) until :func:`restriction_lift`; completing an objection
    request stops the processing for the ``purpose`` objected to. Both audited."""
    _ensure_officer(actor, request)
    if request.completed_at is not None:
        return request
    if request.kind == RequestKind.ERASURE and request.person.erased_at is None:
        raise DomainError(
            PrivacyError.WRONG_REQUEST, _("Erase the person's data to complete this request.")
        )
    if request.kind == RequestKind.OBJECTION and purpose not in BASIS:
        raise DomainError(
            CoreError.REQUIRED, _("Choose the processing the person objects to."), "purpose"
        )
    person = Person.objects.select_for_update().get(pk=request.person_id)
    if request.kind == RequestKind.RESTRICTION and person.restricted_at is None:
        person.restricted_at = timezone.now()
        person.save(update_fields=["restricted_at", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.PERSON_RESTRICT,
            obj=person,
            changes={"request": str(request.pk)},
        )
    if request.kind == RequestKind.OBJECTION:
        withheld = set(person.purposes_withheld or ())
        withheld.add(purpose)
        person.purposes_withheld = sorted(withheld)
        person.save(update_fields=["purposes_withheld", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.PERSON_OBJECT,
            obj=person,
            changes={"request": str(request.pk), "purpose": purpose},
        )
    _complete(actor, request, notes)
    audit_record(actor=actor, action=AuditAction.PRIVACY_REQUEST_COMPLETE, obj=request, changes={})
    return request


@transaction.atomic
def restriction_lift(*, actor: Any, person: Person) -> Person:
    """End a restriction (its reason has passed, or the person asks): processing resumes.
    Lifting when not restricted changes nothing."""
    if not can_edit_commune(actor, person.commune_id):
        raise NotFound()
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.restricted_at is None:
        return person
    since = person.restricted_at
    person.restricted_at = None
    person.save(update_fields=["restricted_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.PERSON_UNRESTRICT,
        obj=person,
        changes={"restricted_since": since.isoformat()},
    )
    return person


# --- Access: everything held about a person -----------------------------------------------------


def person_export(*, actor: Any, person: Person, fmt: str) -> dict[str, Any]:
    """Everything hocvuso holds about the person, for them (or an officer on their behalf).

    Audited (``privacy.export``). CCCD only masked; no hashes, no ciphertext; other household
    members' data is not included.
    """
    from hocvuso.privacy.selectors import person_data

    if not can_read_privacy(actor, person):
        raise NotFound()
    audit_record(
        actor=actor, action=AuditAction.PRIVACY_EXPORT, obj=person, changes={"format": fmt}
    )
    return person_data(person)


# --- Erasure --------------------------------------------------------------------------------------


def _redact_audit_rows(person: Person) -> int:
    """Replace the values of the erased fields in earlier audit rows about the person.

    The rows themselves (who did what, when) stay. On PostgreSQL the append-only trigger on
    ``core_auditlog`` lets exactly this through: only ``changes`` may change, and only inside a
    transaction that set ``hocvuso.audit_redact`` (see privacy migration 0002).
    """
    rows = list(
        AuditLog.objects.filter(
            object_type=person._meta.label_lower, object_id=str(person.pk)
        ).only("id", "changes")
    )
    changed = []
    for row in rows:
        if not isinstance(row.changes, dict):
            continue
        redacted = {k: ([MASK, MASK] if k in ERASED_FIELDS else v) for k, v in row.changes.items()}
        if redacted != row.changes:
            row.changes = redacted
            changed.append(row)
    if not changed:
        return 0
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SELECT set_config('hocvuso.audit_redact', 'on', true)")
        AuditLog.objects.bulk_update(changed, ["changes"])
        if postgres:
            cursor.execute("SELECT set_config('hocvuso.audit_redact', 'off', true)")
    return len(changed)


@transaction.atomic
def person_erase(*, actor: Any, person: Person, request: DataRequest) -> Person:
    """Anonymise a person on their erasure request while keeping every count.

    Every app's provider (``core.personal_data``) erases what it holds about the person: the
    registry clears the name (a placeholder), full date of birth, CCCD, phone, ethnicity, special
    needs and search key; consents still given are withdrawn; citizen accounts lose their link
    (and close when they have no other role); the notes of skill events, back-checks and
    mentoring sessions are cleared. Then the person's name (with and without diacritics), phone
    number (both written forms) and CCCD are replaced wherever a helper wrote them in a free-text
    column of the commune — on other people's rows as well. Earlier audit rows about the person
    lose the erased values. Rows and counted columns stay, so every figure is unchanged.
    Audited (``person.erase``) with what changed and no old value. Erasing again changes nothing.
    """
    if not can_edit_commune(actor, person.commune_id):
        raise NotFound()
    if request.person_id != person.pk or request.kind != RequestKind.ERASURE:
        raise DomainError(
            PrivacyError.WRONG_REQUEST, _("Erasure needs an erasure request from this person.")
        )
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.erased_at is not None:
        return person
    # The records merged into the person (tombstones of the same human) go with them.
    tombs = list(
        Person.all_objects.select_for_update().filter(merged_into=person, erased_at__isnull=True)
    )
    values = _identifying_values(person)
    for tomb in tombs:
        values = identifiers(*values, *_identifying_values(tomb))
    changed: dict[str, int] = {}
    for provider in providers():
        if provider.erase is not None:
            changed.update(provider.erase(person, actor))
            for tomb in tombs:
                for name, n in provider.erase(tomb, actor).items():
                    changed[name] = changed.get(name, 0) + n
    scrubbed = scrub_text(values, commune=person.commune_id)
    redacted = _redact_audit_rows(person) + sum(_redact_audit_rows(t) for t in tombs)
    request = DataRequest.objects.select_for_update().get(pk=request.pk)
    if request.completed_at is None:
        _complete(actor, request)
    audit_record(
        actor=actor,
        action=AuditAction.PERSON_ERASE,
        obj=person,
        changes={
            "erased": list(ERASED_FIELDS),
            "request": str(request.pk),
            "audit_rows_redacted": redacted,
            "merged_records_erased": len(tombs),
            **changed,
            "free_text_scrubbed": sum(scrubbed.values()),
        },
    )
    return person


def _identifying_values(person: Person) -> list[str]:
    """What may name the person inside someone's note: the full name as written and without
    diacritics, the phone number in its stored (+84…) and national (0…) forms, the CCCD."""
    phone = person.phone or ""
    national = "0" + phone[3:] if phone.startswith("+84") else ""
    number = reveal(person.cccd_ciphertext) if person.cccd_ciphertext else ""
    return identifiers(person.full_name, unaccent(person.full_name), phone, national, number)


def audit_export_record(*, actor: Any, filters: dict[str, str], rows: int) -> AuditLog:
    """Record that the actor downloaded audit rows (``audit.export``)."""
    ensure(can_read_audit(actor))
    return audit_record(
        actor=actor,
        action=AuditAction.AUDIT_EXPORT,
        obj=actor,
        changes={"filters": {k: v for k, v in filters.items() if v}, "rows": rows},
    )
