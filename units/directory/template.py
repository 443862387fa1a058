"""The import template: two sheets, their columns, and how cell text reads."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from ..models import Role, UnitKind

UNIT_SHEET = "单位"
PERSON_SHEET = "人员"
NOTES_SHEET = "说明"

UNIT_COLUMNS = ("代码", "名称", "简称", "上级单位代码", "单位类型", "考核类别", "排序号", "是否启用")
PERSON_COLUMNS = ("用户名", "姓名", "单位代码", "角色", "手机", "邮箱", "是否启用")
REQUIRED_UNIT_COLUMNS = ("代码", "名称", "上级单位代码")
REQUIRED_PERSON_COLUMNS = ("用户名", "姓名", "单位代码")

ROLE_SEPARATOR = "、"
YES, NO = "是", "否"
TRUE_WORDS = {"是", "启用", "1", "true", "yes", "y", "√"}
FALSE_WORDS = {"否", "停用", "禁用", "0", "false", "no", "n", "×"}

KIND_BY_LABEL = {label: value for value, label in UnitKind.choices} | {value: value for value in UnitKind.values}
ROLE_BY_LABEL = (
    {label: value for value, label in Role.choices}
    | {value: value for value in Role.values}
    # Files from before 三员分立 name the single administrator 管理员: the system administrator.
    | {"管理员": Role.SYSTEM_ADMIN}
)
ROLE_LABELS = dict(Role.choices)
KIND_LABELS = dict(UnitKind.choices)

NOTES = [
    "“单位”表每行一个单位，“人员”表每行一个人。第一行是表头，请勿修改表头文字。",
    "单位以“代码”识别：代码已存在则更新该单位，不存在则新建。上级单位代码留空表示顶级单位（仅系统管理员可导入）。",
    "人员以“用户名”识别：已存在则更新（密码不变），不存在则新建并生成一次性密码，首次登录须修改。",
    f"单位类型填写：{'、'.join(KIND_LABELS.values())}。",
    f"角色可填多个，用“{ROLE_SEPARATOR}”分隔：{'、'.join(ROLE_LABELS.values())}。角色限于本人所属单位。",
    "是否启用填“是”或“否”；填“否”即停用（不会删除任何单位或人员，历史记录保留）。",
    "简称、单位类型、考核类别、排序号、手机、邮箱、角色、是否启用留空时：已有的单位或人员保持原值，新建的取默认值。",
    "文件中没有列出的单位和人员保持不变。",
    "请勿填写公式；单元格内容按文字读取。",
]


def header_style(ws) -> None:
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B22222")
    ws.freeze_panes = "A2"
    for i, _ in enumerate(ws[1]):
        ws.column_dimensions[chr(ord("A") + i)].width = 18


def new_workbook() -> tuple[Workbook, object, object]:
    """A workbook with the two sheets and their headers (and the notes), nothing else."""
    wb = Workbook()
    units = wb.active
    units.title = UNIT_SHEET
    units.append(list(UNIT_COLUMNS))
    people = wb.create_sheet(PERSON_SHEET)
    people.append(list(PERSON_COLUMNS))
    notes = wb.create_sheet(NOTES_SHEET)
    for line in NOTES:
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    header_style(units)
    header_style(people)
    return wb, units, people


def template_xlsx() -> bytes:
    """The empty template with one example row per sheet, for the download."""
    wb, units, people = new_workbook()
    units.append(
        ["530000000", "示例省人民政府办公厅", "省政府办公厅", "", KIND_LABELS[UnitKind.PROVINCE_OFFICE], "", 1, YES]
    )
    units.append(
        ["530100000", "示例市人民政府办公室", "示例市", "530000000", KIND_LABELS[UnitKind.CITY_OFFICE], "", 1, YES]
    )
    people.append(
        [
            "zhangsan",
            "张三",
            "530100000",
            ROLE_SEPARATOR.join([ROLE_LABELS["staff"], ROLE_LABELS["editor"]]),
            "13800000000",
            "",
            YES,
        ]
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
