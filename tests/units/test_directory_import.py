"""Importing the directory from Excel: the plan's reasons, one transaction, idempotence,
one-time passwords (issue 16). Through the command and the actions; the pages are in
test_directory_pages.py, bad files in test_directory_files.py."""

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from units.directory.apply import DirectoryRefused, apply_directory
from units.directory.exports import directory_xlsx
from units.directory.parse import parse_workbook
from units.directory.plan import build_plan
from units.directory.queries import export_rows
from units.models import Role, RoleGrant, Unit, User

from .directory_files import province_file, workbook

pytestmark = pytest.mark.django_db


def parsed(data: bytes):
    return parse_workbook(io.BytesIO(data))


def run(tmp_path, data: bytes, *args) -> str:
    path = tmp_path / "dir.xlsx"
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import_directory", str(path), *args, stdout=out)
    return out.getvalue()


def test_command_imports_a_province_and_a_second_import_changes_nothing(tmp_path):
    out = run(tmp_path, province_file())
    assert "单位：新建 4" in out and "人员：新建 3" in out
    dept = Unit.objects.get(code="530101")
    assert dept.parent.code == "5301" and dept.parent.parent.code == "53" and dept.depth == 2
    editor = User.objects.get(username="km_editor")
    assert editor.unit.code == "5301" and editor.role_set == {Role.EDITOR, Role.ISSUE_APPROVER}
    assert editor.must_change_password
    # Shown once on the command's output, for those without an e-mail address.
    line = next(x for x in out.splitlines() if x.strip().startswith("km_editor"))
    password = line.split("\t")[-1]
    assert editor.check_password(password)
    assert "km_staff" not in out.split("一次性密码")[1].split("另有")[0]  # e-mailed instead

    again = run(tmp_path, province_file())
    assert "没有需要修改的内容" in again and "单位：新建 0，修改 0，停用 0，无变化 4" in again
    assert User.objects.count() == 3


def test_dry_run_writes_nothing(tmp_path):
    out = run(tmp_path, province_file(), "--dry-run")
    assert "新建 4" in out and "没有写入任何内容" in out
    assert not Unit.objects.exists() and not User.objects.exists()


def test_existing_people_keep_their_password_and_changes_are_listed(tmp_path):
    run(tmp_path, province_file())
    person = User.objects.get(username="qj_staff")
    person.set_password("Own-pass-2026")
    person.must_change_password = False
    person.save()
    changed = workbook(
        [
            ("53", "云南省人民政府办公厅", "", "", "", "", "", ""),
            ("5303", "曲靖市人民政府办公室", "", "53", "", "", "", ""),
        ],
        [("qj_staff", "赵新名", "5303", "信息员、单位审签人", "", "", "否")],
    )
    plan = build_plan(parsed(changed), importer=None)
    row = plan.people[0]
    assert row.action == "disable"
    assert "姓名：赵信息员 → 赵新名" in row.changes and "角色：信息员 → 信息员、单位审签人" in row.changes
    apply_directory(parsed=parsed(changed), importer=None)
    person.refresh_from_db()
    assert not person.is_active and person.full_name == "赵新名" and person.check_password("Own-pass-2026")
    assert not person.must_change_password


def test_refused_rows_say_why_in_chinese_and_nothing_is_written(tmp_path):
    data = province_file(
        extra_units=[
            ("9901", "无上级的单位", "", "9999", "部门", "", "", ""),
            ("9902", "甲", "", "9903", "部门", "", "", ""),
            ("9903", "乙", "", "9902", "部门", "", "", ""),
        ],
        extra_people=[
            ("km_editor", "重复的人", "5301", "", "", "", ""),
            ("bad_role", "某人", "5301", "编辑、局长", "", "", ""),
        ],
    )
    plan = build_plan(parsed(data), importer=None)
    reasons = {(r.sheet, r.key, r.label): "；".join(r.reasons) for r in plan.refused}
    assert "上级单位代码“9999”不存在" in reasons[("单位", "9901", "无上级的单位")]
    assert "循环" in reasons[("单位", "9902", "甲")] and "循环" in reasons[("单位", "9903", "乙")]
    assert "与第 2 行重复" in reasons[("人员", "km_editor", "重复的人")]
    assert "未知角色：局长" in reasons[("人员", "bad_role", "某人")]
    with pytest.raises(DirectoryRefused):
        apply_directory(parsed=parsed(data), importer=None)
    assert not Unit.objects.exists() and not User.objects.exists()
    with pytest.raises(CommandError, match="5 行未通过检查"):
        run(tmp_path, data)
    assert not Unit.objects.exists()


def test_valid_rows_only_imports_the_rest(tmp_path):
    data = province_file(extra_people=[("bad_role", "某人", "5301", "局长", "", "", "")])
    result = apply_directory(parsed=parsed(data), importer=None, valid_only=True)
    assert result.skipped == 1
    assert set(User.objects.values_list("username", flat=True)) == {"km_editor", "km_staff", "qj_staff"}


def test_city_admin_is_refused_rows_outside_their_subtree(city_admin, outsider, city, other_city, department):
    city.code, other_city.code, department.code = "5301", "5303", "530101"
    for u in (city, other_city, department):
        u.save()
    data = workbook(
        [
            ("530102", "昆明市财政局", "", "5301", "部门", "", "", ""),
            ("530301", "曲靖市财政局", "", "5303", "部门", "", "", ""),
            ("5303", "曲靖市人民政府办公室（改名）", "", "", "", "", "", ""),
        ],
        [("outsider", "张三", "530101", "信息员", "", "", "")],
    )
    plan = build_plan(parsed(data), importer=city_admin)
    by_key = {r.key: r for r in (*plan.units, *plan.people)}
    assert by_key["530102"].action == "create"
    assert "上级单位不在您管理的范围内" in by_key["530301"].reasons
    assert "该单位不在您管理的范围内" in by_key["5303"].reasons
    own = workbook([("5301", "昆明市人民政府办公室", "", "530101", "", "", "", "")])
    assert "循环" in build_plan(parsed(own), importer=city_admin).units[0].reasons[0]
    own = workbook([("5301", "昆明市人民政府办公室", "", "", "", "", "", "")])
    assert "只有系统管理员可以导入顶级单位" in build_plan(parsed(own), importer=city_admin).units[0].reasons[0]
    assert "管理范围以外" in by_key["outsider"].reasons[0]  # the outsider fixture is of the other city


def test_new_people_with_an_address_get_their_password_by_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = apply_directory(parsed=parsed(province_file()), importer=None)
    assert result.emailed == ["km_staff"]
    assert {p.username for p in result.passwords} == {"km_editor", "qj_staff"}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["wang@example.cn"]
    password = mail.outbox[0].body.split("一次性密码：")[1].split()[0]
    assert User.objects.get(username="km_staff").check_password(password)


def test_export_then_import_changes_nothing_even_for_units_made_by_hand(province, city, department, editor):
    city.name = '=HYPERLINK("x")市'  # formula-like text goes out as text and comes back the same
    city.save()
    units, people = export_rows(Unit.objects.all())
    data = directory_xlsx(units, people)
    plan = build_plan(parsed(data), importer=None)
    assert not plan.refused, [r.reasons for r in plan.refused]
    assert not plan.changes_anything, [(r.key, r.changes) for r in (*plan.units, *plan.people) if r.changes]
    # Edit the exported file: a new person in the hand-made city.
    person_rows = [(p["username"], p["full_name"], f"U{city.pk}", "信息员", "", "", "是") for p in people[:0]]
    person_rows.append(("new_one", "新人", f"U{city.pk}", "信息员", "", "", "是"))
    apply_directory(parsed=parsed(data), importer=None)
    edited = workbook([], person_rows)
    apply_directory(parsed=parsed(edited), importer=None)
    new = User.objects.get(username="new_one")
    assert new.unit == city and RoleGrant.objects.filter(user=new, unit=city, role=Role.STAFF).exists()
    assert Unit.objects.get(pk=city.pk).code == ""
