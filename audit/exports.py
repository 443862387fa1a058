"""Exports of the audit record: Excel (openpyxl, write-only) and streamed CSV.

Pure builders: entries in, bytes or lines out. Text a spreadsheet would read as a
formula is prefixed with an apostrophe, through common.spreadsheets.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from common.spreadsheets import safe_cell

from .display import action_label, changes_text, model_label

HEADER = [
    "时间",
    "操作人",
    "操作人单位",
    "动作",
    "对象类型",
    "对象编号",
    "对象",
    "变更内容",
    "IP 地址",
    "请求路径",
    "请求编号",
]
WIDTHS = [20, 22, 24, 12, 14, 10, 40, 80, 16, 40, 34]


def row(entry) -> list:
    """One entry as the columns of the export."""
    unit = entry.actor_unit
    return [
        timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
        entry.actor_name,
        unit.name if unit is not None else "",
        action_label(entry.action),
        model_label(entry.model),
        entry.object_id,
        entry.object_repr,
        changes_text(entry),
        entry.ip or "",
        entry.path,
        entry.request_id,
    ]


def xlsx(entries: Iterable) -> bytes:
    """The entries as an Excel workbook (write-only, so memory stays flat)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("审计记录")
    for i, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    ws.freeze_panes = "A2"
    header = []
    for title in HEADER:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B3121B")
        header.append(cell)
    ws.append(header)
    for entry in entries:
        ws.append([safe_cell(v) for v in row(entry)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


class _Line:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text = text


def csv_lines(entries: Iterable) -> Iterator[str]:
    """The CSV one line at a time (with a BOM so that Excel reads it as UTF-8)."""
    line = _Line()
    writer = csv.writer(line)
    writer.writerow(HEADER)
    yield "\ufeff" + line.text
    for entry in entries:
        writer.writerow([safe_cell(v) for v in row(entry)])
        yield line.text
