"""The published import template, downloadable from the import page (XLSX and CSV).

Its headers are those :mod:`.headers` knows best; the CCCD, phone and household-code columns are
formatted as Text in the XLSX, so Excel keeps their leading zeros.
"""

from __future__ import annotations

import codecs
import csv
import io

TEMPLATE_HEADERS: list[str] = [
    "Mã hộ",
    "Thôn/Tổ dân phố",
    "Địa chỉ",
    "Họ và tên",
    "Quan hệ với chủ hộ",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Số CCCD",
    "Số điện thoại",
    "Nghề nghiệp",
    "Ghi chú đặc biệt",
]
TEXT_COLUMNS = ("Mã hộ", "Số CCCD", "Số điện thoại")
# A made-up example (the CCCD has the right shape, not a real person's number).
SAMPLE_ROW: list[str] = [
    "HGD-001",
    "Thôn Đông",
    "Số 12, Thôn Đông",
    "Nguyễn Văn An",
    "Chủ hộ",
    "15/03/1975",
    "Nam",
    "Kinh",
    "001075000123",
    "0912 345 678",
    "Làm ruộng",
    "",
]
WIDTHS = [12, 18, 26, 26, 18, 13, 10, 10, 16, 15, 16, 26]
INSTRUCTIONS: list[tuple[str, str]] = [
    ("HƯỚNG DẪN ĐIỀN DANH SÁCH NHÂN KHẨU", ""),
    ("", ""),
    ("Cột", "Cách điền"),
    ("Mã hộ", "Mã của hộ gia đình; mọi người cùng hộ ghi cùng một mã. Có thể để trống nếu "
     "dòng chủ hộ đứng trước các thành viên trong hộ."),
    ("Thôn/Tổ dân phố", "Tên thôn, bản, ấp, tổ dân phố nơi hộ đang ở."),
    ("Địa chỉ", "Số nhà, đường, xóm (nếu có)."),
    ("Họ và tên", "Bắt buộc. Ghi đầy đủ, có dấu."),
    ("Quan hệ với chủ hộ", "Chủ hộ, Vợ, Chồng, Con, Bố, Mẹ, Ông, Bà, Cháu, Anh, Chị, Em, "
     "Con dâu, Con rể hoặc Khác. Dòng chủ hộ đặt trước các thành viên."),
    ("Ngày sinh", "dd/mm/yyyy (ví dụ 15/03/1975); nếu chỉ biết năm sinh, ghi năm (1975)."),
    ("Giới tính", "Bắt buộc: Nam hoặc Nữ."),
    ("Dân tộc", "Tên dân tộc (Kinh, Tày, Thái, Mông, …) hoặc mã 01-54."),
    ("Số CCCD", "12 chữ số, giữ nguyên các số 0 ở đầu. Cột đã định dạng Văn bản (Text); nếu "
     "dán từ nơi khác, hãy dán dạng giá trị và kiểm tra số 0 đầu."),
    ("Số điện thoại", "Số di động hoặc cố định, ví dụ 0912 345 678."),
    ("Nghề nghiệp", "Ví dụ: Làm ruộng, Buôn bán, Công nhân, Học sinh, Hưu trí, Nội trợ."),
    ("Ghi chú đặc biệt", "Khuyết tật, nhu cầu hỗ trợ (mắt kém, nghe kém, …)."),
    ("", ""),
    ("Lưu ý", "Xoá dòng ví dụ (Nguyễn Văn An) trước khi nhập. Không gộp ô. Mỗi người một dòng. "
     "Có thể thêm dòng tiêu đề phía trên dòng tên cột."),
    ("", "Dòng nào có lỗi sẽ được trả lại kèm lý do để sửa và nhập lại; các dòng đúng vẫn "
     "được nhập. Nhập lại cùng một tệp không tạo bản ghi trùng."),
]  # fmt: skip


def template_xlsx() -> bytes:
    """The template as an XLSX workbook: the list sheet and a "Hướng dẫn" sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Danh sách"
    sheet.append(TEMPLATE_HEADERS)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    sample = Font(italic=True, color="808080")
    sheet.append(SAMPLE_ROW)
    for index, (header, width) in enumerate(zip(TEMPLATE_HEADERS, WIDTHS, strict=True), 1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        cell = sheet.cell(row=2, column=index)
        cell.font = sample
        if header in TEXT_COLUMNS:
            # The column's style applies to what is typed in later; the sample cell too.
            sheet.column_dimensions[letter].number_format = "@"
            cell.number_format = "@"
    sheet.freeze_panes = "A2"

    guide = book.create_sheet("Hướng dẫn")
    for line in INSTRUCTIONS:
        guide.append(list(line))
    guide["A1"].font = Font(bold=True, size=13)
    for cell in guide[3]:
        cell.font = bold
    guide.column_dimensions["A"].width = 22
    guide.column_dimensions["B"].width = 100
    for row in guide.iter_rows(min_row=4):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    """The template as CSV: UTF-8 with a byte-order mark (so Excel shows the diacritics)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerow(SAMPLE_ROW)
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
