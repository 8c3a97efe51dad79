"""XLSX and CSV fixtures made in the tests (no binary files in the repository)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import pytest
from openpyxl import Workbook

XlsxMaker = Callable[..., bytes]


def make_xlsx(
    rows: Sequence[Sequence[object]],
    *,
    sheet: str = "Sheet1",
    others: dict[str, Sequence[Sequence[object]]] | None = None,
    text_columns: Sequence[int] = (),
    first: dict[str, Sequence[Sequence[object]]] | None = None,
) -> bytes:
    """A workbook whose sheet ``sheet`` holds ``rows``; ``text_columns`` (0-based) formatted '@'.

    ``first`` adds sheets before it, ``others`` after it.
    """
    book = Workbook()
    default = book.active
    assert default is not None
    book.remove(default)
    for name, content in (first or {}).items():
        extra = book.create_sheet(name)
        for row in content:
            extra.append(list(row))
    ws = book.create_sheet(sheet)
    for row in rows:
        ws.append(list(row))
    for column in text_columns:
        for (cell,) in ws.iter_rows(min_row=1, min_col=column + 1, max_col=column + 1):
            cell.number_format = "@"
    for name, content in (others or {}).items():
        extra = book.create_sheet(name)
        for row in content:
            extra.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make_csv(rows: Sequence[Sequence[str]], *, delimiter: str = ",") -> str:
    return "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"


@pytest.fixture
def xlsx() -> XlsxMaker:
    return make_xlsx
