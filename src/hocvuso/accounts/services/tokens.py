"""Device tokens for the field app and API clients.

The secret (``hvs_`` + 32 random URL-safe characters) is shown once; the database keeps its
SHA-256 (a long random secret needs no slow hash, so checking a request costs one indexed
look-up) and the first characters, to recognise it in the list.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.models import DeviceToken, User
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import CoreError, DomainError, NotFound

TOKEN_PREFIX = "hvs_"  # noqa: S105 (a name, not a secret)
PREFIX_SHOWN = 12  # "hvs_" + 8 characters
LAST_USED_EVERY = dt.timedelta(minutes=1)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: User, name: str, days: int | None = None) -> tuple[DeviceToken, str]:
    """A new token of ``actor`` (for themself only) and its secret, to show once."""
    name = name.strip()
    if not name:
        raise DomainError(CoreError.REQUIRED, _("Name the device or program."), "name")
    lifetime = days if days is not None else int(settings.HOCVUSO_TOKEN_DAYS)
    if not 1 <= lifetime <= 366:
        raise DomainError(CoreError.INVALID, _("Between 1 and 366 days."), "days")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(24)  # 24 bytes → 32 characters
    token = DeviceToken.objects.create(
        user=actor,
        name=name[:100],
        token_hash=token_hash(secret),
        prefix=secret[:PREFIX_SHOWN],
        expires_at=timezone.now() + dt.timedelta(days=lifetime),
    )
    audit_record(
        actor=actor,
        action=AuditAction.TOKEN_CREATE,
        obj=token,
        changes={"name": token.name, "expires_at": token.expires_at.isoformat()},
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor: User, token: DeviceToken) -> DeviceToken:
    """Revoke one of the actor's own tokens (someone else's is not found)."""
    if token.user_id != actor.pk:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, action=AuditAction.TOKEN_REVOKE, obj=token, changes={})
    return token


def token_authenticate(secret: str) -> User | None:
    """The active user behind a bearer secret, or None. One query; a second (an UPDATE of
    ``last_used_at``) at most once a minute per token."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    now = timezone.now()
    token = (
        DeviceToken.objects.select_related("user")
        .filter(
            token_hash=token_hash(secret),
            revoked_at__isnull=True,
            expires_at__gt=now,
            user__is_active=True,
        )
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
