"""What privacy holds about a person: their consents and requests, and — for the export — the
audit rows about them (who did what with their data). Erasure withdraws the consents still
given; the requests and the consents' history stay (they are the record of the law being kept).
The audit rows are redacted by the erasure itself (``privacy.services``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import AuditAction, items_about
from hocvuso.core.export import label, user_name, when
from hocvuso.core.models import AuditLog
from hocvuso.core.personal_data import FreeText, Provider, register
from hocvuso.privacy.models import Consent, DataRequest


def export(person: Any) -> dict[str, Any]:
    consents = list(person.consents.select_related("recorded_by", "withdrawn_by"))
    requests = list(person.data_requests.select_related("requested_by"))
    about = Q(object_type=person._meta.label_lower, object_id=str(person.pk))
    if consents:
        about |= Q(
            object_type=Consent._meta.label_lower, object_id__in=[str(c.pk) for c in consents]
        )
    if requests:
        about |= Q(
            object_type=DataRequest._meta.label_lower,
            object_id__in=[str(r.pk) for r in requests],
        )
    audit = AuditLog.objects.filter(about).select_related("actor").order_by("id")
    lines = [
        {
            "at": when(a.at),
            "action": a.action,
            "action_label": label(AuditAction, a.action),
            "by": user_name(a.actor) or "system",
            "object_type": a.object_type,
            "changes": a.changes,
        }
        for a in audit
    ]
    # A bulk change's lines about the person (an import that added or changed them): who and
    # when come from the change's own entry.
    lines += [
        {
            "at": when(entry.at) if entry else None,
            "action": item.action,
            "action_label": label(AuditAction, item.action),
            "by": (user_name(entry.actor) or "system") if entry else None,
            "object_type": person._meta.label_lower,
            "changes": {"entry": item.entry_id, "fields": item.fields},
        }
        for item, entry in items_about(person.pk)
    ]
    lines.sort(key=lambda line: line["at"] or "")
    return {
        "consents": [
            {
                "id": str(c.pk),
                "purpose": c.purpose,
                "purpose_label": str(c.get_purpose_display()),
                "method": c.method,
                "method_label": str(c.get_method_display()),
                "witness": c.witness,
                "given_at": when(c.given_at),
                "recorded_by": user_name(c.recorded_by),
                "withdrawn_at": when(c.withdrawn_at),
                "withdrawn_by": user_name(c.withdrawn_by),
            }
            for c in consents
        ],
        "requests": [
            {
                "id": str(r.pk),
                "kind": r.kind,
                "kind_label": str(r.get_kind_display()),
                "channel": r.channel,
                "received_at": when(r.received_at),
                "acknowledge_by": when(r.acknowledge_by),
                "acknowledged_at": when(r.acknowledged_at),
                "completed_at": when(r.completed_at),
                "notes": r.notes,
            }
            for r in requests
        ],
        "audit": lines,
    }


def erase(person: Any, actor: Any) -> dict[str, int]:
    now = timezone.now()
    withdrawn = Consent.objects.filter(person=person, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_by=user_or_none(actor), updated_at=now
    )
    return {"consents_withdrawn": withdrawn}


register(
    Provider(
        app="privacy",
        models=("privacy.consent", "privacy.datarequest"),
        export=export,
        erase=erase,
        free_text=(
            FreeText("privacy.consent", "witness", "person__commune"),
            FreeText("privacy.datarequest", "notes", "person__commune"),
            FreeText("privacy.breach", "summary"),
            FreeText("privacy.breach", "data_affected"),
            FreeText("privacy.breach", "containment"),
            FreeText("privacy.breach", "persons_notice"),
        ),
    )
)
