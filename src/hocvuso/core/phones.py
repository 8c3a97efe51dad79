"""Phone numbers: what people type → E.164, and back to the way Vietnamese people read them."""

from __future__ import annotations

import re

import phonenumbers
from django.utils.translation import gettext as _

from hocvuso.core.errors import CoreError, DomainError


def normalise_phone(text: str) -> str:
    """A Vietnamese (or international) number in E.164 (+84…), or '' for empty input."""
    text = (text or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(re.sub(r"[\s.\-()]", "", text), "VN")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise DomainError(CoreError.INVALID_PHONE, _("This is not a valid phone number."), "phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """+84912345678 → 0912 345 678 (the way Vietnamese people read it)."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "VN")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
