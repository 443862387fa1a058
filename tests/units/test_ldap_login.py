"""Signing in through the directory (issue 16), against a real OpenLDAP server started
by the `ldap_server` fixture (tests/units/ldap_server.py)."""

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from units.actions import set_roles
from units.models import Role, User

from .ldap_server import ldap_server  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(ldap_server, city, other_city):  # noqa: F811
    city.code, other_city.code = "5301", "5303"
    city.save()
    other_city.save()
    with override_settings(**ldap_server.settings()):
        yield ldap_server


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password}, follow=True)


def test_a_directory_person_signs_in_with_the_directory_password_and_lands_in_their_unit(client, directory, city):
    response = login(client, "zhang.san", "Dir-pass-2026")
    assert response.redirect_chain[-1][0] == reverse("home")
    person = User.objects.get(username="zhang.san")
    assert int(client.session["_auth_user_id"]) == person.pk
    assert person.unit == city and person.full_name == "张三"
    assert person.email == "zhangsan@example.cn" and person.phone == "13900000001"
    # The directory keeps the password: none here, and no forced change.
    assert not person.has_usable_password() and not person.must_change_password


def test_a_wrong_directory_password_is_refused_like_a_wrong_local_one(client, directory):
    response = login(client, "zhang.san", "wrong")
    assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session and not User.objects.filter(username="zhang.san").exists()


def test_a_person_disabled_in_the_directory_cannot_sign_in_and_is_disabled_here(client, directory, other_city):
    person = UserFactory(username="wang.left", unit=other_city)
    person.set_password(PASSWORD)
    person.save()
    # Neither the directory password nor the local one lets them in.
    for password in ("Dir-pass-2026", PASSWORD):
        response = login(client, "wang.left", password)
        assert "_auth_user_id" not in client.session, password
        assert "用户名或密码不正确" in response.content.decode()
    person.refresh_from_db()
    assert not person.is_active


def test_a_person_disabled_later_in_the_directory_is_refused_at_the_next_login(client, directory):
    login(client, "zhang.san", "Dir-pass-2026")
    client.post(reverse("logout"))
    directory.modify("zhang.san", employeeType="disabled")
    login(client, "zhang.san", "Dir-pass-2026")
    assert "_auth_user_id" not in client.session
    assert not User.objects.get(username="zhang.san").is_active


def test_a_person_whose_unit_code_is_unknown_is_refused(client, directory):
    login(client, "zhao.nounit", "Dir-pass-2026")
    assert "_auth_user_id" not in client.session and not User.objects.filter(username="zhao.nounit").exists()


def test_the_second_factor_still_applies_to_a_directory_editor(client, directory, city):
    editor = UserFactory(username="li.editor", unit=city)
    editor.set_unusable_password()
    editor.save()
    set_roles(user=editor, roles=[Role.EDITOR])
    response = login(client, "li.editor", "Dir-pass-2026")
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor_setup"))
    assert client.get(reverse("home")).status_code == 302  # not in until the code is set up


def test_local_accounts_still_sign_in_beside_the_directory(client, directory, editor):
    response = login(client, "editor", PASSWORD)
    assert int(client.session["_auth_user_id"]) == editor.pk
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor_setup"))


def test_a_person_disabled_here_cannot_sign_in_with_the_directory_password(client, directory, city):
    person = UserFactory(username="zhang.san", unit=city, is_active=False)
    login(client, "zhang.san", "Dir-pass-2026")
    assert "_auth_user_id" not in client.session
    person.refresh_from_db()
    assert not person.is_active


def test_directory_login_is_off_without_ldap_settings(settings):
    assert "units.directory.ldap.DirectoryBackend" not in settings.AUTHENTICATION_BACKENDS
    assert "sync-directory" not in settings.CELERY_BEAT_SCHEDULE


def test_ldap_environment_values_switch_directory_login_and_the_nightly_sync_on(settings):
    import json
    import os
    import subprocess
    import sys

    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.AUTHENTICATION_BACKENDS, s.AUTH_LDAP_SERVER_URI, s.GOVINFO_LDAP, "
        "s.CELERY_BEAT_SCHEDULE['sync-directory']['task']]))"
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "govinfo.settings", "LDAP_SERVER_URI": "ldap://127.0.0.1:1",
        "LDAP_USER_SEARCH_BASE": "ou=people,dc=example,dc=cn", "LDAP_USER_FILTER": "(sAMAccountName=%(user)s)",
        "LDAP_UNIT_ATTR": "extensionAttribute1",
    }  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    backends, uri, conf, task = json.loads(out.stdout.strip().splitlines()[-1])
    local = [b for b in settings.AUTHENTICATION_BACKENDS if "axes" not in b]
    assert backends == ["axes.backends.AxesStandaloneBackend", "units.directory.ldap.DirectoryBackend", *local]
    assert uri == "ldap://127.0.0.1:1" and task == "units.sync_directory"
    assert conf["username_attr"] == "sAMAccountName" and conf["unit_attr"] == "extensionAttribute1"
