import codecs
import io

from openpyxl import load_workbook

from hocvuso.registry.importing.headers import match_header
from hocvuso.registry.importing.reader import read_table
from hocvuso.registry.importing.rows import ParsedPerson, parse_rows
from hocvuso.registry.importing.template import (
    TEMPLATE_HEADERS,
    template_csv,
    template_xlsx,
)


def test_headers_are_known_and_distinct():
    fields = [match_header(h) for h in TEMPLATE_HEADERS]
    assert None not in fields
    assert len(set(fields)) == len(fields)


def test_xlsx_layout():
    book = load_workbook(io.BytesIO(template_xlsx()))
    assert book.sheetnames == ["Danh sách", "Hướng dẫn"]
    sheet = book["Danh sách"]
    header = [c.value for c in sheet[1]]
    assert header == TEMPLATE_HEADERS
    assert all(c.font.bold for c in sheet[1])
    text_columns = {
        h: sheet.column_dimensions[chr(ord("A") + i)].number_format
        for i, h in enumerate(TEMPLATE_HEADERS)
    }
    assert text_columns["Số CCCD"] == "@"
    assert text_columns["Số điện thoại"] == "@"
    assert text_columns["Mã hộ"] == "@"
    assert text_columns["Họ và tên"] == "General"
    assert "HƯỚNG DẪN" in str(book["Hướng dẫn"]["A1"].value)


def test_xlsx_sample_row_parses():
    table = read_table(template_xlsx(), filename="mau.xlsx")
    assert table.unknown_columns == []
    (sample,) = parse_rows(table)
    assert isinstance(sample, ParsedPerson)
    assert sample.cccd == "001075000123"
    assert sample.relationship == "head"


def test_csv_has_bom_and_same_headers():
    data = template_csv()
    assert data.startswith(codecs.BOM_UTF8)
    assert data[3:].decode("utf-8").splitlines()[0] == ",".join(TEMPLATE_HEADERS)
    table = read_table(data, filename="mau.csv")
    assert table.header == TEMPLATE_HEADERS
    assert table.total == 1
