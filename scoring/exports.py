"""Excel exports (openpyxl). Text that a spreadsheet would read as a formula is
prefixed with an apostrophe, so a unit named "=HYPERLINK(…)" stays text."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from common.spreadsheets import safe_cell


def workbook(title: str, header: list[str], rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([safe_cell(h) for h in header])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B3121B")
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    for i, h in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(h)) * 2 + 4))
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def scoreboard_xlsx(board) -> bytes:
    pubs = board.publications
    header = ["排名", "单位", "考核类别", "基数", "积分", "完成率(%)", *[f"《{p.name}》采用" for p in pubs],
              "批示", "扣分", "报送条数", "迟报条数", "奖项", "否决"]  # fmt: skip
    rows = [
        [
            r.rank,
            r.unit.name,
            str(r.unit.assessment_class or ""),
            r.quota,
            r.points,
            r.completion,
            *[r.per_publication.get(p.pk, 0) for p in pubs],
            r.instructions,
            r.penalties,
            r.submissions,
            r.late,
            r.tier,
            "是" if r.vetoed else "",
        ]  # fmt: skip
        for r in board.rows
    ]
    return workbook(f"{board.scheme.year}积分榜", header, rows)


def ledger_xlsx(unit_name: str, entries) -> bytes:
    """`entries` come through scoring.access.name_ledger_items: each names its item as the
    reader may see it."""
    header = ["日期", "来源", "说明", "规则", "分值", "信息", "记录人"]
    rows = [
        [
            e.date,
            e.get_source_display(),
            e.reason,
            e.rule,
            e.points,
            e.item_label,
            str(e.created_by or "系统"),
        ]  # fmt: skip
        for e in entries
    ]
    return workbook(f"{unit_name}台账"[:31], header, rows)
