"""Exports of the explorer's tables: CSV (UTF-8 with BOM, for Excel) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

Row = Mapping[str, Any]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def to_csv(rows: Sequence[Row], columns: Sequence[str], excel_fr: bool = True) -> bytes:
    """Return the rows as CSV bytes (UTF-8 with BOM, header first).

    excel_fr: what Excel set to French opens as columns: « ; » between fields and a decimal
    comma (0,57); otherwise commas and decimal points.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";" if excel_fr else ",")
    writer.writerow(columns)
    for row in rows:
        cells = [_cell(row.get(c)) for c in columns]
        if excel_fr:
            cells = [str(v).replace(".", ",") if isinstance(v, float) else v for v in cells]
        writer.writerow(cells)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(rows: Sequence[Row], columns: Sequence[str], sheet: str = "Préconisations") -> bytes:
    """Return the rows as an XLSX workbook of one sheet, header in bold, long text wrapped."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet[:31]
    ws.append(list(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_cell(row.get(c)) for c in columns])
    for i, name in enumerate(columns, 1):
        longest = max([len(str(name))] + [len(str(_cell(r.get(name)))) for r in rows])
        letter = ws.cell(row=1, column=i).column_letter
        ws.column_dimensions[letter].width = min(80, max(8, longest + 2))
        if longest > 80:
            for cell in ws[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
