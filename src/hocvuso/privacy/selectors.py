"""Reads about personal data protection, always through the actor's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hocvuso.access.privacy import can_read_audit, can_read_privacy
from hocvuso.access.registry import person_q
from hocvuso.access.units import is_officer
from hocvuso.accounts.models import PhoneVerification, RoleAssignment
from hocvuso.core.audit import item_entries
from hocvuso.core.errors import NotFound, ensure
from hocvuso.core.export import when
from hocvuso.core.models import AuditLog
from hocvuso.core.personal_data import providers
from hocvuso.geo.models import Commune
from hocvuso.privacy.models import Consent, DataRequest
from hocvuso.registry.models import Person
from hocvuso.registry.selectors import person_get

AUDIT_PAGE_SIZE = 50


def privacy_person_get(actor: Any, person_id: Any) -> Person:
    """The person, if the actor may see their consents, requests and data (officers of the
    commune and above, and the person themself); not-found otherwise."""
    person = person_get(actor, person_id)
    if not can_read_privacy(actor, person):
        raise NotFound()
    return person


def _in_scope(qs: QuerySet[Any], actor: Any) -> QuerySet[Any]:
    return qs.filter(person__in=Person.objects.filter(person_q(actor)).values("pk"))


def consent_get(actor: Any, consent_id: Any) -> Consent:
    try:
        consent = _in_scope(Consent.objects.select_related("person"), actor).get(pk=consent_id)
    except (Consent.DoesNotExist, ValueError):
        raise NotFound() from None
    if not can_read_privacy(actor, consent.person):
        raise NotFound()
    return consent


def data_request_get(actor: Any, request_id: Any) -> DataRequest:
    qs = DataRequest.objects.select_related("person__household", "person__commune")
    try:
        request = _in_scope(qs, actor).get(pk=request_id)
    except (DataRequest.DoesNotExist, ValueError):
        raise NotFound() from None
    if not can_read_privacy(actor, request.person):
        raise NotFound()
    return request


def consent_list(*, actor: Any, person: Person) -> QuerySet[Consent]:
    """The person's whole consent history, newest first."""
    if not can_read_privacy(actor, person):
        raise NotFound()
    return person.consents.select_related("recorded_by", "withdrawn_by").order_by("-given_at")


def data_request_list(*, actor: Any, person: Person) -> QuerySet[DataRequest]:
    if not can_read_privacy(actor, person):
        raise NotFound()
    return person.data_requests.order_by("-received_at")


def commune_data_requests(
    *, actor: Any, commune: Commune, status: str = ""
) -> QuerySet[DataRequest]:
    """A commune's data-subject requests (officers of the commune and above), newest first;
    ``status="open"`` keeps those not completed yet."""
    if not is_officer(actor, commune.code):
        raise NotFound()
    qs = DataRequest.objects.filter(person__commune=commune)
    if status == "open":
        qs = qs.filter(completed_at__isnull=True)
    return qs.order_by("-received_at", "-pk")


def data_request_rows(ids: list[Any]) -> QuerySet[DataRequest]:
    """The requests ``ids`` (a page of :func:`commune_data_requests`) with their person and who
    asked: for ``core.web.paginate(..., rows=data_request_rows)``."""
    return DataRequest.objects.filter(pk__in=ids).select_related(
        "person__household", "requested_by"
    )


def person_data(person: Person) -> dict[str, Any]:
    """Everything held about one person, as plain JSON-ready values: each app's provider gives
    its sections (``core.personal_data``; see services.person_export, which checks the actor and
    records the export)."""
    data: dict[str, Any] = {"exported_at": when(timezone.now())}
    for provider in providers():
        data.update(provider.export(person))
    return data


# --- The auditor's view ---------------------------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_search(
    *,
    actor: Any,
    username: str = "",
    object_type: str = "",
    object_id: str = "",
    action: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditLog]:
    """Audit rows, newest first, for national administrators only.

    ``username`` is exact (``system`` for rows written by commands and jobs); ``action`` matches
    a prefix (``person.`` finds every person action); ``since``/``until`` are local days, both
    included.
    """
    ensure(can_read_audit(actor))
    qs = AuditLog.objects.select_related("actor")
    if username:
        qs = (
            qs.filter(actor__isnull=True)
            if username == "system"
            else qs.filter(actor__username=username)
        )
    about = Q()
    if object_type:
        about &= Q(object_type=object_type)
    if object_id:
        about &= Q(object_id=object_id)
        # A bulk change (an import) that touched the object: its entry, found by its items.
        entries = item_entries(object_id)
        if entries is not None:
            about |= Q(id__in=entries)
    qs = qs.filter(about)
    if action:
        qs = qs.filter(action__startswith=action)
    if since is not None:
        qs = qs.filter(at__gte=_day_start(since))
    if until is not None:
        qs = qs.filter(at__lt=_day_start(until + dt.timedelta(days=1)))
    return qs.order_by("-id")


def linked_accounts(*, actor: Any, person: Person) -> list[str]:
    """Usernames of the citizen accounts linked to the person (keepers only; else empty)."""
    from hocvuso.access.units import can_edit_commune

    if not can_edit_commune(actor, person.commune_id):
        return []
    return list(
        RoleAssignment.objects.filter(
            person=person, role="citizen", revoked_at__isnull=True
        ).values_list("user__username", flat=True)
    )


@dataclass(frozen=True)
class SmsRate:
    """Verification text messages of the last hour and day (the national admin watches for
    SMS pumping): sent, not sent because the number already has an account, the busiest
    address's requests this hour — and the limits in force."""

    sent_hour: int
    sent_day: int
    registered_hour: int
    addresses_hour: int
    busiest_address_hour: int
    limit_per_number: int
    limit_per_address: int
    limit_in_all: int


def sms_rate(*, actor: Any) -> SmsRate:
    ensure(can_read_audit(actor))
    now = timezone.now()
    hour = PhoneVerification.objects.filter(created_at__gt=now - dt.timedelta(hours=1))
    day = PhoneVerification.objects.filter(created_at__gt=now - dt.timedelta(days=1))
    per_address = list(
        hour.exclude(client="")
        .values("client")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("n", flat=True)
    )
    return SmsRate(
        sent_hour=hour.filter(sent=True).count(),
        sent_day=day.filter(sent=True).count(),
        registered_hour=hour.filter(sent=False).count(),
        addresses_hour=len(per_address),
        busiest_address_hour=per_address[0] if per_address else 0,
        limit_per_number=int(settings.HOCVUSO_PHONE_CODES_PER_HOUR),
        limit_per_address=int(settings.HOCVUSO_SMS_PER_ADDRESS_PER_HOUR),
        limit_in_all=int(settings.HOCVUSO_SMS_PER_HOUR),
    )
