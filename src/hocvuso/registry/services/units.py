"""The remote / difficult and ethnic-minority flags of communes: set by the province (the level
above sets what steers targets and priorities), audited, and the figures broken down by area
brought up to date in the same transaction (``core.hooks.areas_changed``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from hocvuso.access.units import can_set_unit_flags
from hocvuso.core import hooks
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import NotFound
from hocvuso.geo.models import Commune

FLAGS = ("is_remote", "is_ethnic_minority")


@transaction.atomic
def commune_flags_set(
    *, actor: Any, province_code: str, flags: Mapping[str, tuple[bool, bool]]
) -> int:
    """Set ``(is_remote, is_ethnic_minority)`` of communes of one province (code → flags);
    returns how many changed. A commune of another province, or a province the actor does not
    oversee, is not found (nothing is written)."""
    communes = {
        c.code: c
        for c in Commune.objects.select_for_update().filter(
            province_id=province_code, code__in=list(flags)
        )
    }
    if len(communes) != len(flags):
        raise NotFound()
    changed: list[str] = []
    for code, (remote, minority) in flags.items():
        commune = communes[code]
        if not can_set_unit_flags(actor, commune):
            raise NotFound()
        before = (commune.is_remote, commune.is_ethnic_minority)
        after = (bool(remote), bool(minority))
        if before == after:
            continue
        commune.is_remote, commune.is_ethnic_minority = after
        commune.save(update_fields=list(FLAGS))
        audit_record(
            actor=actor,
            action=AuditAction.UNIT_FLAGS,
            obj=commune,
            changes={
                name: [old, new]
                for name, old, new in zip(FLAGS, before, after, strict=True)
                if old != new
            },
        )
        changed.append(code)
    if changed:
        hooks.areas_changed.send(provinces=[province_code], communes=changed)
    return len(changed)
