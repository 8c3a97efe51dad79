import datetime as dt
import random

import pytest
from django.utils import timezone

from hocvuso.core.errors import CoreError, DomainError
from hocvuso.core.phones import normalise_phone
from hocvuso.registry.errors import RegistryError
from hocvuso.registry.ethnicity import ETHNIC_GROUPS
from hocvuso.registry.importing import cells
from hocvuso.registry.models import Occupation, Relationship


def _error(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.message
    return caught.value


# --- full name ---------------------------------------------------------------------------


def test_full_name_nfc_trimmed():
    assert cells.full_name("  Nguye\u0302\u0303n   Văn An ") == "Nguyễn Văn An"


@pytest.mark.parametrize(
    ("value", "code"),
    [(None, "required"), ("", "required"), ("  ", "required"), ("123", "invalid"),
     ("x" * 151, "invalid")],
)  # fmt: skip
def test_full_name_errors(value, code):
    error = _error(cells.full_name, value)
    assert (error.code, error.field) == (code, "full_name")


# --- CCCD --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "is_text", "expected"),
    [
        ("001075000123", True, "001075000123"),
        ("001 075 000 123", True, "001075000123"),
        ("001.075.000.123", True, "001075000123"),
        ("001-075-000-123", True, "001075000123"),
        ("'001075000123", True, "001075000123"),
        (None, True, ""),
        ("", False, ""),
        (101075000123, False, "101075000123"),  # a 12-digit number cell lost nothing
        (101075000123.0, False, "101075000123"),
    ],
)
def test_cccd_valid(value, is_text, expected):
    assert cells.cccd(value, is_text=is_text) == expected


@pytest.mark.parametrize("value", [1075000123, 1075000123.0, 12345678901])
def test_cccd_number_cell_lost_zeros(value):
    error = _error(cells.cccd, value, is_text=False)
    assert (error.code, error.field) == (RegistryError.CCCD_NUMBER_CELL, "cccd")
    assert "1075000123" not in error.message


def test_cccd_scientific_notation_text_is_a_number_cell():
    error = _error(cells.cccd, "1,07500E+11", is_text=True)
    assert error.code == RegistryError.CCCD_NUMBER_CELL


@pytest.mark.parametrize(
    ("value", "is_text"),
    [
        ("00107500012", True),  # 11 digits typed as text: not a lost-zero number
        ("0010750001234", True),
        ("00107500O123", True),
        (1075000123, True),  # a number in a Text-formatted cell
        (1234567890123, False),
        (1.5, False),
        (True, False),
    ],
)
def test_cccd_format(value, is_text):
    error = _error(cells.cccd, value, is_text=is_text)
    assert (error.code, error.field) == (RegistryError.CCCD_FORMAT, "cccd")
    assert "0010750001" not in error.message


# --- birth -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("15/03/1975", (dt.date(1975, 3, 15), 1975)),
        ("5/3/1975", (dt.date(1975, 3, 5), 1975)),
        ("15-03-1975", (dt.date(1975, 3, 15), 1975)),
        ("15.03.1975", (dt.date(1975, 3, 15), 1975)),
        ("1975-03-15", (dt.date(1975, 3, 15), 1975)),
        ("1975-03-15 00:00:00", (dt.date(1975, 3, 15), 1975)),
        ("15/03/1975 00:00", (dt.date(1975, 3, 15), 1975)),
        ("1975", (None, 1975)),
        (1975, (None, 1975)),
        (1975.0, (None, 1975)),
        (dt.date(1975, 3, 15), (dt.date(1975, 3, 15), 1975)),
        (dt.datetime(1975, 3, 15, 0, 0), (dt.date(1975, 3, 15), 1975)),  # noqa: DTZ001 - as openpyxl
        (None, (None, None)),
        ("", (None, None)),
    ],
)
def test_birth(value, expected):
    assert cells.birth(value) == expected


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (27468, dt.date(1975, 3, 15)),
        (27468.75, dt.date(1975, 3, 15)),  # a time of day is dropped
        (1, dt.date(1900, 1, 1)),
        (59, dt.date(1900, 2, 28)),
        (61, dt.date(1900, 3, 1)),
        (36526, dt.date(2000, 1, 1)),
        (45658, dt.date(2025, 1, 1)),
    ],
)
def test_excel_serial(serial, expected):
    assert cells.birth(serial) == (expected, expected.year)


@pytest.mark.parametrize("serial", [60, 0, -5, 73051, 100000])
def test_excel_serial_out_of_range(serial):
    error = _error(cells.birth, serial)
    assert (error.code, error.field) == (RegistryError.INVALID_BIRTH_DATE, "birth")


def test_separate_year_column():
    assert cells.birth(None, "1960") == (None, 1960)
    assert cells.birth("", 1960.0) == (None, 1960)
    assert cells.birth("15/03/1960", 1960) == (dt.date(1960, 3, 15), 1960)


@pytest.mark.parametrize(
    ("value", "year"),
    [
        ("31/02/1990", None),
        ("15/13/1990", None),
        ("khoảng 1960", None),
        ("15/03/75", None),
        ("1879", None),
        (1870, None),
        ("01/01/2099", None),
        (True, None),
        ("15/03/1960", 1961),  # the two columns disagree
        (None, "sáu mươi"),
        (None, 3000),
    ],
)
def test_birth_errors(value, year):
    error = _error(cells.birth, value, year)
    assert (error.code, error.field) == (RegistryError.INVALID_BIRTH_DATE, "birth")


def test_birth_today_ok_tomorrow_not():
    today = timezone.localdate()
    assert cells.birth(today.strftime("%d/%m/%Y")) == (today, today.year)
    tomorrow = today + dt.timedelta(days=1)
    if tomorrow.year == today.year:
        error = _error(cells.birth, tomorrow.strftime("%d/%m/%Y"))
        assert error.code == RegistryError.INVALID_BIRTH_DATE


# --- sex ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Nam", "M"), ("nam", "M"), ("NAM", "M"), ("M", "M"), ("Male", "M"), ("1", "M"), (1, "M"),
     ("Nữ", "F"), ("nữ", "F"), ("Nu", "F"), ("NỮ", "F"), ("F", "F"), ("Female", "F"), (2, "F"),
     ("Nu\u0303", "F")],
)  # fmt: skip
def test_sex(value, expected):
    assert cells.sex(value) == expected


def test_sex_required():
    error = _error(cells.sex, None)
    assert (error.code, error.field) == (CoreError.REQUIRED, "sex")


@pytest.mark.parametrize("value", ["Không rõ", "X", "3"])
def test_sex_invalid(value):
    error = _error(cells.sex, value)
    assert (error.code, error.field) == (RegistryError.INVALID_SEX, "sex")


# --- ethnicity ---------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "name"), ETHNIC_GROUPS)
def test_every_group_by_name_and_code(code, name):
    assert cells.ethnicity(name) == code
    assert cells.ethnicity(name.upper()) == code
    assert cells.ethnicity(code) == code
    assert cells.ethnicity(int(code)) == code


@pytest.mark.parametrize(
    ("value", "expected"),
    [("H'Mông", "08"), ("Hmông", "08"), ("Mèo", "08"), ("Mông", "08"), ("Khmer", "05"),
     ("Khơ-me", "05"), ("Ê-đê", "12"), ("Ba-na", "13"), ("Xơ-đăng", "14"), ("Gia-rai", "10"),
     ("Jrai", "10"), ("Mnông", "20"), ("M'Nông", "20"), ("Thái", "03"), ("Tày", "02"),
     ("Nùng", "07"), ("Dao", "09"), ("Dao đỏ", "09"), ("Hoa", "04"), ("Mường", "06"),
     ("Kinh", "01"), ("Việt", "01"), ("kinh", "01"), ("Dân tộc Kinh", "01"), ("8", "08"),
     (8.0, "08"), ("ê đê", "12"), ("Bru - Vân Kiều", "23")],
)  # fmt: skip
def test_ethnicity_synonyms(value, expected):
    assert cells.ethnicity(value) == expected


def test_ethnicity_empty():
    assert cells.ethnicity(None) == ""
    assert cells.ethnicity(" ") == ""


@pytest.mark.parametrize("value", ["Sao Hỏa", "55", 0, "Pháp"])
def test_ethnicity_invalid(value):
    error = _error(cells.ethnicity, value)
    assert (error.code, error.field) == (RegistryError.INVALID_ETHNICITY, "ethnicity")


def test_official_names_do_not_collide():
    keys = [cells._key(name) for _code, name in ETHNIC_GROUPS]
    assert len(set(keys)) == len(keys)


# --- phone -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("0912-345-678", "+84912345678"),
        ("+84912345678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("(024) 3825 1234", "+842438251234"),
        (912345678, "+84912345678"),  # a number cell lost its 0
        (912345678.0, "+84912345678"),
        (84912345678, "+84912345678"),
        (None, ""),
        ("", ""),
    ],
)
def test_phone(value, expected):
    assert cells.phone(value) == expected


@pytest.mark.parametrize("value", ["12345", "0123", "không có", 12345])
def test_phone_invalid(value):
    error = _error(cells.phone, value)
    assert (error.code, error.field) == (CoreError.INVALID_PHONE, "phone")


def test_phone_fast_path_agrees_with_libphonenumber():
    rng = random.Random(7)
    for _ in range(3000):
        number = f"0{rng.randrange(10**8, 10**10)}"[: rng.choice([10, 11])]
        try:
            expected = normalise_phone(number)
        except DomainError:
            expected = None
        try:
            got = cells.phone(number)
        except DomainError:
            got = None
        assert got == expected, number


# --- relationship ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Chủ hộ", "head"), ("chủ hộ", "head"), ("CHU HO", "head"), ("Vợ", "spouse"),
     ("Chồng", "spouse"), ("Con", "child"), ("Con trai", "child"), ("Con gái", "child"),
     ("Bố", "parent"), ("Cha", "parent"), ("Mẹ", "parent"), ("Ông", "grandparent"),
     ("Bà", "grandparent"), ("Ông nội", "grandparent"), ("Bà ngoại", "grandparent"),
     ("Cháu", "grandchild"), ("Cháu nội", "grandchild"), ("Cháu ngoại", "grandchild"),
     ("Anh", "sibling"), ("Chị", "sibling"), ("Em", "sibling"), ("Con dâu", "child_in_law"),
     ("Con rể", "child_in_law"), ("Khác", "other"), ("child_in_law", "child_in_law"),
     ("Wife", "spouse"), (None, "")],
)  # fmt: skip
def test_relationship(value, expected):
    assert cells.relationship(value) == expected


def test_relationship_invalid():
    error = _error(cells.relationship, "Hàng xóm")
    assert (error.code, error.field) == (RegistryError.INVALID_RELATIONSHIP, "relationship")


def test_relationship_words_are_model_choices_and_unambiguous():
    assert set(cells.RELATIONSHIP_WORDS) == set(Relationship.values)
    seen: dict[str, str] = {}
    for value, words in cells.RELATIONSHIP_WORDS.items():
        for word in words:
            assert seen.setdefault(cells._key(word), value) == value, word


# --- occupation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Buôn bán", "trader"), ("Tiểu thương", "trader"), ("Kinh doanh", "trader"),
     ("Làm ruộng", "farmer"), ("Nông dân", "farmer"), ("Nông nghiệp", "farmer"),
     ("Học sinh", "student"), ("Sinh viên", "student"), ("HS", "student"),
     ("Công nhân", "worker"), ("Lao động tự do", "worker"), ("Hưu trí", "retired"),
     ("Nghỉ hưu", "retired"), ("Cán bộ hưu trí", "retired"), ("Cán bộ", "official"),
     ("Công chức", "official"), ("Viên chức", "official"), ("Nội trợ", "homemaker"),
     ("Thất nghiệp", "unemployed"), ("farmer", "farmer"), ("Thầy cúng", "other"),
     ("Thời vụ", "other"), (None, "")],
)  # fmt: skip
def test_occupation(value, expected):
    assert cells.occupation(value) == expected


def test_occupation_values_are_model_choices():
    assert {value for value, _words in cells.OCCUPATION_WORDS} <= set(Occupation.values)


# --- head mark, text ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["x", "X", "có", "Có", "co", "1", 1, "yes", "TRUE", True, "✓"])
def test_is_head_true(value):
    assert cells.is_head(value) is True


@pytest.mark.parametrize("value", [None, "", "không", "0", 0, False, "Vợ"])
def test_is_head_false(value):
    assert cells.is_head(value) is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ""), (" Thôn  Đông ", "Thôn Đông"), ("Thôn\u00a0Đông\t", "Thôn Đông"),
     ("Thon\nDong", "Thon Dong"), ("Thon\u2003Dong", "Thon Dong"), (12, "12"), (12.0, "12"),
     (1.5, "1.5"),
     ("To\u0302\u0309 3", "Tổ 3"), (dt.date(2024, 1, 2), "02/01/2024")],
)  # fmt: skip
def test_text(value, expected):
    assert cells.text(value) == expected


def test_text_too_long_for_its_column():
    error = _error(cells.text, "x" * 33, field="household_code")
    assert (error.code, error.field) == (CoreError.INVALID, "household_code")


@pytest.mark.parametrize("value", ["15/03/75", "1-1-05", "75", "25"])
def test_two_digit_years_are_refused_with_the_reason(value):
    from django.utils import translation

    for language, words in (("vi", "hai chữ số"), ("en", "two-digit year")):
        with translation.override(language), pytest.raises(DomainError) as caught:
            cells.birth(value)
        assert caught.value.code == "invalid_birth_date"
        assert words in str(caught.value.message)
