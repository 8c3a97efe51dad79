"""The field app: who may install it, where a record made on a phone may land, who sees the
devices and resolves their conflicts."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from hocvuso.access.registry import household_q
from hocvuso.access.scope import nothing_q, scope_of
from hocvuso.access.units import can_edit_commune


def can_use_field_app(actor: Any) -> bool:
    """Register a device: anyone who records in the field — team members, desk staff, youth
    volunteers, commune officers, national admins."""
    s = scope_of(actor)
    return bool(s.national or s.communes or s.desk_communes or s.villages or s.youth_communes)


def may_place_household(actor: Any, village: Any) -> bool:
    """A household made on a phone lands in ``village``: a team member's own villages only; the
    commune's keepers, desk staff and youth volunteers anywhere in it."""
    s = scope_of(actor)
    if s.national or village.pk in s.villages:
        return True
    return village.commune_id in s.communes | s.desk_communes | s.youth_communes


def field_communes(actor: Any) -> list[str]:
    """The communes a device of ``actor`` works in (the first is recorded on the device)."""
    s = scope_of(actor)
    return sorted(s.communes | s.desk_communes | s.village_communes | s.youth_communes)


def can_watch_devices(actor: Any, commune_code: str) -> bool:
    """The commune's devices and conflicts: its keepers (commune officers, national admins)."""
    return can_edit_commune(actor, commune_code)


def device_q(actor: Any, prefix: str = "") -> Q:
    """Devices (or their conflicts) the actor watches: those of communes they keep."""
    s = scope_of(actor)
    if s.national:
        return Q()
    if not s.communes:
        return nothing_q()
    return Q(**{f"{prefix}commune_id__in": s.communes})


def work_households_q(actor: Any, prefix: str = "") -> Q:
    """The households of a device's work set: those the actor sees, in the communes they work
    in the field (a team member's villages, a commune's registry for its officers and desk
    staff; nothing for a national admin or a youth volunteer, who hold no registry)."""
    communes = field_communes(actor)
    if not communes:
        return nothing_q()
    return household_q(actor, prefix) & Q(**{f"{prefix}commune_id__in": communes})


def work_set_key(actor: Any) -> str:
    """What the work set depends on, as a string: when it changes (a role revoked, a team's
    villages moved), a device's next pull starts again from an empty copy."""
    s = scope_of(actor)
    parts = [
        ",".join(sorted(s.communes)),
        ",".join(sorted(s.desk_communes)),
        ",".join(sorted(str(v) for v in s.villages)),
        ",".join(sorted(str(t) for t in s.teams)),
        ",".join(sorted(s.youth_communes)),
    ]
    return "|".join(parts)
