"""Text helpers: Unicode normalisation and the diacritics-insensitive search key."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean(value: str) -> str:
    """NFC, trimmed, inner runs of whitespace collapsed to one space. Diacritics are kept."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: str) -> str:
    """The search key: lower case, no diacritics, đ → d, single spaces.

    "Hà Nội", "HÀ NỘI" and "ha noi" all fold to "ha noi".
    """
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()
