"""The monthly progress roll-call (一月一报) as a spreadsheet: data in, bytes out."""

import io

from common.spreadsheets import safe_cell
from units.models import Unit

from .queries import ProgressReport, localtime_text


def progress_xlsx(report: ProgressReport, office: Unit) -> bytes:
    """The roll-call as a spreadsheet. Every cell goes through safe_cell, so a unit
    named like a formula ("=…", or a tab or carriage return before one) stays text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"{report.year}-{report.month:02d}"
    ws.append([safe_cell(f"{office.name} {report.label}工作进展报送情况（截止 {report.deadline:%Y-%m-%d}）")])
    ws.append(["单位", "报送情况", "首次报送时间", "条数"])
    ws["A1"].font = ws["A2"].font = ws["B2"].font = ws["C2"].font = ws["D2"].font = Font(bold=True)
    for row in report.rows:
        first = localtime_text(row.first_submitted_at) if row.first_submitted_at else ""
        ws.append([safe_cell(v) for v in (row.unit.name, row.status_label, first, row.count)])
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 20
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
