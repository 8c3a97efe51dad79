"""Parsing one cell of an imported list into the value the registry stores.

Each function takes the raw cell (``str``, ``int``, ``float``, ``date``, ``datetime`` or ``None``)
and returns the parsed value, or raises :class:`DomainError` with a stable code, a translatable
message and the canonical field. Messages never repeat a CCCD number.

They run once per row over files of millions of rows, so: patterns are compiled once, the
look-up tables are built at import, and the parsers of values that repeat a lot (sex, ethnicity,
relationship, occupation …) are memoised on the raw text. Messages are translated only when an
error is raised.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from functools import lru_cache
from unicodedata import is_normalized

import phonenumbers
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.core.errors import CoreError, DomainError
from hocvuso.core.phones import normalise_phone
from hocvuso.core.text import clean, fold
from hocvuso.registry.errors import RegistryError
from hocvuso.registry.ethnicity import ETHNIC_GROUPS
from hocvuso.registry.parsing import check_birth

# Longest values the registry's columns hold.
MAX_LENGTH = {
    "full_name": 150,
    "household_code": 32,
    "address": 255,
    "village": 255,
}

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _key(text: str) -> str:
    """Folded, letters and digits only: "Ê-đê" → "ede", "H'Mông" → "hmong"."""
    return _NOT_ALNUM.sub("", fold(text))


def _str(value: object) -> str:
    """Any cell as clean text ('' for empty): numbers without ".0", dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, str):
        # Cells from the reader are clean already: check rather than redo.
        # (isprintable() is False for tabs, newlines and every space but the plain one.)
        if (
            value.isprintable()
            and "  " not in value
            and (value.isascii() or is_normalized("NFC", value))
        ):
            return value.strip()
        return clean(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    return clean(str(value))


def _check_length(value: str, field: str) -> str:
    limit = MAX_LENGTH.get(field)
    if limit is not None and len(value) > limit:
        raise DomainError(
            CoreError.INVALID,
            _("This value is too long (at most %(limit)d characters).") % {"limit": limit},
            field=field,
        )
    return value


# --- text ----------------------------------------------------------------------------------


def text(value: object, *, field: str | None = None) -> str:
    """NFC, trimmed text (village, address, special needs, household code); '' when empty.

    With ``field``, a value longer than the registry's column holds is an error (INVALID).
    """
    result = _str(value)
    if field is not None:
        _check_length(result, field)
    return result


_LETTER = re.compile(r"[^\W\d_]")


def full_name(value: object) -> str:
    name = _str(value)
    if not name:
        raise DomainError(CoreError.REQUIRED, _("The full name is required."), field="full_name")
    if not _LETTER.search(name):
        raise DomainError(
            CoreError.INVALID, _("A full name must contain letters."), field="full_name"
        )
    return _check_length(name, "full_name")


# --- CCCD ----------------------------------------------------------------------------------

_CCCD_SEPARATORS = re.compile(r"[\s.\-_'’]")
_TWELVE = re.compile(r"\d{12}")
_SCIENTIFIC = re.compile(r"\d[.,]\d+E\+\d+", re.IGNORECASE)


def _cccd_number_cell() -> DomainError:
    return DomainError(
        RegistryError.CCCD_NUMBER_CELL,
        _(
            "The CCCD was stored as a number, so its leading zeros were lost. Format the CCCD "
            "column as Text and type the 12 digits again."
        ),
        field="cccd",
    )


def _cccd_format() -> DomainError:
    return DomainError(
        RegistryError.CCCD_FORMAT,
        _(
            "A CCCD number has exactly 12 digits (spaces, dots and dashes between groups are "
            "allowed). If the first 0 is missing, the column was formatted as a number."
        ),
        field="cccd",
    )


def cccd(value: object, *, is_text: bool) -> str:
    """12 digits, or '' when empty. Format only: the check of the province, century, sex and
    year digits against the person is :func:`hocvuso.registry.cccd.validate`'s (the service's).

    A number cell (not text) with fewer than 12 digits lost its leading zeros: CCCD_NUMBER_CELL,
    never padded back, since the missing digits cannot be known for sure.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        raise _cccd_format()
    if isinstance(value, float):
        if not value.is_integer():
            raise _cccd_format()
        value = int(value)
    if isinstance(value, int):
        digits = str(value)
        if len(digits) < 12 and not is_text and value > 0:
            raise _cccd_number_cell()
        if len(digits) != 12:
            raise _cccd_format()
        return digits
    raw = _str(value)
    number = _CCCD_SEPARATORS.sub("", raw)
    if _TWELVE.fullmatch(number):
        return number
    if _SCIENTIFIC.fullmatch(raw):
        raise _cccd_number_cell()  # "1,23457E+11": a number cell saved to CSV as displayed
    raise _cccd_format()


# --- birth ---------------------------------------------------------------------------------

_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_YMD = re.compile(
    r"(\d{4})[\-/.](\d{1,2})[\-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_YEAR = re.compile(r"\d{4}")
# A two-digit year ("15/03/75", "75") is refused, never guessed: in a list that includes people
# over 100 and babies, "25" may be 1925 or 2025.
_TWO_DIGIT_YEAR = re.compile(r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-])?(\d{2})")


def _two_digit_year(raw: str) -> DomainError:
    y = _TWO_DIGIT_YEAR.fullmatch(raw)
    digits = y[1] if y else "??"
    return _bad_birth(
        _(
            "A two-digit year cannot be read safely (19%(y)s or 20%(y)s?): write the year with "
            "its 4 digits."
        )
        % {"y": digits}
    )


_EXCEL_EPOCH = dt.date(1899, 12, 30)
EXCEL_MAX_SERIAL = 73050  # 31/12/2099


def _bad_birth(message: str) -> DomainError:
    return DomainError(RegistryError.INVALID_BIRTH_DATE, message, field="birth")


def _no_such_date() -> DomainError:
    return _bad_birth(_("This date does not exist."))


def excel_date(serial: float) -> dt.date:
    """The date of an Excel serial number (1900 date system).

    Excel counts 29/02/1900, which did not exist: serials from 61 on are days since 30/12/1899,
    those below 60 days since 31/12/1899, and 60 itself is no date.
    """
    whole = int(serial)
    if not 1 <= whole <= EXCEL_MAX_SERIAL or whole == 60:
        raise _no_such_date()
    if whole < 60:
        whole += 1
    return _EXCEL_EPOCH + dt.timedelta(days=whole)


def _date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _no_such_date() from None


def _year(value: object) -> int | None:
    """A separate "Năm sinh" cell → the year, None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.year
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raw = _str(value)
    if _YEAR.fullmatch(raw):
        return int(raw)
    if _TWO_DIGIT_YEAR.fullmatch(raw):
        raise _two_digit_year(raw)
    raise _bad_birth(_("Write the year of birth with its 4 digits."))


def _parse_birth(value: object) -> tuple[dt.date | None, int | None]:
    """The cell's own date or year, unchecked."""
    if value is None or value == "":
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), value.year
    if isinstance(value, dt.date):
        return value, value.year
    if isinstance(value, bool):
        raise _bad_birth(_("Write the date of birth as dd/mm/yyyy, or the year alone."))
    if isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and 1000 <= value <= 9999:
            return None, value  # a bare year typed as a number (never a serial: see birth())
        day = excel_date(value)
        return day, day.year
    raw = _str(value)
    if m := _DMY.fullmatch(raw):
        day = _date(int(m[3]), int(m[2]), int(m[1]))
        return day, day.year
    if m := _YMD.fullmatch(raw):
        day = _date(int(m[1]), int(m[2]), int(m[3]))
        return day, day.year
    if _YEAR.fullmatch(raw):
        return None, int(raw)
    if _TWO_DIGIT_YEAR.fullmatch(raw):
        raise _two_digit_year(raw)
    raise _bad_birth(_("Write the date of birth as dd/mm/yyyy, or the year alone."))


def birth(value: object, year_value: object = None) -> tuple[dt.date | None, int | None]:
    """(date of birth or None, year of birth or None) from the date cell and, if the list has
    one, the separate "Năm sinh" cell.

    Accepted: date cells; Excel serial numbers (1-73050, see :func:`excel_date`); text
    dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd (a time after it is ignored); a bare
    year as text or number. A 4-digit whole number is read as a year, not a serial: serials
    1000-9999 are dates in 1902-1927, and no one living was born then who is not also >= 99.
    Range rules are :func:`hocvuso.registry.parsing.check_birth`'s. When both cells are given,
    their years must agree.
    """
    day, year = _parse_birth(value)
    other = _year(year_value)
    if other is not None:
        if year is None:
            year = other
        elif other != year:
            raise _bad_birth(_("The year of birth does not match the date of birth."))
    if year is None:
        return None, None
    if 1880 <= year < _this_year():
        return day, year  # surely within check_birth's rules: spare it the clock per row
    return check_birth(day, year)


_today_cache: list[float] = [0.0, 0.0]  # [monotonic time it was read, year]


def _this_year() -> int:
    """The current local year, read at most once a minute (a stale value is only ever lower)."""
    now = time.monotonic()
    if now - _today_cache[0] > 60:
        _today_cache[1] = timezone.localdate().year
        _today_cache[0] = now
    return int(_today_cache[1])


# --- sex -----------------------------------------------------------------------------------

_SEX = {
    # Vietnamese; 1/2 is the coding of the statistics office's census forms (1 Nam, 2 Nữ).
    **dict.fromkeys(["nam", "trai", "namgioi", "m", "male", "man", "1"], "M"),
    **dict.fromkeys(["nu", "gai", "nugioi", "f", "female", "woman", "2"], "F"),
}


@lru_cache(maxsize=256)
def _sex(raw: str) -> str | None:
    return _SEX.get(_key(raw))


def sex(value: object) -> str:
    """Sex as "M" or "F": Nam/Nữ (any case, with or without diacritics), M/F, Male/Female, 1/2."""
    raw = _str(value)
    if not raw:
        raise DomainError(CoreError.REQUIRED, _("The sex is required (Nam or Nữ)."), field="sex")
    result = _sex(raw)
    if result is None:
        raise DomainError(RegistryError.INVALID_SEX, _("Write the sex as Nam or Nữ."), field="sex")
    return result


# --- ethnicity -----------------------------------------------------------------------------

ETHNICITY_SYNONYMS: dict[str, str] = {
    "Việt": "01",
    "Người Kinh": "01",
    "Thổ (Tày)": "02",
    "Khmer": "05",
    "Khơ-me": "05",
    "Khơme": "05",
    "Khmer Krom": "05",
    "Mèo": "08",
    "H'Mông": "08",
    "Hmông": "08",
    "Hmong": "08",
    "Mông Hoa": "08",
    "Mông Đen": "08",
    "Mông Trắng": "08",
    "Dao đỏ": "09",
    "Dao Tiền": "09",
    "Dao Quần Chẹt": "09",
    "Dao Thanh Y": "09",
    "Mán": "09",
    "Jrai": "10",
    "Gia-rai": "10",
    "Ja Rai": "10",
    "Rhade": "12",
    "Ê-đê": "12",
    "Bahnar": "13",
    "Ba-na": "13",
    "Sedang": "14",
    "Xơ-đăng": "14",
    "Cao Lan": "15",
    "Sán Chỉ": "15",
    "K'Ho": "16",
    "Kơ Ho": "16",
    "Koho": "16",
    "Chàm": "17",
    "Cham": "17",
    "Hrê": "19",
    "H'rê": "19",
    "M'Nông": "20",
    "Mnong": "20",
    "Raglai": "21",
    "Stiêng": "22",
    "Xtiêng": "22",
    "Vân Kiều": "23",
    "Bru": "23",
    "Bru-Vân Kiều": "23",
    "Nhắng": "25",
    "Katu": "26",
    "Ca Tu": "26",
    "Giẻ Triêng": "27",
    "Gié-Triêng": "27",
    "Khơ-mú": "29",
    "Khmu": "29",
    "Xá Cẩu": "29",
    "Tà-ôi": "31",
    "Pa Cô": "31",
    "Hà Nhì Già": "35",
    "Pà Hưng": "46",
    "Bố Y": "49",
    "Bru Vân Kiều": "23",
}

_ETHNICITY: dict[str, str] = {}
for _code, _name in ETHNIC_GROUPS:
    _ETHNICITY[_key(_name)] = _code
    _ETHNICITY[_code] = _code
    _ETHNICITY[str(int(_code))] = _code
for _name, _code in ETHNICITY_SYNONYMS.items():
    _ETHNICITY.setdefault(_key(_name), _code)


@lru_cache(maxsize=512)
def _ethnicity(raw: str) -> str | None:
    key = _key(raw)
    if key.startswith("dantoc"):  # "Dân tộc Kinh"
        key = key[6:]
    return _ETHNICITY.get(key)


def ethnicity(value: object) -> str:
    """The 2-digit code (01-54), or '' when empty: from the code ("08", 8) or the name, with
    diacritics, case, hyphens and spaces ignored, and common other names ("H'Mông", "Mèo" → 08)."""
    raw = _str(value)
    if not raw:
        return ""
    result = _ethnicity(raw)
    if result is None:
        raise DomainError(
            RegistryError.INVALID_ETHNICITY,
            _("“%(value)s” is not one of the 54 ethnic groups.") % {"value": raw[:40]},
            field="ethnicity",
        )
    return result


# --- phone ---------------------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


def _vn_pattern() -> re.Pattern[str]:
    meta = phonenumbers.PhoneMetadata.metadata_for_region("VN")
    if meta is None or meta.mobile is None or meta.fixed_line is None:
        raise RuntimeError("phonenumbers has no metadata for Vietnam")
    mobile = meta.mobile.national_number_pattern
    fixed = meta.fixed_line.national_number_pattern
    return re.compile(rf"(?:0|\+84)((?:{mobile})|(?:{fixed}))")


# The numbers libphonenumber itself calls valid Vietnamese mobiles or landlines: checked with
# its own patterns, so the common case does not pay for a full parse.
_VN_PHONE = _vn_pattern()


def phone(value: object) -> str:
    """E.164 (+84…), or '' when empty. A number cell that lost its leading 0 (912345678) is
    accepted: a phone number, unlike a CCCD, has only one possible 0 in front."""
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        digits = str(value)
        raw = "0" + digits if len(digits) in (9, 10) and not digits.startswith("84") else digits
    else:
        raw = _str(value)
        if not raw:
            return ""
    compact = _PHONE_SEPARATORS.sub("", raw)
    if m := _VN_PHONE.fullmatch(compact):
        return "+84" + m[1]
    return normalise_phone(compact)


# --- relationship --------------------------------------------------------------------------

RELATIONSHIP_WORDS: dict[str, tuple[str, ...]] = {
    "head": ("Chủ hộ", "CH", "Chủ", "Head", "Head of household", "Householder"),
    "spouse": ("Vợ", "Chồng", "Vợ/Chồng", "Spouse", "Wife", "Husband"),
    "child": (
        "Con",
        "Con trai",
        "Con gái",
        "Con đẻ",
        "Con ruột",
        "Con nuôi",
        "Con riêng",
        "Child",
        "Son",
        "Daughter",
    ),
    # Parents-in-law are counted as parents: there is no separate choice, and what matters for
    # the movement is the generation.
    "parent": (
        "Bố",
        "Cha",
        "Mẹ",
        "Má",
        "Bố đẻ",
        "Mẹ đẻ",
        "Cha đẻ",
        "Bố mẹ",
        "Bố vợ",
        "Mẹ vợ",
        "Bố chồng",
        "Mẹ chồng",
        "Cha vợ",
        "Cha chồng",
        "Parent",
        "Father",
        "Mother",
    ),
    "grandparent": (
        "Ông",
        "Bà",
        "Ông nội",
        "Bà nội",
        "Ông ngoại",
        "Bà ngoại",
        "Ông bà",
        "Grandparent",
        "Grandfather",
        "Grandmother",
    ),
    "grandchild": (
        "Cháu",
        "Cháu nội",
        "Cháu ngoại",
        "Cháu ruột",
        "Chắt",
        "Grandchild",
        "Grandson",
        "Granddaughter",
    ),
    "sibling": (
        "Anh",
        "Chị",
        "Em",
        "Anh trai",
        "Chị gái",
        "Em trai",
        "Em gái",
        "Anh ruột",
        "Chị ruột",
        "Em ruột",
        "Anh em",
        "Sibling",
        "Brother",
        "Sister",
    ),
    "child_in_law": ("Con dâu", "Con rể", "Dâu", "Rể", "Child-in-law", "Child in law"),
    "other": ("Khác", "Người khác", "Ở nhờ", "Ở ghép", "Người ở nhờ", "Other"),
}
_RELATIONSHIP: dict[str, str] = {
    _key(word): value for value, words in RELATIONSHIP_WORDS.items() for word in words
} | {value.replace("_", ""): value for value in RELATIONSHIP_WORDS}


@lru_cache(maxsize=512)
def _relationship(raw: str) -> str | None:
    return _RELATIONSHIP.get(_key(raw))


def relationship(value: object) -> str:
    """A :class:`~hocvuso.registry.models.Relationship` value, or '' when empty."""
    raw = _str(value)
    if not raw:
        return ""
    result = _relationship(raw)
    if result is None:
        raise DomainError(
            RegistryError.INVALID_RELATIONSHIP,
            _(
                "“%(value)s” is not a known relationship to the head of household (Chủ hộ, Vợ, "
                "Chồng, Con, Bố, Mẹ, Ông, Bà, Cháu, Anh, Chị, Em, Con dâu, Con rể, Khác)."
            )
            % {"value": raw[:40]},
            field="relationship",
        )
    return result


# --- occupation ----------------------------------------------------------------------------

# Checked in this order, by words contained in the folded cell: "cán bộ hưu trí" is retired
# before it is an official.
OCCUPATION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("retired", ("huu tri", "nghi huu", "ve huu", "huu", "retired", "pension")),
    (
        "unemployed",
        (
            "that nghiep",
            "khong nghe",
            "khong co viec",
            "chua co viec",
            "khong viec",
            "khong lam",
            "unemployed",
            "not working",
        ),
    ),
    ("student", ("hoc sinh", "sinh vien", "hoc vien", "di hoc", "student", "pupil")),
    ("homemaker", ("noi tro", "lam noi tro", "homemaker", "housewife")),
    (
        "trader",
        ("buon ban", "tieu thuong", "kinh doanh", "ban hang", "ban buon", "trader", "business"),
    ),
    (
        "farmer",
        (
            "lam ruong",
            "nong dan",
            "nong nghiep",
            "lam nong",
            "trong trot",
            "chan nuoi",
            "lam vuon",
            "lam ray",
            "nuoi trong",
            "ngu dan",
            "danh ca",
            "farmer",
            "farming",
            "agriculture",
        ),
    ),
    (
        "official",
        (
            "can bo",
            "cong chuc",
            "vien chuc",
            "giao vien",
            "bac si",
            "y ta",
            "bo doi",
            "cong an",
            "quan doi",
            "official",
            "civil servant",
            "teacher",
        ),
    ),
    (
        "worker",
        ("cong nhan", "lao dong", "tho", "lai xe", "xe om", "phu ho", "worker", "labour"),
    ),
)
_OCCUPATION_EXACT: dict[str, str] = {
    "hs": "student",
    "sv": "student",
    "hssv": "student",
    "cb": "official",
    "cbcc": "official",
    "cnv": "worker",
    "khong": "unemployed",
    "tho": "worker",
    **{value: value for value, _words in OCCUPATION_WORDS},
    "other": "other",
    "khac": "other",
}


@lru_cache(maxsize=2048)
def _occupation(raw: str) -> str:
    folded = fold(raw)
    exact = _OCCUPATION_EXACT.get(_NOT_ALNUM.sub("", folded))
    if exact is not None:
        return exact
    padded = f" {_NOT_ALNUM.sub(' ', folded).strip()} "
    for value, words in OCCUPATION_WORDS:
        if any(f" {word} " in padded for word in words):
            return value
    return "other"


def occupation(value: object) -> str:
    """An :class:`~hocvuso.registry.models.Occupation` value, '' when empty; "other" for any
    occupation not recognised (never an error)."""
    raw = _str(value)
    if not raw:
        return ""
    return _occupation(raw)


# --- head of household ---------------------------------------------------------------------

_YES = frozenset(
    ["x", "co", "1", "yes", "y", "true", "v", "ok", "chuho", "ch", "lachuho", "dung",
     "\u2713", "\u2714", "\u2611", "\u2612", "\u25cf", "*", "+"]  # ✓ ✔ ☑ ☒ ●
)  # fmt: skip


@lru_cache(maxsize=64)
def _is_yes(raw: str) -> bool:
    folded = fold(raw)
    return folded in _YES or _NOT_ALNUM.sub("", folded) in _YES


def is_head(value: object) -> bool:
    """True for a mark in a "Chủ hộ" column: x, X, có, 1, yes, true, ✓ …; False otherwise."""
    if value is True:
        return True
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value == 1
    raw = _str(value)
    return bool(raw) and _is_yes(raw)
