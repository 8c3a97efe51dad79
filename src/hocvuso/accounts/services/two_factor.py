"""TOTP two-factor: enrolment, checking a code, recovery codes.

Required for officer roles (``core.access.requires_two_factor``), optional for everyone else.
Checking a code is deliberately *not* one transaction: a failed attempt (django-otp's throttling,
the audit row) must stay recorded when the check is refused.
"""

from __future__ import annotations

import re
import secrets
from base64 import b32encode
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.models import Device

from hocvuso.accounts.errors import AccountsError
from hocvuso.accounts.models import (
    Authenticator,
    RecoveryCode,
    RecoveryCodes,
    User,
    new_authenticator_key,
    recovery_hash,
)
from hocvuso.accounts.selectors import requires_two_factor
from hocvuso.accounts.services.auth import auth_event_record
from hocvuso.core.audit import AuditAction
from hocvuso.core.errors import DomainError

RECOVERY_CODE_COUNT = 10
_TOTP = re.compile(r"^\d{6}$")
_RECOVERY = re.compile(r"^[a-z2-7]{8}$")


def totp_device(user: User) -> Authenticator | None:
    """The user's confirmed authenticator app, if any."""
    return Authenticator.objects.filter(user=user, confirmed=True).first()


def has_two_factor(user: User) -> bool:
    return Authenticator.objects.filter(user=user, confirmed=True).exists()


def needs_second_factor(user: User) -> bool:
    """After the password: ask for a code (a device is set up) or for enrolment (an officer)."""
    if has_two_factor(user):
        return True
    return bool(settings.HOCVUSO_REQUIRE_2FA) and requires_two_factor(user)


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, device__confirmed=True).count()


def totp_enrolment_device(*, user: User) -> Authenticator:
    """The unconfirmed device being set up (the same one on every reload, so the QR code stays)."""
    device = Authenticator.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = Authenticator.objects.create(
            user=user, name="app", confirmed=False, key=new_authenticator_key()
        )
    return device


def _normalise(code: str) -> str:
    return re.sub(r"[\s\-]", "", code or "").lower()


@transaction.atomic
def _confirm(*, user: User, device: Authenticator, request: HttpRequest | None) -> list[str]:
    Authenticator.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    auth_event_record(user=user, action=AuditAction.AUTH_2FA_ENROL, request=request)
    return codes


def two_factor_enrol(
    *, user: User, device: Authenticator, code: str, request: HttpRequest | None
) -> list[str]:
    """Confirm the authenticator app with a first code; returns the fresh recovery codes."""
    if device.user_id != user.pk or device.confirmed:
        raise DomainError(AccountsError.OTP_INVALID, _("Start the set-up again."), "code")
    code = _normalise(code)
    if not _TOTP.match(code) or not device.verify_token(code):
        auth_event_record(
            user=user, action=AuditAction.AUTH_OTP_FAILED, request=request, step="enrol"
        )
        raise DomainError(
            AccountsError.OTP_INVALID, _("This code is not right. Try the newest one."), "code"
        )
    return _confirm(user=user, device=device, request=request)


def _new_recovery_codes(user: User) -> list[str]:
    """Fresh one-time codes (8 letters and digits of base32, shown once; stored as keyed
    hashes); the old ones stop working."""
    device, _created = RecoveryCodes.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.codes.all().delete()
    codes = [b32encode(secrets.token_bytes(5)).decode().lower() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(device=device, code_hash=recovery_hash(c)) for c in codes]
    )
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User, request: HttpRequest | None) -> list[str]:
    """New recovery codes; the old ones stop working."""
    codes = _new_recovery_codes(user)
    auth_event_record(user=user, action=AuditAction.AUTH_RECOVERY_CODES, request=request)
    return codes


def two_factor_verify(*, user: User, code: str, request: HttpRequest | None) -> Device:
    """The device that accepts ``code``: a 6-digit code from the app or a recovery code (which
    is then used up). Refused: audited, and django-otp slows down the next tries."""
    code = _normalise(code)
    device: Device | None = None
    if _TOTP.match(code):
        totp = totp_device(user)
        if totp is not None and totp.verify_token(code):
            device = totp
    elif _RECOVERY.match(code):
        for static in RecoveryCodes.objects.filter(user=user, confirmed=True):
            if static.verify_token(code):
                device = static
                break
        if device is not None:
            auth_event_record(
                user=user,
                action=AuditAction.AUTH_RECOVERY_CODE_USED,
                request=request,
                left=recovery_codes_left(user),
            )
    if device is None:
        auth_event_record(
            user=user, action=AuditAction.AUTH_OTP_FAILED, request=request, step="login"
        )
        raise DomainError(AccountsError.OTP_INVALID, _("This code is not right."), "code")
    return device


@transaction.atomic
def two_factor_disable(*, actor: Any, user: User, request: HttpRequest | None) -> None:
    """Remove the user's authenticator app and recovery codes (the user themself when 2FA is
    optional for them, or an administrator resetting a lost phone: see docs/operations.md)."""
    Authenticator.objects.filter(user=user).delete()
    RecoveryCodes.objects.filter(user=user).delete()
    auth_event_record(user=user, action=AuditAction.AUTH_2FA_DISABLE, request=request, actor=actor)
