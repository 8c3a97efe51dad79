"""The breach register (Law 91/2025/QH15, Decree 356/2025/NĐ-CP): a breach of personal data is
recorded as soon as it is found, reported to the authority within 72 hours, and the persons
concerned are told. National administrators keep it; every write is audited.

Services and selectors of the register, kept apart from consents and requests (``services``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.access.privacy import can_keep_breaches
from hocvuso.core.audit import AuditAction, audit_record, diff, snapshot
from hocvuso.core.errors import CoreError, DomainError, ensure
from hocvuso.core.fetch import one
from hocvuso.core.text import clean
from hocvuso.geo.models import Commune, Province
from hocvuso.privacy.errors import PrivacyError
from hocvuso.privacy.models import Breach, BreachKind

FIELDS = ["found_at", "kind", "summary", "data_affected", "persons_affected", "containment"]


def _check(found_at: dt.datetime, kind: str, summary: str, persons_affected: int) -> None:
    if timezone.is_naive(found_at):
        raise DomainError(CoreError.INVALID, _("Give the time with a time zone."), "found_at")
    if found_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError(CoreError.INVALID, _("The time cannot be in the future."), "found_at")
    if kind not in BreachKind.values:
        raise DomainError(CoreError.INVALID, _("Choose what happened."), "kind")
    if not summary:
        raise DomainError(CoreError.REQUIRED, _("Describe what happened."), "summary")
    if persons_affected < 0:
        raise DomainError(
            CoreError.INVALID, _("The number cannot be negative."), "persons_affected"
        )


@transaction.atomic
def breach_record(
    *,
    actor: Any,
    found_at: dt.datetime,
    kind: str,
    summary: str,
    data_affected: str = "",
    provinces: Iterable[Province] = (),
    communes: Iterable[Commune] = (),
    persons_affected: int = 0,
    containment: str = "",
) -> Breach:
    ensure(can_keep_breaches(actor))
    summary = clean(summary)
    _check(found_at, kind, summary, persons_affected)
    breach = Breach.objects.create(
        found_at=found_at,
        kind=kind,
        summary=summary,
        data_affected=clean(data_affected),
        persons_affected=persons_affected,
        containment=clean(containment),
        recorded_by=actor,
    )
    breach.provinces.set(list(provinces))
    breach.communes.set(list(communes))
    audit_record(
        actor=actor,
        action=AuditAction.BREACH_RECORD,
        obj=breach,
        changes={
            **diff({}, snapshot(breach, FIELDS)),
            "units": sorted([p.code for p in provinces] + [c.code for c in communes]),
        },
    )
    return breach


def _open(breach: Breach) -> None:
    if breach.closed_at is not None:
        raise DomainError(PrivacyError.BREACH_CLOSED, _("This breach is closed."))


@transaction.atomic
def breach_update(*, actor: Any, breach: Breach, **values: Any) -> Breach:
    """Change what is known of the breach (as the investigation goes on)."""
    ensure(can_keep_breaches(actor))
    _open(breach)
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown breach fields: {sorted(unknown)}")
    before = snapshot(breach, FIELDS)
    for name, value in values.items():
        setattr(breach, name, clean(value) if isinstance(value, str) and name != "kind" else value)
    _check(breach.found_at, breach.kind, breach.summary, breach.persons_affected)
    changes = diff(before, snapshot(breach, FIELDS))
    if changes:
        breach.save()
        audit_record(actor=actor, action=AuditAction.BREACH_UPDATE, obj=breach, changes=changes)
    return breach


@transaction.atomic
def breach_notify_authority(
    *, actor: Any, breach: Breach, at: dt.datetime | None = None, reference: str = ""
) -> Breach:
    """The authority was told (the date, and its reference if it gave one). Idempotent."""
    ensure(can_keep_breaches(actor))
    _open(breach)
    if breach.authority_notified_at is None:
        breach.authority_notified_at = at or timezone.now()
        breach.authority_reference = clean(reference)[:100]
        breach.save(update_fields=["authority_notified_at", "authority_reference", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.BREACH_NOTIFY_AUTHORITY,
            obj=breach,
            changes={
                "at": breach.authority_notified_at.isoformat(),
                "late": breach.authority_notified_at > breach.notify_by,
            },
        )
    return breach


@transaction.atomic
def breach_notify_persons(
    *, actor: Any, breach: Breach, notice: str, at: dt.datetime | None = None
) -> Breach:
    """The persons concerned were told (what they were told is kept). Idempotent."""
    ensure(can_keep_breaches(actor))
    _open(breach)
    notice = clean(notice)
    if not notice:
        raise DomainError(CoreError.REQUIRED, _("Write what the persons were told."), "notice")
    if breach.persons_notified_at is None:
        breach.persons_notified_at = at or timezone.now()
        breach.persons_notice = notice
        breach.save(update_fields=["persons_notified_at", "persons_notice", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.BREACH_NOTIFY_PERSONS,
            obj=breach,
            changes={"at": breach.persons_notified_at.isoformat()},
        )
    return breach


@transaction.atomic
def breach_close(*, actor: Any, breach: Breach) -> Breach:
    """Close the case once the authority has been told."""
    ensure(can_keep_breaches(actor))
    if breach.closed_at is not None:
        return breach
    if breach.authority_notified_at is None:
        raise DomainError(
            CoreError.INVALID, _("Report the breach to the authority before closing it.")
        )
    breach.closed_at = timezone.now()
    breach.save(update_fields=["closed_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.BREACH_CLOSE, obj=breach, changes={})
    return breach


def breach_list(*, actor: Any) -> QuerySet[Breach]:
    """Open breaches first (the one due soonest first), then the closed ones."""
    ensure(can_keep_breaches(actor))
    return Breach.objects.prefetch_related("provinces", "communes").order_by(
        "closed_at", "authority_notified_at", "found_at"
    )


def breach_get(actor: Any, breach_id: Any) -> Breach:
    ensure(can_keep_breaches(actor))
    return one(Breach.objects.prefetch_related("provinces", "communes"), breach_id)


def breaches_overdue(*, actor: Any) -> int:
    """How many open breaches passed their 72 hours unreported (shown on the register's link)."""
    ensure(can_keep_breaches(actor))
    cutoff = timezone.now() - dt.timedelta(hours=72)
    return Breach.objects.filter(authority_notified_at__isnull=True, found_at__lt=cutoff).count()
