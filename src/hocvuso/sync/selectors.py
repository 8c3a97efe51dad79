"""Reads of the sync app: the device behind a bearer secret; a commune's devices and its
conflicts to decide."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from hocvuso.access.sync import can_watch_devices, device_q
from hocvuso.accounts.services.tokens import TOKEN_PREFIX, token_hash
from hocvuso.core.errors import ensure
from hocvuso.core.fetch import one
from hocvuso.geo.models import Commune
from hocvuso.registry.models import Household, Person
from hocvuso.sync.errors import SyncError
from hocvuso.sync.models import Conflict, ConflictStatus, Device


def device_by_secret(secret: str) -> tuple[Device | None, SyncError | None]:
    """The device whose token this is, or why not: one indexed query. An expired or revoked
    token (or a deactivated account) is told apart, so the app knows to wipe its copy."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None, SyncError.TOKEN_INVALID
    device = (
        Device.objects.select_related("token", "user")
        .filter(token__token_hash=token_hash(secret))
        .first()
    )
    if device is None:
        return None, SyncError.TOKEN_INVALID
    if device.token.revoked_at is not None or not device.user.is_active:
        return None, SyncError.TOKEN_REVOKED
    if device.token.expires_at <= timezone.now():
        return None, SyncError.TOKEN_EXPIRED
    return device, None


# --- The commune officer's page: devices and conflicts ---------------------------------------

SILENT_AFTER = dt.timedelta(days=7)  # a device not heard of for a week is flagged


@dataclass(frozen=True)
class DeviceRow:
    device: Device
    last_seen: dt.datetime | None
    silent: bool
    revoked: bool


def _device_order(r: DeviceRow) -> tuple[bool, bool, float, str]:
    """Silent devices first, then the others by their last contact, signed-out ones last."""
    seen = r.last_seen.timestamp() if r.last_seen else 0.0
    return (r.revoked, not r.silent, -seen, r.device.name)


def commune_devices(*, actor: Any, commune: Commune) -> list[DeviceRow]:
    """The commune's field devices (keepers only), silent ones first: each one's user, last
    push or pull, and the records it said were still waiting. One query."""
    ensure(can_watch_devices(actor, commune.code))
    now = timezone.now()
    rows = []
    for d in Device.objects.filter(device_q(actor), commune=commune).select_related(
        "user", "token"
    ):
        seen = max((t for t in (d.last_push_at, d.last_pull_at) if t), default=None)
        revoked = d.token.revoked_at is not None or d.token.expires_at <= now
        silent = not revoked and (seen is None or now - seen > SILENT_AFTER)
        rows.append(DeviceRow(d, seen, silent, revoked))
    rows.sort(key=_device_order)
    return rows


@dataclass(frozen=True)
class FieldClash:
    label: str
    base: Any
    server: Any
    theirs: Any


@dataclass(frozen=True)
class ConflictRow:
    conflict: Conflict
    about: str  # the person's name or the household's code
    fields: list[FieldClash]


def _label(model: Any, name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def open_conflicts(*, actor: Any, commune: Commune) -> list[ConflictRow]:
    """The commune's conflicts still to decide, oldest first, with what each side holds
    (three queries: the conflicts, the people and the households they are about)."""
    ensure(can_watch_devices(actor, commune.code))
    conflicts = list(
        Conflict.objects.filter(device_q(actor), commune=commune, status=ConflictStatus.OPEN)
        .select_related("device__user")
        .order_by("created_at")
    )
    ids = {c.object_id for c in conflicts}
    names = dict(Person.objects.filter(pk__in=ids).values_list("pk", "full_name"))
    codes = dict(Household.objects.filter(pk__in=ids).values_list("pk", "code"))
    out = []
    for c in conflicts:
        model = Person if c.object_type == "person" else Household
        fields = [
            FieldClash(_label(model, name), v.get("base"), v.get("server"), v.get("theirs"))
            for name, v in sorted(c.fields.items())
        ]
        about = names.get(c.object_id) or codes.get(c.object_id) or ""
        out.append(ConflictRow(c, about, fields))
    return out


def conflict_get(actor: Any, conflict_id: Any) -> Conflict:
    """A conflict the actor may decide; not-found otherwise."""
    return one(Conflict.objects.filter(device_q(actor)), conflict_id)
