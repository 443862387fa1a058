"""Simple tables inside an item's plain-text body.

A body stays plain text (it is sealed, diffed and checked as text); a table is a run of
consecutive lines that each start and end with "|", one line a row, cells between the
bars ("| 指标 | 1—10月 | 同比 |"). A Word draft's tables are imported in this form
(submissions.docx_import) and an editor can type one; the bulletin prints it as a ruled
table (publications.docx) and the page as an HTML table. A line of dashes under the first
row ("|---|---|"), as Markdown writes it, is allowed and ignored.
"""

from __future__ import annotations

import re

__all__ = ["Block", "is_table_line", "split_blocks", "table_lines"]

Block = str | list[list[str]]  # a paragraph, or a table's rows of cells

_SEPARATOR = re.compile(r"^\|(\s*:?-{2,}:?\s*\|)+$")


def is_table_line(line: str) -> bool:
    line = line.strip()
    return len(line) >= 2 and line.startswith("|") and line.endswith("|")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip()[1:-1].split("|")]


def split_blocks(paragraphs: list[str]) -> list[Block]:
    """Paragraphs and tables in order: consecutive table lines make one table, its rows
    padded to the widest row so that every row has the same number of cells."""
    blocks: list[Block] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            width = max(len(r) for r in rows)
            blocks.append([r + [""] * (width - len(r)) for r in rows])
            rows.clear()

    for paragraph in paragraphs:
        if is_table_line(paragraph):
            if not _SEPARATOR.match(paragraph.strip().replace(" ", "")):
                rows.append(_cells(paragraph))
            continue
        flush()
        blocks.append(paragraph)
    flush()
    return blocks


def table_lines(rows: list[list[str]]) -> list[str]:
    """The body lines of a table: a bar inside a cell becomes a full-width one (｜), and
    line breaks inside a cell a space, so that the text reads back as the same cells."""

    def cell(text: str) -> str:
        return " ".join(text.replace("|", "｜").split())

    return ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows if any(c.strip() for c in row)]
