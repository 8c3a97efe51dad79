"""Citizen ID numbers (CCCD): validation and protection.

A CCCD has 12 digits and no check digit:

- digits 1-3: the (pre-2025) province where the birth was registered, ``001`` … ``096``;
- digit 4: century and sex — 0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s, 6/7 = 2200s,
  8/9 = 1800s;
- digits 5-6: the last two digits of the birth year;
- digits 7-12: random.

A number is stored only as a keyed hash (uniqueness and look-up), an encrypted copy (for the audited
"show the full number" action) and its last three digits (for display). The keys come from
``settings.HOCVUSO_ID_KEYS`` (``HOCVUSO_ID_KEY``), separate from Django's secret key; the first
key is current, the others are older keys still accepted until ``hocvuso rotate_id_key`` has
re-protected every row with the current one.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext as _

from hocvuso.core import crypto
from hocvuso.core.errors import DomainError
from hocvuso.registry.errors import RegistryError

# Province codes used on CCCDs (the 63 provinces before the 2025 merger).
PROVINCE_CODES = frozenset(
    [
        "001",
        "002",
        "004",
        "006",
        "008",
        "010",
        "011",
        "012",
        "014",
        "015",
        "017",
        "019",
        "020",
        "022",
        "024",
        "025",
        "026",
        "027",
        "030",
        "031",
        "033",
        "034",
        "035",
        "036",
        "037",
        "038",
        "040",
        "042",
        "044",
        "045",
        "046",
        "048",
        "049",
        "051",
        "052",
        "054",
        "056",
        "058",
        "060",
        "062",
        "064",
        "066",
        "067",
        "068",
        "070",
        "072",
        "074",
        "075",
        "077",
        "079",
        "080",
        "082",
        "083",
        "084",
        "086",
        "087",
        "089",
        "091",
        "092",
        "093",
        "094",
        "095",
        "096",
    ]
)
_CENTURY = {
    0: 1900,
    1: 1900,
    2: 2000,
    3: 2000,
    4: 2100,
    5: 2100,
    6: 2200,
    7: 2200,
    8: 1800,
    9: 1800,
}
_SEPARATORS = re.compile(r"[\s.\-]")
_TWELVE = re.compile(r"\d{12}")


def normalise(raw: str) -> str:
    """Digits only: spaces, dots and dashes typed between groups are dropped."""
    if raw and raw.isascii() and raw.isdigit():
        return raw  # the common case: already 12 digits
    return _SEPARATORS.sub("", raw or "")


def validate(raw: str, *, sex: str | None = None, birth_year: int | None = None) -> str:
    """The normalised 12-digit number, or a :class:`DomainError` naming what is wrong.

    ``sex`` is ``"M"`` or ``"F"``; with ``birth_year`` they are checked against digits 4-6. Error
    messages never repeat the number.
    """
    number = normalise(raw)
    if not _TWELVE.fullmatch(number):
        raise DomainError(
            RegistryError.CCCD_FORMAT, _("A CCCD number has exactly 12 digits."), field="cccd"
        )
    if number[:3] not in PROVINCE_CODES:
        raise DomainError(
            RegistryError.CCCD_PROVINCE,
            _("The first three digits of a CCCD must be a province code (001-096)."),
            field="cccd",
        )
    digit = int(number[3])
    century = _CENTURY[digit]
    if sex is not None and sex in {"M", "F"} and (digit % 2 == 1) != (sex == "F"):
        raise DomainError(
            RegistryError.CCCD_CENTURY_SEX,
            _("The 4th digit of the CCCD does not match the person's sex."),
            field="cccd",
        )
    if birth_year is not None:
        if birth_year // 100 * 100 != century:
            raise DomainError(
                RegistryError.CCCD_CENTURY_SEX,
                _("The 4th digit of the CCCD does not match the century of birth."),
                field="cccd",
            )
        if int(number[4:6]) != birth_year % 100:
            raise DomainError(
                RegistryError.CCCD_YEAR,
                _("Digits 5-6 of the CCCD do not match the year of birth."),
                field="cccd",
            )
    return number


@dataclass(frozen=True)
class ProtectedId:
    hash: str
    ciphertext: str
    last3: str


_PURPOSE = "cccd"  # the subkeys of core.crypto: hocvuso/cccd/hmac/v1 and hocvuso/cccd/aes-gcm/v1


def configured_keys() -> int:
    """How many ID keys are configured (the first is current; never the keys themselves)."""
    return len(tuple(getattr(settings, "HOCVUSO_ID_KEYS", ())))


def lookup_hash(number: str) -> str:
    """The keyed hash under the current key."""
    return crypto.mac(_PURPOSE, normalise(number))


def lookup_hashes(number: str) -> list[str]:
    """The hash under every configured key: finds rows not yet re-protected after a rotation."""
    return crypto.macs(_PURPOSE, normalise(number))


def encrypt(number: str) -> str:
    """The encrypted copy: AES-256-GCM under the current key (authenticated, randomised).

    AES-GCM rather than Fernet because a bulk import seals one number per row: it is several
    times faster for the same protection.
    """
    return crypto.seal(_PURPOSE, number)


def protect(number: str, *, hash_: str | None = None) -> ProtectedId:
    plain = normalise(number)
    return ProtectedId(
        hash=hash_ or lookup_hash(plain), ciphertext=encrypt(plain), last3=plain[-3:]
    )


def bulk_hash_and_encrypt() -> tuple[Callable[[str], str], Callable[[str], str]]:
    """:func:`lookup_hash` and :func:`encrypt` for many numbers already normalised (12
    digits), their keys bound once: an import protects one number a row. The same hash and the
    same kind of encrypted copy as one at a time."""
    return crypto.macer(_PURPOSE), crypto.sealer(_PURPOSE)


def reveal(ciphertext: str) -> str:
    """Decrypt a stored copy with whichever configured key made it. Audited callers only."""
    try:
        return crypto.unseal(_PURPOSE, ciphertext)
    except crypto.SealError as exc:
        raise RuntimeError("the CCCD copy cannot be decrypted with the configured keys") from exc


def reprotect(ciphertext: str) -> ProtectedId:
    """Decrypt with any configured key and protect again with the current one (key rotation)."""
    return protect(reveal(ciphertext))


def _keys() -> tuple[str, ...]:
    return tuple(settings.HOCVUSO_ID_KEYS)


@lru_cache(maxsize=8)
def _blob_ring(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(crypto.derive(k, b"hocvuso/blob/v1"))) for k in keys]
    )


def seal(data: bytes) -> bytes:
    """Encrypt a document holding personal identifiers (an uploaded list, a rejects file)."""
    return _blob_ring(_keys()).encrypt(data)


def unseal(token: bytes) -> bytes:
    try:
        return _blob_ring(_keys()).decrypt(bytes(token))
    except InvalidToken as exc:
        raise RuntimeError("the document cannot be decrypted with the configured keys") from exc


def masked(last3: str) -> str:
    return f"*********{last3}" if last3 else ""


# Twelve digits, possibly grouped by spaces, dots or dashes ("001 075 000 123"): a CCCD.
_TWELVE_DIGITS = re.compile(r"(?<!\d)(?:\d[ .\-]?){11}\d(?!\d)")


def mask_digits(text: str) -> str:
    """Hide every 12-digit number in ``text`` but its last three digits: *********123."""
    return _TWELVE_DIGITS.sub(lambda m: "*********" + re.sub(r"\D", "", m.group())[-3:], text)


def mask_cccd_cell(cell: str) -> str:
    """A cell of the CCCD column, whatever its shape (a wrong number is still nearly a CCCD)."""
    digits = re.sub(r"\D", "", cell)
    if not cell.strip():
        return ""
    return "*********" + digits[-3:] if len(digits) > 3 else "***"
