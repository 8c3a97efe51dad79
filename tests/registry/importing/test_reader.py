import codecs
import datetime as dt
import unicodedata

import pytest

from hocvuso.core.errors import DomainError
from hocvuso.registry.errors import RegistryError
from hocvuso.registry.importing import cells
from hocvuso.registry.importing.reader import read_table

from .conftest import make_csv

ROWS = [
    ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Ghi chú khác"],
    ["1", "Nguyễn Văn An", "15/03/1975", "Nam", "001075000123", "x"],
    ["2", "Trần Thị Bình", "1980", "Nữ", "", ""],
]


def _cp1258(text: str) -> bytes:
    """Vietnamese as Windows-1258 writes it: base letters precomposed, tone marks combining."""
    out = b""
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        for split in range(len(decomposed), 0, -1):
            try:
                head = unicodedata.normalize("NFC", decomposed[:split]).encode("cp1258")
                tail = decomposed[split:].encode("cp1258")
            except UnicodeEncodeError:
                continue
            out += head + tail
            break
    return out


def _check(table, header_row=1):
    assert table.header_row == header_row
    assert table.columns == {1: "full_name", 2: "birth", 3: "sex", 4: "cccd"}
    assert table.unknown_columns == ["Ghi chú khác"]
    assert table.total == 2
    first, second = table.rows
    assert first.number == header_row + 1
    assert first.values == {
        "full_name": "Nguyễn Văn An",
        "birth": "15/03/1975",
        "sex": "Nam",
        "cccd": "001075000123",
    }
    assert second.number == header_row + 2
    assert second.values == {"full_name": "Trần Thị Bình", "birth": "1980", "sex": "Nữ"}
    assert first.original == ["1", "Nguyễn Văn An", "15/03/1975", "Nam", "001075000123", "x"]


@pytest.mark.parametrize(
    ("encode", "delimiter"),
    [
        (lambda s: s.encode("utf-8"), ","),
        (lambda s: codecs.BOM_UTF8 + s.encode("utf-8"), ","),
        (lambda s: s.encode("utf-8"), ";"),
        (lambda s: s.encode("utf-8"), "\t"),
        (lambda s: codecs.BOM_UTF8 + s.encode("utf-8"), ";"),
        (lambda s: s.encode("utf-16"), "\t"),  # Excel "Unicode text": UTF-16 LE with BOM
        (lambda s: codecs.BOM_UTF16_BE + s.encode("utf-16-be"), "\t"),
        (lambda s: s.encode("utf-16-le"), "\t"),  # no BOM
        (lambda s: _cp1258(s), ","),  # Windows Vietnamese: not UTF-8
    ],
    ids=["utf8", "utf8-bom", "semicolon", "tab", "bom-semicolon", "utf16", "utf16be", "utf16-nobom",
         "cp1258"],
)  # fmt: skip
def test_csv_encodings_and_delimiters(encode, delimiter):
    table = read_table(encode(make_csv(ROWS, delimiter=delimiter)), filename="list.csv")
    _check(table)
    assert table.rows[0].text_cells == frozenset({"full_name", "birth", "sex", "cccd"})


def test_csv_commas_inside_quoted_cells():
    text = 'Họ và tên,Địa chỉ,Giới tính\r\n"Lê Văn C","Số 5, Thôn Đông",Nam\r\n'
    table = read_table(text.encode(), filename="a.csv")
    assert table.rows[0].values["address"] == "Số 5, Thôn Đông"


def test_semicolon_file_with_commas_in_title_row():
    rows = [["DANH SÁCH NHÂN KHẨU, THÔN ĐÔNG, XÃ AN PHÚ"], *ROWS]
    table = read_table(make_csv(rows, delimiter=";").encode(), filename="a.csv")
    _check(table, header_row=2)


def test_title_rows_above_header_csv():
    rows = [["DANH SÁCH NHÂN KHẨU THÔN ĐÔNG"], ["(Kèm theo kế hoạch số 12)"], [""], *ROWS]
    table = read_table(make_csv(rows).encode(), filename="a.csv")
    _check(table, header_row=4)


def test_title_rows_above_header_xlsx(xlsx):
    data = xlsx([["UBND XÃ AN PHÚ"], ["DANH SÁCH NHÂN KHẨU THÔN ĐÔNG"], [], *ROWS])
    _check(read_table(data, filename="a.xlsx"), header_row=4)


def test_nfd_comes_out_nfc():
    rows = [[unicodedata.normalize("NFD", c) for c in row] for row in ROWS]
    table = read_table(make_csv(rows).encode(), filename="a.csv")
    _check(table)
    name = table.rows[0].values["full_name"]
    assert isinstance(name, str)
    assert unicodedata.is_normalized("NFC", name)


def test_spaces_trimmed_and_collapsed_by_the_cell_functions():
    rows = [ROWS[0], ["1", "  Nguyễn   Văn An ", "15/03/1975", " Nam", "   ", "x"]]
    table = read_table(make_csv(rows).encode(), filename="a.csv")
    values = table.rows[0].values
    assert "cccd" not in values  # spaces only: no value
    assert cells.full_name(values["full_name"]) == "Nguyễn Văn An"
    assert cells.sex(values["sex"]) == "M"


def test_blank_rows_skipped_and_not_counted():
    rows = [ROWS[0], ROWS[1], [""] * 6, [], ROWS[2]]
    table = read_table(make_csv(rows).encode(), filename="a.csv")
    assert table.total == 2
    assert [r.number for r in table.rows] == [2, 5]


def test_column_numbering_row_under_header_skipped():
    rows = [ROWS[0], [f"({i})" for i in range(1, 7)], ROWS[1]]
    table = read_table(make_csv(rows).encode(), filename="a.csv")
    assert table.total == 1
    assert table.rows[0].number == 3


def test_original_padded_to_header_width():
    rows = [ROWS[0], ["1", "Nguyễn Văn An", "1975"]]
    table = read_table(make_csv(rows).encode(), filename="a.csv")
    assert table.rows[0].original == ["1", "Nguyễn Văn An", "1975", "", "", ""]


def test_second_column_for_a_field_is_reported_not_mapped():
    rows = [["Họ và tên", "Thôn", "Tổ dân phố"], ["An", "Thôn Đông", "Tổ 3"]]
    table = read_table(make_csv(rows).encode(), filename="a.csv")
    assert table.columns == {0: "full_name", 1: "village"}
    assert table.unknown_columns == ["Tổ dân phố"]


def test_xlsx_first_sheet(xlsx):
    data = xlsx(ROWS, sheet="Nhân khẩu", others={"Khác": [["x"]]})
    _check(read_table(data, filename="list.xlsx"))


def test_xlsx_named_sheet(xlsx):
    data = xlsx(ROWS, sheet="Nhân khẩu", first={"Bìa": [["BÁO CÁO"]]})
    _check(read_table(data, filename="list.xlsx", sheet="Nhân khẩu"))


def test_xlsx_unknown_sheet_lists_the_sheets(xlsx):
    data = xlsx(ROWS, sheet="Nhân khẩu", others={"Khác": [["x"]]})
    with pytest.raises(DomainError) as caught:
        read_table(data, filename="list.xlsx", sheet="Sheet9")
    assert caught.value.code == RegistryError.UNSUPPORTED_FILE
    assert "Nhân khẩu, Khác" in caught.value.message


def test_xlsx_detected_by_content_not_name(xlsx):
    _check(read_table(xlsx(ROWS), filename="upload.bin"))


def test_xlsx_cell_types(xlsx):
    data = xlsx(
        [
            ["Họ và tên", "Ngày sinh", "Số CCCD", "Số điện thoại", "Năm sinh"],
            ["An", dt.date(1975, 3, 15), "001075000123", 912345678, 1975],
            ["Bình", 27468, 1075000123, "0912345678", None],
        ],
        text_columns=[3],
    )
    table = read_table(data, filename="a.xlsx")
    first, second = table.rows
    assert first.values["birth"] == dt.datetime(1975, 3, 15)  # noqa: DTZ001 - openpyxl's naive
    assert first.values["phone"] == 912345678
    assert first.values["birth_year"] == 1975
    assert first.text_cells == frozenset({"full_name", "cccd", "phone"})  # '@' column counts
    assert second.values["cccd"] == 1075000123
    assert "cccd" not in second.text_cells
    assert second.original == ["Bình", "27468", "1075000123", "0912345678", ""]
    assert first.original[1] == "15/03/1975"


def test_xlsx_blank_rows_and_numbers_keep_excel_row_numbers(xlsx):
    data = xlsx([["Tiêu đề"], ROWS[0], ROWS[1], [None] * 6, ROWS[2]])
    table = read_table(data, filename="a.xlsx")
    assert table.header_row == 2
    assert [r.number for r in table.rows] == [3, 5]


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls"),
        (b"PK\x03\x04 this is no zip", "broken.xlsx"),
        (b"plain text", "named.xlsx"),
        (b"\x00\x01\x02\x03\xff\xfe\x00\x00" * 50, "junk.csv"),
    ],
)
def test_unsupported_files(data, filename):
    with pytest.raises(DomainError) as caught:
        read_table(data, filename=filename)
    assert caught.value.code == RegistryError.UNSUPPORTED_FILE


@pytest.mark.parametrize(
    "rows",
    [
        [["Ngày sinh", "Giới tính", "Số CCCD"], ["15/03/1975", "Nam", "001075000123"]],  # no name
        [["Họ và tên", "Tôn giáo"], ["An", "Không"]],  # a name alone
        [["a", "b"]] * 25 + [["Họ và tên", "Giới tính"]],  # header beyond row 20
        [],
    ],
)
def test_header_not_found(rows):
    with pytest.raises(DomainError) as caught:
        read_table(make_csv(rows).encode(), filename="a.csv")
    assert caught.value.code == RegistryError.HEADER_NOT_FOUND


def test_header_not_found_xlsx(xlsx):
    with pytest.raises(DomainError) as caught:
        read_table(xlsx([["Tổng hợp"], ["1", "2"]]), filename="a.xlsx")
    assert caught.value.code == RegistryError.HEADER_NOT_FOUND


def test_a_file_without_a_name_column_says_what_it_found_and_what_it_needs(xlsx):
    rows = [["Ngày sinh", "Giới tính", "Số CCCD"], ["15/03/1975", "Nam", "001075000123"]]
    for data, name in ((make_csv(rows).encode(), "a.csv"), (xlsx(rows), "a.xlsx")):
        with pytest.raises(DomainError) as caught:
            read_table(data, filename=name)
        assert caught.value.code == RegistryError.HEADER_NOT_FOUND
        message = str(caught.value.message)
        assert "“Ngày sinh”, “Giới tính”, “Số CCCD”" in message, message
        assert "Họ và tên" in message
