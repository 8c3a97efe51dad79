"""Text helpers: Unicode normalisation and the diacritics-insensitive search key."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean(value: str) -> str:
    """NFC, trimmed, inner runs of whitespace collapsed to one space. Diacritics are kept."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def _fold_table() -> dict[int, str | None]:
    """Every precomposed Latin letter → its lower-case base letter; combining marks → nothing.

    Built once from Unicode's own decompositions, so it covers Vietnamese (ắ, ờ, ự …) and every
    other Latin diacritic; đ/Đ, which have no decomposition, are added by hand.
    """
    table: dict[int, str | None] = {}
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch)[0].lower()
        if base != ch and base.isascii():
            table[code] = base
    for code in range(0x300, 0x370):  # combining marks left over after NFC
        table[code] = None
    table[ord("đ")] = table[ord("Đ")] = "d"
    return table


_FOLD = _fold_table()


def fold(value: str) -> str:
    """The search key: lower case, no diacritics, đ → d, single spaces.

    "Hà Nội", "HÀ NỘI" and "ha noi" all fold to "ha noi". This runs for every row of a bulk
    import, so it is one NFC pass and one ``str.translate``, not a per-character loop.
    """
    key = unicodedata.normalize("NFC", value).lower().translate(_FOLD)
    if "  " in key or not key.isprintable() or key[:1] == " " or key[-1:] == " ":
        key = _SPACES.sub(" ", key).strip()
    return key


def unaccent(value: str) -> str:
    """The same letters without their marks, case kept: "Mai Thanh Vũ" → "Mai Thanh Vu" (how a
    name is often typed on a phone without a Vietnamese keyboard)."""
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )
