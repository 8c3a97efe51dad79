"""Exports cannot attack their reader: every cell of every CSV and XLSX export and rejects file
that begins like a formula is neutralised (OWASP), with such values in names of villages and
people, while numbers stay numbers."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from hocvuso.core.actors import SYSTEM
from hocvuso.core.sheets import FORMULA_STARTS, safe_cell
from hocvuso.registry.importing.service import registry_import
from hocvuso.registry.services import household_create, person_register, village_create
from tests.factories import login

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x=1","Xem chi tiết")',
    "+1+2",
    "-3+4",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1 tab",
    "\r=2 cr",
]


def test_safe_cell_neutralises_every_formula_start_and_keeps_numbers():
    for value in HOSTILE:
        assert safe_cell(value) == "'" + value
    assert [safe_cell(v) for v in ("Thôn Một", "", -5, 3.5, None)] == [
        "Thôn Một",
        "",
        -5,
        3.5,
        None,
    ]
    assert FORMULA_STARTS == ("=", "+", "-", "@", "\t", "\r")


def _no_live_cell(values: list[object]) -> None:
    for v in values:
        if isinstance(v, str):
            assert not v.startswith(FORMULA_STARTS), repr(v)


def test_dashboard_exports_with_hostile_village_names(commune, national_admin):
    for i, name in enumerate(HOSTILE):
        v = village_create(actor=SYSTEM, commune=commune, name=name)
        h = household_create(actor=SYSTEM, commune=commune, code=f"HX-{i}", village=v)
        person_register(actor=SYSTEM, household=h, full_name=f"Người {i}", sex="M", birth_year=1980)
    client = login(national_admin)
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("kpi:commune_export", args=[commune.code, "xlsx"])).content)
    )
    seen = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                seen.append(cell.value)
    _no_live_cell(seen)
    assert "'" + HOSTILE[0] in seen  # the name is there, as text
    text = client.get(reverse("kpi:commune_export", args=[commune.code, "csv"])).content.decode()
    cells = [c for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"))) for c in row]
    _no_live_cell(cells)
    assert "'" + HOSTILE[0] in cells


def test_rejects_file_returns_cells_as_text(commune, officer):
    rows = "Họ và tên,Năm sinh,Giới tính,Số CCCD\n" + "".join(
        f'"{v}",1980,Nam,12\n' for v in ("=1+2", "@SUM(1+1)*cmd|' /C calc'!A0", "+9", "-9")
    )
    result = registry_import(
        actor=officer, commune=commune, data=rows.encode(), filename="x.csv", create_villages=True
    )
    assert result.rejected == 4
    from hocvuso.registry.importing.service import rejects_csv

    rejects = [r.as_dict() for r in result.rejects]
    out = rejects_csv(result.header, rejects).decode("utf-8").removeprefix("\ufeff")
    cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
    _no_live_cell(cells)
    assert "'=1+2" in cells
