"""A dashboard as a spreadsheet (openpyxl: one sheet per indicator group, the unit then the units
below as rows, value and target per indicator, plus the raw counts) or as CSV (one row per unit
and indicator)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from hocvuso.core.sheets import SafeWriter, safe_row
from hocvuso.kpi.dashboards import Dashboard
from hocvuso.kpi.measures import MEASURE_LABELS, MEASURES
from hocvuso.kpi.models import Unit
from hocvuso.kpi.selectors import Cell

LAGGING = PatternFill("solid", fgColor="FBE9E9")
BOLD = Font(bold=True)


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _format(unit: str) -> str:
    return {"percent": "0.0", "ratio": "0.00"}.get(unit, "#,##0")


def _units(d: Dashboard) -> list[tuple[str, str, str, list[Cell], dict[str, int]]]:
    """(level, code, name, cells, figures) — the unit first, then the units below."""
    out = [(d.unit.level, d.unit.code, d.unit.name, d.cells, d.figures)]
    for row in d.rows:
        out.append((row.child.level, row.child.code, row.child.name, row.cells, row.child.figures))
    return out


def xlsx(d: Dashboard) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    units = _units(d)
    groups: dict[str, list[str]] = {}
    for ind in d.indicators:
        groups.setdefault(ind.get_group_display(), []).append(ind.code)
    for title, codes in groups.items():
        ws = wb.create_sheet(title=str(title)[:31])
        inds = [i for i in d.indicators if i.code in codes]
        head = [_("Level"), _("Code"), _("Unit")]
        for ind in inds:
            unit = "%" if ind.unit == Unit.PERCENT else ""
            head += [f"{ind.name_vi} {unit}".strip(), _("Target")]
        ws.append(safe_row(head))
        for cell in ws[1]:
            cell.font = BOLD
        for level, code, name, cells, _f in units:
            by_code = {c.indicator.code: c for c in cells}
            line: list[object] = [level, code, name]
            for ind in inds:
                c = by_code.get(ind.code)
                line += [_number(c.value) if c else None, _number(c.target) if c else None]
            ws.append(safe_row(line))
            r = ws.max_row
            for k, ind in enumerate(inds):
                col = 4 + 2 * k
                ws.cell(r, col).number_format = _format(ind.unit)
                ws.cell(r, col + 1).number_format = _format(ind.unit)
                c = by_code.get(ind.code)
                if c is not None and c.lagging:
                    ws.cell(r, col).fill = LAGGING
        ws.freeze_panes = "D2"
        ws.column_dimensions["C"].width = 28
        for k in range(len(inds) * 2):
            ws.column_dimensions[get_column_letter(4 + k)].width = 14
    ws = wb.create_sheet(title=_("Counts")[:31])
    ws.append(
        safe_row([_("Level"), _("Code"), _("Unit"), *[str(MEASURE_LABELS[m]) for m in MEASURES]])
    )
    for cell in ws[1]:
        cell.font = BOLD
    for level, code, name, _c, f in units:
        ws.append(safe_row([level, code, name, *[f.get(m) for m in MEASURES]]))
    ws.freeze_panes = "D2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


CSV_HEAD = ["level", "code", "unit", "indicator", "value", "target", "numerator", "denominator"]


def csv_text(d: Dashboard) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 with a BOM without mangling the diacritics
    w = SafeWriter(out)
    w.writerow(CSV_HEAD)
    for level, code, name, cells, f in _units(d):
        for c in cells:
            ind = c.indicator
            w.writerow(
                [
                    level,
                    code,
                    name,
                    ind.code,
                    "" if c.value is None else c.value,
                    "" if c.target is None else c.target,
                    f.get(ind.numerator, 0),
                    f.get(ind.denominator, "") if ind.denominator else "",
                ]
            )
    return out.getvalue()
