"""Matching the header cells of real-world commune lists to the fields of the registry.

A header is compared by its *key*: folded (lower case, no diacritics, đ → d), text in brackets
dropped ("Ngày sinh (dd/mm/yyyy)"), then everything but letters and digits removed — so
"Họ và tên", "HỌ VÀ TÊN", "ho  va ten" and "Họ-và-tên:" are the same header.
"""

from __future__ import annotations

import re
from functools import lru_cache

from hocvuso.core.text import fold

CANONICAL_FIELDS: tuple[str, ...] = (
    "full_name",
    "cccd",
    "birth",
    "birth_year",
    "sex",
    "ethnicity",
    "phone",
    "village",
    "household_code",
    "relationship",
    "is_head",
    "occupation",
    "special_needs",
    "address",
)

# The header cells each field is known by (any spelling: they are compared by key).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "full_name": (
        "Họ và tên",
        "Họ tên",
        "Họ và tên khai sinh",
        "Họ tên người dân",
        "Tên",
        "Full name",
        "Name",
    ),
    "cccd": (
        "Số CCCD",
        "CCCD",
        "Số căn cước",
        "Số căn cước công dân",
        "Căn cước công dân",
        "Số định danh",
        "Số định danh cá nhân",
        "Mã định danh",
        "CMND/CCCD",
        "CCCD/CMND",
        "Số CMND/CCCD",
        "Số CCCD/CMND",
        "Số CMND",
        "CMND",
        "ID number",
        "Citizen ID",
    ),
    "birth": (
        "Ngày sinh",
        "Ngày tháng năm sinh",
        "Ngày, tháng, năm sinh",
        "Sinh ngày",
        "Date of birth",
        "Birth date",
        "DOB",
    ),
    "birth_year": ("Năm sinh", "Year of birth", "Birth year"),
    "sex": ("Giới tính", "Giới", "Phái", "Nam/Nữ", "Nam, nữ", "Nam hay nữ", "Sex", "Gender"),
    "ethnicity": ("Dân tộc", "Ethnicity", "Ethnic group"),
    "phone": (
        "SĐT",
        "Số ĐT",
        "Số điện thoại",
        "Điện thoại",
        "Điện thoại di động",
        "Di động",
        "Phone",
        "Phone number",
        "Mobile",
    ),
    "village": (
        "Thôn",
        "Tổ dân phố",
        "Thôn/Tổ dân phố",
        "Thôn/TDP",
        "Thôn, tổ dân phố",
        "Thôn/xóm",
        "Xóm",
        "Ấp",
        "Bản",
        "Buôn",
        "Plei",
        "Khóm",
        "Khu phố",
        "Tổ",
        "Village",
    ),
    "household_code": (
        "Mã hộ",
        "Số hộ",
        "Mã hộ gia đình",
        "Mã HGĐ",
        "Số sổ hộ khẩu",
        "Sổ hộ khẩu",
        "Household code",
        "Household",
    ),
    "relationship": (
        "Quan hệ với chủ hộ",
        "Quan hệ",
        "QH với chủ hộ",
        "Quan hệ với CH",
        "QH với CH",
        "Relationship",
        "Relationship to head",
    ),
    "is_head": ("Chủ hộ", "Là chủ hộ", "Head of household"),
    "occupation": ("Nghề nghiệp", "Nghề", "Công việc", "Việc làm", "Occupation", "Job"),
    "special_needs": (
        "Ghi chú đặc biệt",
        "Khuyết tật",
        "Nhu cầu đặc biệt",
        "Hoàn cảnh đặc biệt",
        "Special needs",
    ),
    "address": ("Địa chỉ", "Nơi ở", "Nơi ở hiện nay", "Chỗ ở hiện nay", "Address"),
}

# Row-index columns: recognised, never mapped, never reported as unknown.
IGNORED: tuple[str, ...] = ("STT", "TT", "Số TT", "Số thứ tự", "No", "No.", "#")

# Fields any of which makes a row a plausible header on its own (with one other known header).
NAME_FIELDS = frozenset({"full_name"})

# Words that only say whose the column is: "Họ và tên thành viên" is still the full name. (Not
# "chủ hộ": "Họ tên chủ hộ" in a list of households names the head, not each row's person.)
QUALIFIERS: tuple[str, ...] = ("thành viên", "nhân khẩu", "người dân", "công dân", "người")
# Alternatives in one header: "Thôn/bản", "Thôn hoặc bản", "Thôn, bản".
_ALTERNATIVES = re.compile(r"/|\\|,|;|\bhoac\b")

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def header_key(cell: str) -> str:
    """The comparison key of a header cell (see the module docstring)."""
    folded = fold(cell)
    without = _BRACKETS.sub("", folded)
    key = _NOT_ALNUM.sub("", without)
    # "(*)" marks a required column; a header made only of brackets keeps its own content.
    return key or _NOT_ALNUM.sub("", folded)


_BY_KEY: dict[str, str] = {
    header_key(name): field for field, names in SYNONYMS.items() for name in names
}
_IGNORED_KEYS = frozenset(header_key(name) for name in IGNORED) | {""}


_QUALIFIER_KEYS = tuple(sorted((header_key(q) for q in QUALIFIERS), key=len, reverse=True))


@lru_cache(maxsize=4096)
def match_header(cell: str) -> str | None:
    """The canonical field a header cell names, or None. Case, diacritics, spacing, punctuation
    and bracketed notes are ignored; a header of alternatives that all name one field
    ("Thôn/bản") names it, and so does a known header followed by a word saying whose it is
    ("Họ và tên thành viên")."""
    if not cell:
        return None
    key = header_key(cell)
    found = _BY_KEY.get(key)
    if found is not None:
        return found
    parts = [header_key(p) for p in _ALTERNATIVES.split(_BRACKETS.sub("", fold(cell)))]
    parts = [p for p in parts if p]
    if len(parts) > 1:
        fields = {_BY_KEY.get(p) for p in parts}
        if len(fields) == 1 and None not in fields:
            return fields.pop()
    for qualifier in _QUALIFIER_KEYS:
        if key.endswith(qualifier) and len(key) > len(qualifier):
            found = _BY_KEY.get(key[: -len(qualifier)])
            if found is not None:
                return found
    return None


def is_ignored(cell: str) -> bool:
    """A row-index column ("STT") or an empty header cell: skipped without a report."""
    return header_key(cell or "") in _IGNORED_KEYS


def cccd_columns(header: list[str]) -> set[int]:
    """The indexes of a file's CCCD column(s), by their header (to mask their cells)."""
    return {i for i, cell in enumerate(header) if match_header(str(cell)) == "cccd"}
