"""Reads of the sync protocol: the device behind a bearer secret."""

from __future__ import annotations

from django.utils import timezone

from hocvuso.accounts.services.tokens import TOKEN_PREFIX, token_hash
from hocvuso.sync.errors import SyncError
from hocvuso.sync.models import Device


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
