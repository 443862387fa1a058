"""Accounts (GB/T 22239 8.1.4.1): idle accounts disabled by the daily task, never deleted;
demo logins and the demo authenticator secret refused in production."""

import base64
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from audit.models import AuditEntry
from govinfo.demo import DEMO_TOTP_SECRET
from tests.factories import PASSWORD, UserFactory
from tests.otp import code_for
from units.models import PasswordPolicy, Role, User
from units.tasks import disable_inactive_accounts

pytestmark = pytest.mark.django_db


def test_accounts_idle_past_the_policy_are_disabled_once_and_kept(writer, editor, department):
    old = timezone.now() - dt.timedelta(days=91)
    User.objects.filter(pk=writer.pk).update(last_login=old)
    never_used = UserFactory(unit=department)
    User.objects.filter(pk=never_used.pk).update(date_joined=old, last_login=None)
    User.objects.filter(pk=editor.pk).update(last_login=timezone.now() - dt.timedelta(days=10))
    root = UserFactory(username="root", unit=None, is_superuser=True)
    User.objects.filter(pk=root.pk).update(last_login=old)

    assert disable_inactive_accounts.delay().get() == 2
    assert set(User.objects.filter(is_active=False).values_list("pk", flat=True)) == {writer.pk, never_used.pk}
    assert User.objects.filter(pk=writer.pk).exists()  # kept: history points at them
    rows = AuditEntry.objects.filter(action="account_disabled_inactive")
    assert {r.object_id for r in rows} == {str(writer.pk), str(never_used.pk)} and all(r.actor_id is None for r in rows)

    assert disable_inactive_accounts() == 0  # twice: nobody new
    assert rows.count() == 2


def test_the_idle_limit_follows_the_policy(writer):
    PasswordPolicy.objects.create(inactive_days=30)
    User.objects.filter(pk=writer.pk).update(last_login=timezone.now() - dt.timedelta(days=31))
    assert disable_inactive_accounts() == 1
    PasswordPolicy.objects.filter(pk=1).update(inactive_days=0)  # 0: never
    User.objects.filter(pk=writer.pk).update(is_active=True)
    assert disable_inactive_accounts() == 0


def test_a_disabled_account_cannot_sign_in(client, writer):
    User.objects.filter(pk=writer.pk).update(last_login=timezone.now() - dt.timedelta(days=200))
    disable_inactive_accounts()
    response = client.post(reverse("login"), {"username": writer.username, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


@pytest.fixture
def demo_login(department):
    return UserFactory(username="dept_staff", unit=department, roles=[Role.STAFF])


def test_demo_logins_are_refused_in_production_with_a_clear_message(client, settings, demo_login, writer):
    settings.GOVINFO_ENV = "production"
    response = client.post(reverse("login"), {"username": "dept_staff", "password": PASSWORD})
    assert "演示账号不能在生产环境中登录。" in response.content.decode()
    assert "_auth_user_id" not in client.session
    api = APIClient()
    token = api.post("/api/v1/auth/token/", {"username": "dept_staff", "password": PASSWORD}, format="json")
    assert token.status_code in (400, 401, 403) and "token" not in token.json()
    # A real person is not affected.
    assert client.post(reverse("login"), {"username": writer.username, "password": PASSWORD}).status_code == 302


def test_demo_logins_work_outside_production(client, demo_login):
    assert client.post(reverse("login"), {"username": "dept_staff", "password": PASSWORD}).status_code == 302


def test_the_demo_authenticator_secret_is_refused_in_production(client, settings, editor):
    device = TOTPDevice.objects.create(
        user=editor, name="演示", key=base64.b32decode(DEMO_TOTP_SECRET).hex(), confirmed=True
    )
    settings.GOVINFO_ENV = "production"
    client.post(reverse("login"), {"username": editor.username, "password": PASSWORD})
    page = client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert "公开的演示密钥" in page.content.decode()
    assert client.get(reverse("home")).status_code == 302  # still not through


def test_loaddemo_refuses_in_production(settings):
    settings.GOVINFO_ENV = "production"
    with pytest.raises(CommandError, match="生产环境不能加载演示数据"):
        call_command("loaddemo", stdout=io.StringIO())
    assert not User.objects.filter(username="prov_admin").exists()
