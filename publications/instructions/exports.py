"""The office's instruction list as an Excel workbook: a pure builder over instructions
that `queries.with_statuses` has prepared (statuses and the titles the reader may see)."""

import io
from collections.abc import Iterable

from django.utils import timezone

from common.spreadsheets import safe_cell

from ..models import Instruction

HEADER = ["批示日期", "批示领导", "级别", "批示内容", "信息标题", "报送单位", "刊物期号", "反馈期限",
          "承办单位", "办理状态", "反馈时间", "反馈内容"]  # fmt: skip
WIDTHS = (12, 12, 14, 40, 36, 16, 24, 12, 16, 14, 18, 40)


def export_xlsx(instructions: Iterable[Instruction]) -> bytes:
    """One row per handler of each instruction, read from `title`, `handler_list` and the
    handlers' `status_label` (set by `with_statuses`)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "批示办理情况"
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B3121B")
        cell.alignment = Alignment(horizontal="center")
    for instruction in instructions:
        issue = f"《{instruction.issue.publication.name}》{instruction.issue.label}" if instruction.issue else ""
        for h in instruction.handler_list:
            status = h.status_label + ("（逾期反馈）" if h.is_late else "")
            row = [instruction.date, instruction.leader_name, instruction.level, instruction.text, instruction.title,
                   instruction.item.unit.display_name, issue, instruction.deadline, h.unit.display_name, status,
                   timezone.localtime(h.feedback_at).strftime("%Y-%m-%d %H:%M") if h.feedback_at else "",
                   h.feedback]  # fmt: skip
            # A leader's text starting with "=" must stay text in the spreadsheet.
            ws.append([safe_cell(v) for v in row])
    for column, width in zip("ABCDEFGHIJKL", WIDTHS, strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
