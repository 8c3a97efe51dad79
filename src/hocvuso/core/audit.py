"""The audit trail: every service that changes data calls :func:`audit_record`."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from hocvuso.core.actors import user_or_none
from hocvuso.core.context import current_request_id
from hocvuso.core.models import AuditLog

MASK = "***"


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` (foreign keys by id), ready to diff and store as JSON."""
    out: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _plain(getattr(instance, attname))
    return out


def diff(
    before: Mapping[str, Any], after: Mapping[str, Any], *, masked: Iterable[str] = ()
) -> dict[str, list[Any]]:
    """Field → [old, new] for the fields that changed; ``masked`` fields show only that they did."""
    hidden = set(masked)
    changes: dict[str, list[Any]] = {}
    for key in after:
        old, new = before.get(key), after[key]
        if old != new:
            changes[key] = [MASK, MASK] if key in hidden else [old, new]
    return changes


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    changes: Mapping[str, Any] | None = None,
) -> AuditLog:
    """Append one audit row. ``changes`` must already be masked (see :func:`diff`)."""
    return AuditLog.objects.create(
        actor=user_or_none(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        changes=dict(changes or {}),
        request_id=current_request_id() or "",
    )
