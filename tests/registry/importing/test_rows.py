import datetime as dt

import pytest

from hocvuso.core.errors import CoreError
from hocvuso.registry.errors import RegistryError
from hocvuso.registry.importing.reader import read_table
from hocvuso.registry.importing.rows import (
    ParsedPerson,
    RowError,
    derived_household_code,
    parse_rows,
)

from .conftest import make_csv

HEADER = ["Mã hộ", "Thôn", "Họ và tên", "Quan hệ với chủ hộ", "Ngày sinh", "Giới tính", "Số CCCD"]


def _parse(rows, header=HEADER):
    table = read_table(make_csv([header, *rows]).encode(), filename="a.csv")
    return list(parse_rows(table))


def _people(results):
    assert all(isinstance(r, ParsedPerson) for r in results), results
    return results


def test_a_full_row():
    header = ["Mã hộ", "Thôn/Tổ dân phố", "Địa chỉ", "Họ và tên", "Quan hệ với chủ hộ",
              "Ngày sinh", "Giới tính", "Dân tộc", "Số CCCD", "Số điện thoại", "Nghề nghiệp",
              "Ghi chú đặc biệt"]  # fmt: skip
    row = ["HGD-1", "Thôn Đông", "Số 5", "Nguyễn Văn An", "Chủ hộ", "15/03/1975", "Nam", "Kinh",
           "001 075 000 123", "0912 345 678", "Làm ruộng", "Nghe kém"]  # fmt: skip
    (person,) = _parse([row], header)
    assert person == ParsedPerson(
        number=2,
        household_code="HGD-1",
        village="Thôn Đông",
        address="Số 5",
        full_name="Nguyễn Văn An",
        birth_date=dt.date(1975, 3, 15),
        birth_year=1975,
        sex="M",
        ethnicity="01",
        cccd="001075000123",
        phone="+84912345678",
        occupation="farmer",
        relationship="head",
        special_needs="Nghe kém",
        source=person.source,
    )
    assert person.original == row


def test_households_by_code_even_when_interleaved():
    results = _people(
        _parse(
            [
                ["H1", "Đông", "An", "Chủ hộ", "1970", "Nam", ""],
                ["H2", "Đông", "Bình", "Chủ hộ", "1971", "Nam", ""],
                ["H1", "Đông", "Cúc", "Vợ", "1972", "Nữ", ""],
            ]
        )
    )
    assert [p.household_code for p in results] == ["H1", "H2", "H1"]


def test_empty_code_cell_follows_the_household_above():
    # A merged "Mã hộ" cell: only the first row holds the code.
    results = _people(
        _parse(
            [
                ["H1", "Đông", "An", "Chủ hộ", "1970", "Nam", ""],
                ["", "", "Cúc", "Vợ", "1972", "Nữ", ""],
                ["H2", "Tây", "Bình", "Chủ hộ", "1971", "Nam", ""],
                ["", "", "Dung", "Con", "2000", "Nữ", ""],
            ]
        )
    )
    assert [p.household_code for p in results] == ["H1", "H1", "H2", "H2"]
    assert [p.village for p in results] == ["Đông", "Đông", "Tây", "Tây"]


def test_households_by_head_rows():
    header = ["Thôn", "Họ và tên", "Quan hệ", "Năm sinh", "Giới tính"]
    results = _people(
        _parse(
            [
                ["Đông", "Nguyễn Văn An", "Chủ hộ", "1970", "Nam"],
                ["Đông", "Lê Thị Cúc", "Vợ", "1972", "Nữ"],
                ["Đông", "Nguyễn Văn Bình", "Chủ hộ", "1971", "Nam"],
                ["", "Nguyễn Thị Dung", "Con", "2000", "Nữ"],
            ],
            header,
        )
    )
    first = derived_household_code("Nguyễn Văn An", 1970, "Đông")
    second = derived_household_code("Nguyễn Văn Bình", 1971, "Đông")
    assert first != second
    assert first.startswith("HH-")
    assert len(first) == 13
    assert [p.household_code for p in results] == [first, first, second, second]
    assert results[3].village == "Đông"  # the household's village


def test_derived_code_is_stable_when_rows_are_inserted_and_spelled_differently():
    header = ["Thôn", "Họ và tên", "Quan hệ", "Năm sinh", "Giới tính"]
    before = _people(_parse([["Thôn Đông", "Nguyễn Văn An", "Chủ hộ", "1970", "Nam"]], header))
    after = _people(
        _parse(
            [
                ["Thôn Đông", "Trần Văn Ba", "Chủ hộ", "1960", "Nam"],
                ["THÔN ĐÔNG", "NGUYỄN VĂN AN", "Chủ hộ", "1970", "Nam"],
            ],
            header,
        )
    )
    assert after[1].household_code == before[0].household_code


def test_two_heads_with_the_same_name_year_and_village_get_different_codes():
    header = ["Thôn", "Họ và tên", "Quan hệ", "Năm sinh", "Giới tính"]
    results = _people(
        _parse(
            [
                ["Đông", "Nguyễn Văn An", "Chủ hộ", "1970", "Nam"],
                ["Đông", "Nguyễn Văn An", "Chủ hộ", "1970", "Nam"],
            ],
            header,
        )
    )
    assert results[0].household_code != results[1].household_code
    assert results[1].household_code == derived_household_code("Nguyễn Văn An", 1970, "Đông", 2)


def test_head_column_marks_the_head():
    header = ["Họ và tên", "Chủ hộ", "Quan hệ", "Năm sinh", "Giới tính"]
    results = _people(
        _parse(
            [["Nguyễn Văn An", "x", "", "1970", "Nam"], ["Lê Thị Cúc", "", "Vợ", "1972", "Nữ"]],
            header,
        )
    )
    assert [p.relationship for p in results] == ["head", "spouse"]
    assert results[0].household_code == results[1].household_code


def test_head_mark_contradicting_the_relationship():
    header = ["Họ và tên", "Chủ hộ", "Quan hệ", "Năm sinh", "Giới tính"]
    (error,) = _parse([["Lê Thị Cúc", "x", "Vợ", "1972", "Nữ"]], header)
    assert isinstance(error, RowError)
    assert (error.code, error.field) == (RegistryError.INVALID_RELATIONSHIP, "relationship")


def test_members_before_any_head_have_no_household():
    header = ["Họ và tên", "Quan hệ", "Năm sinh", "Giới tính"]
    results = _parse(
        [["Lê Thị Cúc", "Vợ", "1972", "Nữ"], ["Nguyễn Văn An", "Chủ hộ", "1970", "Nam"]],
        header,
    )
    error, head = results
    assert isinstance(error, RowError)
    assert (error.number, error.code, error.field) == (
        2,
        RegistryError.NO_HOUSEHOLD,
        "household_code",
    )
    assert error.original == ["Lê Thị Cúc", "Vợ", "1972", "Nữ"]
    assert isinstance(head, ParsedPerson)


def test_members_of_a_head_rejected_for_its_name_or_birth_are_rejected_too():
    header = ["Họ và tên", "Quan hệ", "Ngày sinh", "Giới tính", "Số CCCD"]
    results = _parse(
        [
            ["Nguyễn Văn An", "Chủ hộ", "1970", "Nam", ""],
            ["Trần Văn Ba", "Chủ hộ", "31/02/1960", "Nam", ""],
            ["Trần Thị Bé", "Con", "1990", "Nữ", ""],
            ["Lê Văn Cường", "Chủ hộ", "1965", "Nam", "12"],
            ["Lê Thị Dịu", "Con", "1995", "Nữ", ""],
        ],
        header,
    )
    assert [(r.number, r.code) for r in results if isinstance(r, RowError)] == [
        (3, RegistryError.INVALID_BIRTH_DATE),
        (4, RegistryError.NO_HOUSEHOLD),
        (5, RegistryError.CCCD_FORMAT),
    ]
    assert "3" in results[2].message  # names the head's row
    dịu = results[4]
    assert isinstance(dịu, ParsedPerson)
    assert dịu.household_code == derived_household_code("Lê Văn Cường", 1965, "")


@pytest.mark.parametrize(
    ("row", "code", "field"),
    [
        (["H1", "Đông", "", "Chủ hộ", "1970", "Nam", ""], CoreError.REQUIRED, "full_name"),
        (["H1", "Đông", "123", "Chủ hộ", "1970", "Nam", ""], CoreError.INVALID, "full_name"),
        (["H1", "Đông", "An", "Hàng xóm", "1970", "Nam", ""], RegistryError.INVALID_RELATIONSHIP,
         "relationship"),
        (["H1", "Đông", "An", "Chủ hộ", "31/02/1970", "Nam", ""], RegistryError.INVALID_BIRTH_DATE,
         "birth"),
        (["H1", "Đông", "An", "Chủ hộ", "1970", "", ""], CoreError.REQUIRED, "sex"),
        (["H1", "Đông", "An", "Chủ hộ", "1970", "?", ""], RegistryError.INVALID_SEX, "sex"),
        (["H1", "Đông", "An", "Chủ hộ", "1970", "Nam", "123"], RegistryError.CCCD_FORMAT, "cccd"),
        (["H" * 40, "Đông", "An", "Chủ hộ", "1970", "Nam", ""], CoreError.INVALID,
         "household_code"),
    ],
)  # fmt: skip
def test_row_errors(row, code, field):
    (error,) = _parse([row])
    assert isinstance(error, RowError)
    assert (error.number, error.code, error.field) == (2, code, field)
    assert error.message
    assert error.original == row


def test_first_error_in_template_order():
    (error,) = _parse([["H1", "Đông", "An", "Chủ hộ", "31/02/1970", "?", "12"]])
    assert isinstance(error, RowError)
    assert error.code == RegistryError.INVALID_BIRTH_DATE


def test_cells_read_once_a_value_give_the_same_results_and_the_same_first_error():
    """Cells whose values repeat are read once a value: a row whose values were seen before
    reads as if read afresh, its first error still in the template's order."""
    header = ["Mã hộ", "Thôn", "Địa chỉ", "Họ và tên", "Giới tính", "Dân tộc", "Số CCCD",
              "SĐT", "Nghề nghiệp"]  # fmt: skip
    rows = [
        ["H1", " Đông ", "Số 5", "An", "Nam", "Kinh", "", "", "Làm ruộng"],
        ["H1", " Đông ", "Số 5", "Bình", "Nam", "Kinh", "12", "", "Làm ruộng"],
        ["H1", " Đông ", "Số 5", "Cúc", "Nam", "Kinh", "", "12345", "Làm ruộng"],
        ["H1", " Đông ", "Số 5", "Dũng", "Nam", "Kinh", "12", "12345", "Làm ruộng"],
        ["H1", " Đông ", "Số 5", "Em", "?", "Kinh", "12", "", "Làm ruộng"],
        ["H1", " Đông ", "Số 5", "Giang", "Nam", "Sao Hỏa", "12", "", "Làm ruộng"],
        ["H1", " Đông ", "Số 5", "Hà", "Nam", "Kinh", "", "", "Làm ruộng"],
    ]
    results = _parse(rows, header)
    assert [(r.code, r.field) if isinstance(r, RowError) else r.full_name for r in results] == [
        "An",
        (RegistryError.CCCD_FORMAT, "cccd"),
        (CoreError.INVALID_PHONE, "phone"),
        (RegistryError.CCCD_FORMAT, "cccd"),  # before the phone, as the template orders
        (RegistryError.INVALID_SEX, "sex"),  # before the CCCD
        (RegistryError.INVALID_ETHNICITY, "ethnicity"),
        "Hà",
    ]
    # The last row, read from values seen six times, reads as it does alone.
    (alone,) = _parse([rows[-1]], header)
    last = results[-1]
    assert (last.village, last.address, last.sex, last.ethnicity, last.occupation) == (
        alone.village, alone.address, alone.sex, alone.ethnicity, alone.occupation
    )  # fmt: skip
    assert (last.village, last.sex) == ("Đông", "M")


def test_other_fields_errors():
    header = ["Mã hộ", "Họ và tên", "Giới tính", "Dân tộc", "SĐT"]
    results = _parse(
        [["H1", "An", "Nam", "Sao Hỏa", ""], ["H1", "Bình", "Nam", "Kinh", "12345"]], header
    )
    assert [(r.code, r.field) for r in results if isinstance(r, RowError)] == [
        (RegistryError.INVALID_ETHNICITY, "ethnicity"),
        (CoreError.INVALID_PHONE, "phone"),
    ]


def test_cccd_number_cell_rejected_text_cell_kept(xlsx):
    data = xlsx(
        [
            ["Mã hộ", "Họ và tên", "Giới tính", "Năm sinh", "Số CCCD"],
            ["H1", "An", "Nam", 1975, 1075000123],
            ["H1", "Bình", "Nữ", 1975, "001175000123"],
            ["H1", "Cúc", "Nữ", 1975, 101175000123],
        ]
    )
    an, bình, cúc = parse_rows(read_table(data, filename="a.xlsx"))
    assert isinstance(an, RowError)
    assert (an.code, an.field) == (RegistryError.CCCD_NUMBER_CELL, "cccd")
    assert "1075000123" not in an.message
    assert isinstance(bình, ParsedPerson)
    assert bình.cccd == "001175000123"
    assert isinstance(cúc, ParsedPerson)
    assert cúc.cccd == "101175000123"


def test_excel_dates_serials_and_years(xlsx):
    data = xlsx(
        [
            ["Mã hộ", "Họ và tên", "Giới tính", "Ngày sinh"],
            ["H1", "An", "Nam", dt.date(1975, 3, 15)],
            ["H1", "Bình", "Nữ", 27468],
            ["H1", "Cúc", "Nữ", 1980],
            ["H1", "Dung", "Nữ", "1981"],
        ]
    )
    people = _people(list(parse_rows(read_table(data, filename="a.xlsx"))))
    assert [(p.birth_date, p.birth_year) for p in people] == [
        (dt.date(1975, 3, 15), 1975),
        (dt.date(1975, 3, 15), 1975),
        (None, 1980),
        (None, 1981),
    ]
