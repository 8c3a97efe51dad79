"""Parsing what people type: dates of birth and phone numbers."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError
from hocvuso.registry.errors import RegistryError

_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_birth(text: str) -> tuple[dt.date | None, int | None]:
    """dd/mm/yyyy, yyyy-mm-dd or a bare year → (date or None, year). Empty → (None, None)."""
    text = (text or "").strip()
    if not text:
        return None, None
    day = month = year = None
    if m := _DMY.match(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := _YMD.match(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif re.fullmatch(r"\d{4}", text):
        year = int(text)
    else:
        raise DomainError(
            RegistryError.INVALID_BIRTH_DATE,
            _("Write the date of birth as dd/mm/yyyy, or the year alone."),
            field="birth",
        )
    return check_birth(
        dt.date(year, month, day) if day and month and _valid(year, month, day) else None,
        year,
        partial=day is not None,
    )


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def check_birth(
    date: dt.date | None, year: int | None, *, partial: bool = False
) -> tuple[dt.date | None, int | None]:
    if partial and date is None:
        raise DomainError(
            RegistryError.INVALID_BIRTH_DATE, _("This date does not exist."), field="birth"
        )
    if date is not None:
        year = date.year
    today = timezone.localdate()
    if (year is not None and not (1880 <= year <= today.year)) or (date and date > today):
        raise DomainError(
            RegistryError.INVALID_BIRTH_DATE,
            _("The date of birth cannot be in the future or before 1880."),
            field="birth",
        )
    return date, year
