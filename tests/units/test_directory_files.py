"""Bad directory files are refused whole, with a clear message, writing nothing (issue 16)."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from units.directory import parse
from units.directory.parse import DirectoryFileError, parse_workbook
from units.directory.plan import build_plan
from units.directory.template import template_xlsx

from .directory_files import workbook


def refused(data: bytes) -> str:
    with pytest.raises(DirectoryFileError) as exc:
        parse_workbook(io.BytesIO(data))
    return str(exc.value)


def test_not_an_xlsx():
    assert "不是 Excel（.xlsx）文件" in refused("代码,名称\n1,甲\n".encode())
    assert "不是 Excel" in refused(b"\xd0\xcf\x11\xe0" + b"\0" * 600)  # an old .xls
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    assert "不是 Excel" in refused(buf.getvalue())
    assert "文件是空的" in refused(b"")


def test_wrong_headers_name_the_missing_and_unknown_columns():
    message = refused(workbook(unit_header=("编号", "名称", "上级单位代码")))
    assert "缺少列：代码" in message and "无法识别的列：编号" in message


def test_empty_sheets():
    assert "两个工作表都没有数据行" in refused(workbook())
    assert "工作表“单位”是空的" in refused(workbook(unit_header=()))
    wb = Workbook()
    wb.active.title = "Sheet1"
    out = io.BytesIO()
    wb.save(out)
    assert "找不到工作表“单位”" in refused(out.getvalue())


def test_zip_bomb_is_refused_without_inflating_it():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 1024 * 1024))  # 64 MB of zeros, ~64 KB packed
    assert len(buf.getvalue()) < 1024 * 1024
    assert "压缩炸弹" in refused(buf.getvalue())


def test_macros_are_refused():
    data = io.BytesIO(template_xlsx())
    out = io.BytesIO()
    with zipfile.ZipFile(data) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/vbaProject.bin", b"macro")
    assert "含有宏" in refused(out.getvalue())


@pytest.mark.django_db
def test_a_formula_refuses_its_row_and_is_never_evaluated():
    data = workbook([("53", '=HYPERLINK("http://x","省")', "", "", "", "", "", "")])
    plan = build_plan(parse_workbook(io.BytesIO(data)), importer=None)
    assert plan.units[0].action == "refused"
    assert "“名称”是公式，请改为直接填写文字" in plan.units[0].reasons


def test_more_rows_than_the_limit_are_refused_with_the_limit_named():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("单位")
    ws.append(["代码", "名称", "上级单位代码"])
    for i in range(parse.MAX_ROWS + 1):
        ws.append([f"C{i}", f"单位{i}", ""])
    wb.create_sheet("人员").append(["用户名", "姓名", "单位代码"])
    out = io.BytesIO()
    wb.save(out)
    message = refused(out.getvalue())
    assert f"超过 {parse.MAX_ROWS} 行" in message and "没有导入任何内容" in message
