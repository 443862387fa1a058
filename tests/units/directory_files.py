"""Workbooks for the directory import tests, built with openpyxl as a user's Excel would save them."""

import io

from openpyxl import Workbook

from units.directory.template import PERSON_COLUMNS, UNIT_COLUMNS


def workbook(units=(), people=(), *, unit_header=UNIT_COLUMNS, person_header=PERSON_COLUMNS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "单位"
    if unit_header:
        ws.append(list(unit_header))
    for row in units:
        ws.append(list(row))
    ws2 = wb.create_sheet("人员")
    if person_header:
        ws2.append(list(person_header))
    for row in people:
        ws2.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def province_file(*, extra_units=(), extra_people=()) -> bytes:
    """A small province: the office, two cities, a department; three people."""
    units = [
        ("53", "云南省人民政府办公厅", "省政府办公厅", "", "省政府办公厅", "", 1, "是"),
        ("5301", "昆明市人民政府办公室", "昆明市", "53", "市（州）政府办公室", "", 1, "是"),
        ("5303", "曲靖市人民政府办公室", "曲靖市", "53", "市（州）政府办公室", "", 2, "是"),
        ("530101", "昆明市发展和改革委员会", "市发展改革委", "5301", "部门", "", 1, "是"),
        *extra_units,
    ]
    people = [
        ("km_editor", "李编辑", "5301", "编辑、签发人", "13800000001", "", "是"),
        ("km_staff", "王信息员", "530101", "信息员", "", "wang@example.cn", "是"),
        ("qj_staff", "赵信息员", "5303", "信息员", "", "", "是"),
        *extra_people,
    ]
    return workbook(units, people)
