"""`manage.py sync_directory` and the nightly task against a real OpenLDAP server
(issue 16): people created, changed and disabled as the directory has them, never
deleted, with the Excel import's preview report."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from tests.factories import UserFactory
from units.actions import set_roles
from units.models import Role, User
from units.tasks import sync_directory

from .ldap_server import ldap_server  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(ldap_server, city, other_city):  # noqa: F811
    city.code, other_city.code = "5301", "5303"
    city.save()
    other_city.save()
    with override_settings(**ldap_server.settings()):
        yield ldap_server


def sync(*args) -> str:
    out = io.StringIO()
    call_command("sync_directory", *args, stdout=out)
    return out.getvalue()


def test_dry_run_previews_the_directory_and_writes_nothing(directory):
    out = sync("--dry-run")
    assert "人员：新建 2，修改 0，停用 0，无变化 0，拒绝 1" in out
    assert "zhang.san 张三：新建" in out and "li.editor 李编辑：新建" in out
    assert "zhao.nounit 赵无单位：拒绝（单位代码“9999”不存在（文件和系统中都没有））" in out
    assert "wang.left" not in out  # disabled there and never here: nothing to do
    assert "没有写入任何内容" in out and not User.objects.exists()


def test_sync_creates_changes_and_disables_people_and_a_second_run_changes_nothing(directory, city, other_city):
    left = UserFactory(username="wang.left", full_name="王离职", unit=other_city)
    moved_name = UserFactory(username="li.editor", full_name="李旧名", unit=city)
    set_roles(user=moved_name, roles=[Role.EDITOR])
    out = sync()
    assert "同步完成" in out and "跳过未通过检查的 1 行" in out
    new = User.objects.get(username="zhang.san")
    assert new.unit == city and new.full_name == "张三" and new.email == "zhangsan@example.cn"
    assert not new.has_usable_password() and not new.must_change_password and new.role_set == set()
    moved_name.refresh_from_db()
    assert moved_name.full_name == "李编辑" and moved_name.role_set == {Role.EDITOR}  # roles kept
    left.refresh_from_db()
    assert not left.is_active and User.objects.filter(pk=left.pk).exists()  # disabled, never deleted
    assert "没有需要修改的内容" in sync()


def test_a_person_disabled_in_the_directory_after_a_sync_is_disabled_by_the_next(directory):
    sync()
    directory.modify("zhang.san", employeeType="disabled", mobile="13900000009")
    out = sync("--dry-run")
    assert "zhang.san 张三：停用（手机：13900000001 → 13900000009；启用 → 停用）" in out
    sync()
    assert not User.objects.get(username="zhang.san").is_active


def test_people_missing_from_the_directory_are_left_as_they_are(directory, city):
    local = UserFactory(username="local.admin", unit=city)
    sync()
    local.refresh_from_db()
    assert local.is_active


def test_the_nightly_task_syncs_and_is_safe_to_run_twice(directory):
    first = sync_directory.delay().get()
    assert first["applied"] and first["people"]["create"] == 2
    second = sync_directory.delay().get()
    assert not second["applied"] and second["people"]["create"] == 0
    assert User.objects.filter(username__in=["zhang.san", "li.editor"]).count() == 2


def test_a_directory_that_cannot_be_read_is_reported_in_chinese(directory, ldap_server):  # noqa: F811
    wrong = ldap_server.settings(bind_password="wrong")
    with override_settings(**wrong), pytest.raises(CommandError, match="无法读取目录服务"):
        sync("--dry-run")


def test_the_command_and_the_task_do_nothing_without_ldap_settings(db):
    with pytest.raises(CommandError, match="未配置目录服务"):
        sync()
    assert sync_directory.delay().get() == {"enabled": False}
