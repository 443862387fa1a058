"""Reading an uploaded directory workbook into rows, refusing bad files whole.

The file is checked as a zip archive before openpyxl sees it (an .xlsx is one): size,
member count, declared uncompressed size and compression ratio, so that a zip bomb is
refused without inflating it, and macro-enabled or non-workbook archives are refused.
Sheets are read in openpyxl's streaming mode, row by row, and reading stops at
MAX_ROWS, so a 100,000-row sheet costs a bounded amount of memory and time. A cell
holding a formula is never evaluated: its row is refused with the reason.
"""

import datetime as dt
import zipfile
from dataclasses import dataclass, field

from openpyxl import load_workbook

from .template import (
    FALSE_WORDS,
    PERSON_COLUMNS,
    PERSON_SHEET,
    REQUIRED_PERSON_COLUMNS,
    REQUIRED_UNIT_COLUMNS,
    TRUE_WORDS,
    UNIT_COLUMNS,
    UNIT_SHEET,
)

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_MEMBERS = 500
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
# Sheet XML compresses 10–30 times; a bomb compresses thousands of times. Small members
# (styles, shared strings of a tiny file) may compress well without harm.
MAX_RATIO = 150
RATIO_FLOOR_BYTES = 1024 * 1024
# Two thousand units and ten thousand people fit many times over; past this the file is
# refused (split it), rather than holding the whole province's import in one request.
MAX_ROWS = 30_000

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


NOT_XLSX = "这不是 Excel（.xlsx）文件。请用模板填写后另存为 .xlsx 格式（不支持 .xls、.csv 或 WPS 格式）。"


class DirectoryFileError(Exception):
    """The file as a whole cannot be imported; the message says why, in Chinese."""


@dataclass
class Row:
    sheet: str
    line: int  # the row number as Excel shows it
    values: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class ParsedDirectory:
    units: list[Row]
    people: list[Row]


def check_archive(fileobj) -> None:
    """Refuse what is not a plain .xlsx workbook, or would inflate beyond the limits."""
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(0)
    if size == 0:
        raise DirectoryFileError("文件是空的。")
    if size > MAX_FILE_BYTES:
        raise DirectoryFileError(f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，请分批导入。")
    head = fileobj.read(4)
    fileobj.seek(0)
    if head != b"PK\x03\x04":
        raise DirectoryFileError(NOT_XLSX)
    try:
        zf = zipfile.ZipFile(fileobj)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        raise DirectoryFileError("文件已损坏，无法作为 Excel（.xlsx）文件打开。") from None
    if len(infos) > MAX_MEMBERS:
        raise DirectoryFileError("文件结构异常（压缩包内文件过多），已拒绝。")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNCOMPRESSED_BYTES or (info.file_size > RATIO_FLOOR_BYTES and ratio > MAX_RATIO):
            raise DirectoryFileError("文件解压后异常巨大（疑似“压缩炸弹”），已拒绝。")
    names = {i.filename.lower() for i in infos}
    if any(n.endswith("vbaproject.bin") for n in names):
        raise DirectoryFileError("文件含有宏，已拒绝。请另存为不含宏的 .xlsx 文件。")
    if "xl/workbook.xml" not in names:
        raise DirectoryFileError("这不是 Excel（.xlsx）文件。请用模板填写后另存为 .xlsx 格式。")
    fileobj.seek(0)


def cell_text(value) -> str:
    """A cell as the text the import compares: numbers without ".0", dates ISO, trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value).strip()
    # The export writes formula-like text with a leading apostrophe (common/spreadsheets.py);
    # reading it back gives the text that was exported.
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_START):
        text = text[1:]
    return text


def parse_bool(text: str) -> bool | None:
    """是/否 and their usual spellings; None for anything else."""
    lowered = text.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    return None


def _read_sheet(wb, title: str, columns: tuple[str, ...], required: tuple[str, ...]) -> list[Row]:
    if title not in wb.sheetnames:
        raise DirectoryFileError(f"找不到工作表“{title}”。请使用下载的模板，工作表名称应为“单位”和“人员”。")
    ws = wb[title]
    rows = ws.iter_rows()
    header_cells = next(rows, None)
    header = [cell_text(c.value) for c in header_cells] if header_cells else []
    while header and not header[-1]:
        header.pop()
    if not header:
        raise DirectoryFileError(f"工作表“{title}”是空的：第一行应为表头（{'、'.join(columns)}）。")
    missing = [c for c in required if c not in header]
    unknown = [h for h in header if h and h not in columns]
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if missing or unknown or duplicated:
        parts = []
        if missing:
            parts.append(f"缺少列：{'、'.join(missing)}")
        if unknown:
            parts.append(f"无法识别的列：{'、'.join(unknown)}")
        if duplicated:
            parts.append(f"重复的列：{'、'.join(duplicated)}")
        raise DirectoryFileError(
            f"工作表“{title}”的表头不符合模板（{'；'.join(parts)}）。表头应为：{'、'.join(columns)}。"
        )
    index = {name: i for i, name in enumerate(header) if name}
    out: list[Row] = []
    for line, cells in enumerate(rows, start=2):
        if line - 1 > MAX_ROWS:
            raise DirectoryFileError(
                f"工作表“{title}”超过 {MAX_ROWS} 行，已拒绝（没有导入任何内容）。请分成几个文件依次导入。"
            )
        row = Row(sheet=title, line=line)
        for name, i in index.items():
            cell = cells[i] if i < len(cells) else None
            if cell is None:
                continue
            if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
                row.problems.append(f"“{name}”是公式，请改为直接填写文字")
                continue
            row.values[name] = cell_text(cell.value)
        if any(row.values.values()) or row.problems:
            out.append(row)
    return out


def parse_workbook(fileobj) -> ParsedDirectory:
    """The rows of both sheets; DirectoryFileError if the file cannot be read as a whole."""
    check_archive(fileobj)
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=False)
    except DirectoryFileError:
        raise
    except Exception:  # openpyxl raises many kinds for a damaged or foreign package
        raise DirectoryFileError("文件已损坏或不是 Excel 工作簿，无法读取。") from None
    try:
        units = _read_sheet(wb, UNIT_SHEET, UNIT_COLUMNS, REQUIRED_UNIT_COLUMNS)
        people = _read_sheet(wb, PERSON_SHEET, PERSON_COLUMNS, REQUIRED_PERSON_COLUMNS)
    finally:
        wb.close()
    if not units and not people:
        raise DirectoryFileError("“单位”和“人员”两个工作表都没有数据行，没有可导入的内容。")
    return ParsedDirectory(units=units, people=people)
