"""Citizens register themselves with a phone number: a 6-digit code by SMS, then a password.

Codes expire (``HOCVUSO_PHONE_CODE_MINUTES``), allow ``HOCVUSO_PHONE_CODE_ATTEMPTS`` tries and
are used once. Text messages cost money and can be abused to pump traffic to premium numbers, so
they are limited three ways an hour: per number (``HOCVUSO_PHONE_CODES_PER_HOUR``), per address
asking (``HOCVUSO_SMS_PER_ADDRESS_PER_HOUR``) and in all (``HOCVUSO_SMS_PER_HOUR``). A number that
already has an account gets **no** message at all, and the asker is answered exactly as for any
other number (the code page; every code is then wrong), so the page never tells a stranger whether
a number is registered. The new account has no role: it sees no registry data until an officer
links it to the person's record.
"""

from __future__ import annotations

import datetime as dt
import secrets
from uuid import UUID

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from hocvuso.accounts.errors import AccountsError
from hocvuso.accounts.models import PhoneVerification, User
from hocvuso.accounts.sms import sms_send
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import CoreError, DomainError
from hocvuso.core.phones import normalise_phone

_SALT = "hocvuso.accounts.phone"


def _code_hash(verification_id: UUID, code: str) -> str:
    return salted_hmac(_SALT, f"{verification_id}:{code}", algorithm="sha256").hexdigest()


def phone_username(phone_e164: str) -> str:
    """+84912345678 → 0912345678: the username a citizen types to log in."""
    return "0" + phone_e164[3:] if phone_e164.startswith("+84") else phone_e164.lstrip("+")


def _invalid_code() -> DomainError:
    return DomainError(AccountsError.PHONE_CODE_INVALID, _("This code is not right."), "code")


def _client(address: str) -> str:
    return salted_hmac(_SALT + ".client", address or "", algorithm="sha256").hexdigest()


def _limited(message: str) -> DomainError:
    return DomainError(AccountsError.PHONE_RATE_LIMITED, message, "phone")


def phone_code_send(*, phone: str, address: str = "") -> PhoneVerification:
    """Send a code to ``phone`` (any common Vietnamese spelling), asked from ``address``. Not one
    transaction: a message that went out must stay counted against the hourly limits."""
    e164 = normalise_phone(phone)
    if not e164:
        raise DomainError(CoreError.REQUIRED, _("Enter your phone number."), "phone")
    now = timezone.now()
    hour = PhoneVerification.objects.filter(created_at__gt=now - dt.timedelta(hours=1))
    client = _client(address)
    if hour.filter(client=client).count() >= int(settings.HOCVUSO_SMS_PER_ADDRESS_PER_HOUR):
        raise _limited(_("Too many codes were asked from here. Try again in an hour."))
    if hour.filter(phone=e164).count() >= int(settings.HOCVUSO_PHONE_CODES_PER_HOUR):
        raise _limited(_("Too many codes were sent to this number. Try again in an hour."))
    if hour.filter(sent=True).count() >= int(settings.HOCVUSO_SMS_PER_HOUR):
        raise _limited(_("The text message service is busy. Try again in a while."))
    registered = (
        User.objects.filter(phone=e164).exists()
        or User.objects.filter(username=phone_username(e164)).exists()
    )
    code = f"{secrets.randbelow(10**6):06d}"
    verification = PhoneVerification(
        phone=e164,
        expires_at=now + dt.timedelta(minutes=int(settings.HOCVUSO_PHONE_CODE_MINUTES)),
        client=client,
        sent=not registered,
    )
    # A registered number's verification holds the hash of a code nobody was sent.
    verification.code_hash = _code_hash(verification.pk, code)
    verification.save()
    if not registered:
        sms_send(
            e164,
            _("Bình dân học vụ số: your code is %(code)s. It expires in %(minutes)s minutes.")
            % {"code": code, "minutes": settings.HOCVUSO_PHONE_CODE_MINUTES},
        )
    return verification


def phone_code_check(*, verification_id: UUID, code: str) -> PhoneVerification:
    """Check the code typed; a wrong one uses up an attempt (kept even though refused)."""
    now = timezone.now()
    verification = PhoneVerification.objects.filter(pk=verification_id).first()
    if verification is None or verification.used_at is not None:
        raise _invalid_code()
    if verification.verified_at is not None:
        return verification
    if verification.expires_at <= now or verification.attempts >= int(
        settings.HOCVUSO_PHONE_CODE_ATTEMPTS
    ):
        raise DomainError(
            AccountsError.PHONE_CODE_EXPIRED,
            _("This code has expired or was tried too many times. Ask for a new one."),
            "code",
        )
    code = "".join(ch for ch in code or "" if ch.isdigit())
    if not constant_time_compare(_code_hash(verification.pk, code), verification.code_hash):
        PhoneVerification.objects.filter(pk=verification.pk).update(attempts=F("attempts") + 1)
        raise _invalid_code()
    verification.verified_at = now
    verification.save(update_fields=["verified_at", "updated_at"])
    return verification


@transaction.atomic
def citizen_register(*, verification_id: UUID, password: str, display_name: str = "") -> User:
    """Create the citizen's account for a verified number (once)."""
    verification = PhoneVerification.objects.select_for_update().filter(pk=verification_id).first()
    if verification is None or verification.verified_at is None or verification.used_at:
        raise _invalid_code()
    e164 = verification.phone
    username = phone_username(e164)
    if (
        User.objects.filter(phone=e164).exists()
        or User.objects.filter(username__iexact=username).exists()
    ):
        raise DomainError(
            AccountsError.USERNAME_TAKEN,
            _("This number already has an account. Log in instead."),
            "phone",
        )
    user = User(username=username, phone=e164, display_name=display_name.strip()[:150])
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise DomainError(CoreError.INVALID, " ".join(exc.messages), "password1") from None
    user.set_password(password)
    user.save()
    verification.used_at = timezone.now()
    verification.save(update_fields=["used_at", "updated_at"])
    audit_record(
        actor=user, action=AuditAction.ACCOUNT_REGISTER, obj=user, changes={"via": "phone"}
    )
    return user
