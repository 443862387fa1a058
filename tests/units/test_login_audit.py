"""Every sign-in, failed sign-in, sign-out, lockout, unlock, password change, second-factor
event and session expiry is an audit row (GB/T 22239 8.1.4.1 / 8.1.4.3), through HTTP."""

import time

import pytest
from django.test import override_settings
from django.urls import reverse

from audit.models import AuditEntry
from govinfo.middleware.sessions import LOGIN_AT, SEEN_AT
from tests.factories import PASSWORD, UserFactory
from tests.otp import code_for, device_for
from units.models import LockedAccount, Role

pytestmark = pytest.mark.django_db


def rows(action: str, **filters):
    return AuditEntry.objects.filter(action=action, **filters)


def login(client, username: str, password: str = PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_sign_in_and_sign_out_are_recorded_with_the_person(client, writer):
    assert login(client, writer.username).status_code == 302
    entry = rows("login").get()
    assert (entry.actor_id, entry.object_id, entry.actor_unit_id) == (writer.pk, str(writer.pk), writer.unit_id)
    assert entry.ip == "127.0.0.1"
    client.post(reverse("logout"))
    assert rows("logout", actor=writer).count() == 1


def test_a_failed_sign_in_names_what_was_typed(client, writer):
    login(client, writer.username, "wrong-password")
    entry = rows("login_failed").get()
    assert entry.object_id == str(writer.pk) and entry.unit_id == writer.unit_id
    assert entry.changes["username"] == writer.username
    login(client, "nobody-here", "wrong-password")
    unknown = rows("login_failed", object_repr="nobody-here").get()
    assert unknown.object_id == "" and unknown.actor_id is None


@override_settings(AXES_FAILURE_LIMIT=2)
def test_a_lockout_is_recorded_listed_for_the_security_admin_and_unlocked(
    client, writer, city_admin, city_security_admin, outsider
):
    for _ in range(2):
        login(client, writer.username, "wrong-password")
    assert rows("account_locked", object_id=str(writer.pk)).exists()
    assert login(client, writer.username).status_code == 429

    # The writer's unit is under the city: its security administrator sees the lock; one
    # elsewhere does not, nor does the city's system administrator (三员分立).
    admin_client = type(client)()
    admin_client.force_login(UserFactory(unit=outsider.unit, roles=[Role.SECURITY_ADMIN]))
    listing = admin_client.get(reverse("admin:units_lockedaccount_changelist"))
    assert listing.status_code == 200 and writer.username not in listing.content.decode()
    admin_client.force_login(city_admin)
    assert admin_client.get(reverse("admin:units_lockedaccount_changelist")).status_code == 403

    admin_client.force_login(city_security_admin)
    listing = admin_client.get(reverse("admin:units_lockedaccount_changelist"))
    assert writer.username in listing.content.decode()
    attempt = LockedAccount.objects.get(username=writer.username)
    response = admin_client.post(
        reverse("admin:units_lockedaccount_changelist"),
        {"action": "unlock", "_selected_action": [attempt.pk]},
        follow=True,
    )
    assert "已解除 1 个账号的锁定" in response.content.decode()
    unlocked = rows("account_unlocked").get()
    assert unlocked.actor_id == city_security_admin.pk and unlocked.object_id == str(writer.pk)
    assert login(client, writer.username).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=2)
def test_an_outsider_cannot_unlock_another_units_account(client, writer, outsider):
    for _ in range(2):
        login(client, writer.username, "wrong-password")
    attempt = LockedAccount.objects.get(username=writer.username)
    client.force_login(outsider)
    client.post(reverse("admin:units_lockedaccount_changelist"), {"action": "unlock", "_selected_action": [attempt.pk]})
    assert LockedAccount.objects.filter(pk=attempt.pk).exists()
    assert not rows("account_unlocked").exists()


def test_a_password_change_is_recorded(client, writer):
    client.force_login(writer)
    new = "Quiet-River-2031"
    client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    entry = rows("password_changed", actor=writer).get()
    assert entry.actor_id == writer.pk and entry.object_id == str(writer.pk)
    assert new not in str(entry.changes)


def test_second_factor_success_and_failure_are_recorded(client, editor):
    device = device_for(editor)
    login(client, editor.username)
    code = code_for(device)
    client.post(reverse("two_factor_verify"), {"code": f"{(int(code) + 1) % 1_000_000:06d}"})
    assert rows("two_factor_failed", object_id=str(editor.pk)).count() == 1
    device.refresh_from_db()
    device.throttle_reset()
    client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert rows("two_factor_verified", object_id=str(editor.pk)).count() == 1


def test_a_session_that_expires_is_recorded_as_expiry_not_sign_out(client, writer):
    client.force_login(writer)
    session = client.session
    session[LOGIN_AT] = session[SEEN_AT] = int(time.time()) - 4 * 3600
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert rows("session_expired", actor=writer).count() == 1
    assert not rows("logout").exists()
