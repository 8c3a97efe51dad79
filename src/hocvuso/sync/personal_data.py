"""What the sync app holds about a person: the conflicts of offline edits of their details (the
values on the server, on the phone, and before). The devices themselves belong to users, not to
the registry's people. Erasure keeps each conflict row (who pushed what, when, and the decision)
and replaces every value it holds with the erased mark; an open one is closed as kept — the
erased record is what stays."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from hocvuso.core.actors import user_or_none
from hocvuso.core.export import user_name, when
from hocvuso.core.personal_data import ERASED_TEXT, Provider, move_rows, register
from hocvuso.sync.models import Conflict, ConflictStatus


def _about(person: Any) -> Any:
    return Conflict.objects.filter(object_type="person", object_id=person.pk)


def export(person: Any) -> dict[str, Any]:
    return {
        "field_app_conflicts": [
            {
                "id": str(c.pk),
                "device": c.device.name,
                "pushed_by": user_name(c.device.user),
                "at": when(c.created_at),
                "fields": c.fields,
                "decision": c.status,
                "decided_by": user_name(c.resolved_by),
                "decided_at": when(c.resolved_at),
            }
            for c in _about(person)
            .select_related("device__user", "resolved_by")
            .order_by("created_at")
        ]
    }


def erase(person: Any, actor: Any) -> dict[str, int]:
    changed = 0
    now = timezone.now()
    for c in _about(person):
        c.fields = {
            name: {side: ERASED_TEXT for side in values} for name, values in c.fields.items()
        }
        if c.status == ConflictStatus.OPEN:
            c.status = ConflictStatus.KEPT
            c.resolved_at = now
            c.resolved_by = user_or_none(actor)
        c.save(update_fields=["fields", "status", "resolved_at", "resolved_by", "updated_at"])
        changed += 1
    return {"field_app_conflicts": changed}


def reassign(
    source: Any, target: Any, rows: dict[str, list[str]] | None, actor: Any
) -> dict[str, list[str]]:
    """Conflicts about the duplicate's details are the survivor's to decide."""
    return move_rows(
        "sync.conflict",
        "object_id",
        source,
        target,
        rows,
        value=lambda p: p.pk,
        extra=Q(object_type="person"),
    )


register(
    Provider(app="sync", models=("sync.conflict",), export=export, erase=erase, reassign=reassign)
)
