"""Synthetic people written as the messy spreadsheets communes really have — for tests and demos.

What a real list looks like, and what this file therefore does: title rows above the header
("DANH SÁCH NHÂN KHẨU …"), sometimes a row numbering the columns under it; header synonyms
and capitals; an index column and a column the import does not know ("Ghi chú khác"); Vietnamese
typed decomposed (NFD) in some names, headers and villages; stray and doubled spaces; CCCD and
phone numbers with spaces, dots or dashes, phones as Excel numbers that lost their 0; dates as
dd/mm/yyyy, d/m/yyyy, yyyy-mm-dd, dd.mm.yyyy, a bare year, and in XLSX date cells and Excel
serial numbers; the household code only on a household's first row (as under a merged cell);
blank rows; and a share of rows made wrong on purpose, one mistake each, with the error code the
import must give them.

Deterministic for a given seed. The manifest::

    {"rows": data rows (blank rows not counted),
     "bad_rows": {row number: expected error code},
     "good_rows": rows - bad rows,
     "format": …, "household_codes": …}
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import random
import unicodedata
from typing import Literal

from hocvuso.core.errors import Code, CoreError
from hocvuso.registry.errors import RegistryError
from hocvuso.registry.ethnicity import ETHNICITY_NAMES
from hocvuso.registry.synthetic import SynthHousehold, SynthPerson

Format = Literal["csv", "csv-utf16", "xlsx"]

HEADER_CHOICES: list[tuple[str, list[str]]] = [
    ("index", ["STT", "TT", "Số TT"]),
    ("household_code", ["Mã hộ", "Số hộ", "Mã hộ gia đình", "MÃ HỘ"]),
    ("village", ["Thôn", "Thôn/Tổ dân phố", "Thôn/TDP", "Tổ dân phố", "Ấp", "Bản", "THÔN"]),
    ("address", ["Địa chỉ", "Nơi ở hiện nay"]),
    ("full_name", ["Họ và tên", "Họ tên", "HỌ VÀ TÊN", "Ho ten", "Full name", "Họ và tên (*)"]),
    ("relationship", ["Quan hệ với chủ hộ", "Quan hệ", "QH với chủ hộ", "Quan hệ với CH"]),
    ("birth", ["Ngày sinh", "Ngày tháng năm sinh", "Ngày, tháng, năm sinh", "NGÀY SINH"]),
    ("sex", ["Giới tính", "Giới", "GIỚI TÍNH"]),
    ("ethnicity", ["Dân tộc", "DÂN TỘC"]),
    ("cccd", ["Số CCCD", "CCCD", "Số định danh", "CMND/CCCD", "Số định danh cá nhân"]),
    ("phone", ["SĐT", "Số điện thoại", "Điện thoại", "Số ĐT"]),
    ("occupation", ["Nghề nghiệp", "Nghề"]),
    ("special_needs", ["Ghi chú đặc biệt", "Khuyết tật", "Nhu cầu đặc biệt"]),
    ("extra", ["Ghi chú khác"]),
]

RELATIONSHIP_LABELS: dict[str, dict[str, list[str]]] = {
    "head": {"M": ["Chủ hộ", "chủ hộ", "CHỦ HỘ"], "F": ["Chủ hộ", "chủ hộ"]},
    "spouse": {"M": ["Chồng"], "F": ["Vợ", "vợ"]},
    "child": {"M": ["Con", "Con trai", "con"], "F": ["Con", "Con gái"]},
    "parent": {"M": ["Bố", "Cha"], "F": ["Mẹ"]},
    "grandparent": {"M": ["Ông", "Ông nội"], "F": ["Bà", "Bà ngoại"]},
    "grandchild": {"M": ["Cháu", "Cháu nội"], "F": ["Cháu", "Cháu ngoại"]},
    "sibling": {"M": ["Anh", "Em trai"], "F": ["Chị", "Em gái"]},
    "child_in_law": {"M": ["Con rể"], "F": ["Con dâu"]},
    "other": {"M": ["Khác"], "F": ["Khác"]},
}
SEX_LABELS = {"M": ["Nam", "nam", "NAM", "M"], "F": ["Nữ", "nữ", "NỮ", "Nu", "F"]}
OCCUPATION_LABELS = {
    "farmer": ["Làm ruộng", "Nông dân", "Nông nghiệp", "Làm nông"],
    "trader": ["Buôn bán", "Kinh doanh", "Tiểu thương"],
    "student": ["Học sinh", "Sinh viên", "HS"],
    "worker": ["Công nhân", "Lao động tự do"],
    "retired": ["Hưu trí", "Nghỉ hưu"],
    "official": ["Cán bộ", "Viên chức", "Công chức"],
    "homemaker": ["Nội trợ"],
    "unemployed": ["Thất nghiệp", "Không có việc làm"],
    "other": ["Khác"],
}
ETHNICITY_OTHER_NAMES = {
    "08": ["H'Mông", "Hmông", "Mèo"],
    "05": ["Khmer", "Khơ-me"],
    "12": ["Ê-đê"],
    "13": ["Ba-na"],
    "14": ["Xơ-đăng"],
    "10": ["Gia-rai", "Jrai"],
    "20": ["M'Nông"],
    "09": ["Dao đỏ"],
}
EXTRA_NOTES = ["", "", "", "Đã tiêm 2 mũi", "Đi làm xa", "Tạm vắng", "Mới chuyển đến"]

# Mistakes: (kind, the error code expected, which fields it is about).
MISTAKES: list[tuple[str, Code]] = [
    ("cccd_short", RegistryError.CCCD_FORMAT),
    ("cccd_letter", RegistryError.CCCD_FORMAT),
    ("cccd_number", RegistryError.CCCD_NUMBER_CELL),  # XLSX only
    ("date_impossible", RegistryError.INVALID_BIRTH_DATE),
    ("date_future", RegistryError.INVALID_BIRTH_DATE),
    ("date_words", RegistryError.INVALID_BIRTH_DATE),
    ("sex_unknown", RegistryError.INVALID_SEX),
    ("sex_empty", CoreError.REQUIRED),
    ("name_empty", CoreError.REQUIRED),
    ("ethnicity_unknown", RegistryError.INVALID_ETHNICITY),
    ("phone_bad", CoreError.INVALID_PHONE),
    ("relationship_unknown", RegistryError.INVALID_RELATIONSHIP),
]
# Mistakes that would hide a head row from the grouping by head rows (no household code column).
_HEAD_BREAKING = {"date_impossible", "date_future", "date_words", "name_empty"}
_HEAD_BREAKING |= {"relationship_unknown"}
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


class _Writer:
    def __init__(
        self, rng: random.Random, fmt: Format, bad_share: float, household_codes: bool
    ) -> None:
        self.rng = rng
        self.fmt = fmt
        self.xlsx = fmt == "xlsx"
        self.bad_share = bad_share
        self.household_codes = household_codes
        self.mistakes = [m for m in MISTAKES if self.xlsx or m[0] != "cccd_number"]

    def pick(self, options: list[str]) -> str:
        return self.rng.choice(options)

    def header(self) -> tuple[list[str], list[str]]:
        fields, cells = [], []
        for name, options in HEADER_CHOICES:
            if name == "household_code" and not self.household_codes:
                continue
            label = self.pick(options)
            if self.rng.random() < 0.15:
                label = _nfd(label)
            if self.rng.random() < 0.1:
                label = f" {label}  "
            fields.append(name)
            cells.append(label)
        return fields, cells

    def birth(self, person: SynthPerson) -> object:
        rng = self.rng
        if person.birth_date is None:
            return person.birth_year if self.xlsx and rng.random() < 0.5 else str(person.birth_year)
        d = person.birth_date
        roll = rng.random()
        if self.xlsx and roll < 0.3:
            return d  # a real date cell
        if self.xlsx and roll < 0.45:
            return (d - _EXCEL_EPOCH).days  # a date whose column lost its date format
        return rng.choice(
            [
                f"{d.day:02d}/{d.month:02d}/{d.year}",
                f"{d.day:02d}/{d.month:02d}/{d.year}",
                f"{d.day}/{d.month}/{d.year}",
                d.isoformat(),
                f"{d.day:02d}-{d.month:02d}-{d.year}",
                f"{d.day:02d}.{d.month:02d}.{d.year}",
            ]
        )

    def cccd(self, number: str) -> object:
        if not number:
            return ""
        roll = self.rng.random()
        if roll < 0.5:
            return number
        groups = [number[:3], number[3:6], number[6:9], number[9:]]
        return self.pick([" ", ".", "-"]).join(groups) if roll < 0.9 else f" {number} "

    def phone(self, number: str) -> object:
        if not number:
            return ""
        roll = self.rng.random()
        if self.xlsx and roll < 0.15:
            return int(number)  # a number cell: the 0 is gone
        if roll < 0.4:
            return number
        if roll < 0.6:
            return f"{number[:4]} {number[4:7]} {number[7:]}"
        if roll < 0.75:
            return f"{number[:4]}.{number[4:7]}.{number[7:]}"
        return "+84" + number[1:]

    def ethnicity(self, code: str) -> str:
        roll = self.rng.random()
        if roll < 0.15:
            return code
        if roll < 0.35 and code in ETHNICITY_OTHER_NAMES:
            return self.pick(ETHNICITY_OTHER_NAMES[code])
        name = ETHNICITY_NAMES[code]
        return _nfd(name) if roll > 0.9 else name

    def name(self, name: str) -> str:
        roll = self.rng.random()
        if roll < 0.15:
            return _nfd(name)
        if roll < 0.22:
            return f"  {name.replace(' ', '  ', 1)} "
        return name

    def row(
        self, hh: SynthHousehold, person: SynthPerson, index: int, first: bool, code_shown: bool
    ) -> dict[str, object]:
        rng = self.rng
        village = hh.village_name if first or rng.random() < 0.7 else ""
        return {
            "index": index,
            "household_code": hh.code if (first or code_shown) else "",
            "village": _nfd(village) if rng.random() < 0.05 else village,
            "address": hh.address if first or rng.random() < 0.5 else "",
            "full_name": self.name(person.full_name),
            "relationship": self.pick(RELATIONSHIP_LABELS[person.relationship][person.sex]),
            "birth": self.birth(person),
            "sex": self.pick(SEX_LABELS[person.sex]),
            "ethnicity": self.ethnicity(person.ethnicity),
            "cccd": self.cccd(person.cccd),
            "phone": self.phone(person.phone),
            "occupation": self.pick(OCCUPATION_LABELS[person.occupation])
            if person.occupation
            else "",
            "special_needs": person.special_needs,
            "extra": self.pick(EXTRA_NOTES),
        }

    def spoil(self, cells: dict[str, object], is_head: bool) -> Code:
        options = self.mistakes
        if is_head and not self.household_codes:
            options = [m for m in options if m[0] not in _HEAD_BREAKING]
        kind, code = self.rng.choice(options)
        year = self.rng.randrange(1950, 2000)
        spoilt: dict[str, tuple[str, object]] = {
            "cccd_short": ("cccd", f"0010{year % 100:02d}12345"),
            "cccd_letter": ("cccd", f"0010{year % 100:02d}12O456"),
            "cccd_number": ("cccd", int(f"0010{year % 100:02d}123456")),
            "date_impossible": ("birth", f"31/02/{year}"),
            "date_future": ("birth", "01/01/2099"),
            "date_words": ("birth", f"khoảng {year}"),
            "sex_unknown": ("sex", "Không rõ"),
            "sex_empty": ("sex", ""),
            "name_empty": ("full_name", ""),
            "ethnicity_unknown": ("ethnicity", "Sao Hỏa"),
            "phone_bad": ("phone", "12345"),
            "relationship_unknown": ("relationship", "Hàng xóm"),
        }
        field, value = spoilt[kind]
        cells[field] = value
        return code


def messy_file(
    households: list[SynthHousehold],
    *,
    fmt: Format,
    seed: int = 1,
    bad_share: float = 0.05,
    title_rows: bool = True,
    household_codes: bool = True,
) -> tuple[bytes, dict[str, object]]:
    """The people of ``households`` as a messy ``fmt`` file, and its manifest (module docstring).

    ``household_codes=False`` leaves the code column out: households then come from the head rows
    (and no mistake is put on a head row that would hide it as a head).
    """
    rng = random.Random(seed)  # noqa: S311 - made-up data, not secrets
    writer = _Writer(rng, fmt, bad_share, household_codes)
    fields, header = writer.header()
    lines: list[list[object]] = []
    if title_rows:
        village = households[0].village_name.upper() if households else ""
        lines += [
            ["ỦY BAN NHÂN DÂN XÃ"],
            [_nfd(f"DANH SÁCH NHÂN KHẨU {village}") if rng.random() < 0.3 else
             f"DANH SÁCH NHÂN KHẨU {village}"],
            ["(Kèm theo Kế hoạch số 12/KH-UBND về phong trào Bình dân học vụ số)"],
            [],
        ]  # fmt: skip
    lines.append(list(header))
    if rng.random() < 0.3:
        lines.append([f"({i})" for i in range(1, len(header) + 1)])
    bad_rows: dict[int, str] = {}
    rows = 0
    index = 0
    for hh in households:
        code_shown = rng.random() < 0.7  # else only on the household's first row
        for position, person in enumerate(hh.members):
            index += 1
            cells = writer.row(hh, person, index, position == 0, code_shown)
            if rng.random() < bad_share:
                bad_rows[len(lines) + 1] = str(writer.spoil(cells, person.relationship == "head"))
            lines.append([cells[f] for f in fields])
            rows += 1
        if rng.random() < 0.03:
            lines.append([""] * len(fields) if rng.random() < 0.5 else [])
    manifest: dict[str, object] = {
        "rows": rows,
        "bad_rows": bad_rows,
        "good_rows": rows - len(bad_rows),
        "format": fmt,
        "household_codes": household_codes,
    }
    if fmt == "xlsx":
        return _xlsx(lines), manifest
    if fmt == "csv-utf16":
        return _csv(lines, "\t").encode("utf-16"), manifest
    delimiter = rng.choice([",", ";", "\t"])
    bom = codecs.BOM_UTF8 if rng.random() < 0.5 else b""
    manifest["delimiter"] = delimiter
    return bom + _csv(lines, delimiter).encode("utf-8"), manifest


def _csv(lines: list[list[object]], delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for line in lines:
        writer.writerow(["" if c is None else c for c in line])
    return out.getvalue()


def _xlsx(lines: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Nhân khẩu")
    for line in lines:
        sheet.append([None if c == "" else c for c in line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
