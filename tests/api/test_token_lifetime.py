"""An API token stands for a login and ends like one: it expires, a new one replaces it,
and it is revoked when the person signs out, changes password, loses the second factor,
changes role or is deactivated. Time is moved by patching django.utils.timezone.now."""

import datetime as dt
from unittest.mock import patch

from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD
from tests.otp import code_for, device_for
from units.models import Role


def _obtain(user, **extra) -> dict:
    response = APIClient().post(
        reverse("api-token"), {"username": user.username, "password": PASSWORD, **extra}, format="json"
    )
    assert response.status_code == 200, response.json()
    return response.json()


def _me(key: str, **headers):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", **headers)
    return api.get(reverse("api-me"))


def _later(seconds: float):
    return patch("django.utils.timezone.now", return_value=timezone.now() + dt.timedelta(seconds=seconds))


def test_default_lifetime_is_a_working_day_like_a_session(settings):
    assert settings.API_TOKEN_TTL == 8 * 3600 == settings.SESSION_COOKIE_AGE


def test_token_expires_after_its_lifetime_with_a_chinese_message(writer, settings):
    before = timezone.now()
    obtained = _obtain(writer)
    expires_at = dt.datetime.fromisoformat(obtained["expires_at"])
    assert (
        dt.timedelta(seconds=settings.API_TOKEN_TTL - 5)
        < expires_at - before
        <= dt.timedelta(seconds=settings.API_TOKEN_TTL + 5)
    )
    with _later(settings.API_TOKEN_TTL - 60):
        assert _me(obtained["token"]).status_code == 200
    with _later(settings.API_TOKEN_TTL + 1):
        response = _me(obtained["token"])
    assert response.status_code == 401
    assert response.json() == {"code": "token_expired", "message": "令牌已过期，请重新获取令牌。"}
    assert not Token.objects.filter(key=obtained["token"]).exists()


def test_lifetime_is_configurable(writer, settings):
    settings.API_TOKEN_TTL = 600
    key = _obtain(writer)["token"]
    with _later(601):
        assert _me(key).json()["code"] == "token_expired"


def test_a_token_made_without_the_endpoint_expires_from_its_creation(writer, settings):
    key = Token.objects.create(user=writer).key
    with _later(settings.API_TOKEN_TTL + 1):
        assert _me(key).json()["code"] == "token_expired"


def test_obtaining_again_gives_a_new_key_and_ends_the_old_one(writer):
    first = _obtain(writer)["token"]
    second = _obtain(writer)["token"]
    assert first != second
    assert _me(first).status_code == 401
    assert _me(second).status_code == 200


def test_a_client_still_sending_its_expired_token_can_obtain_a_new_one(writer, settings):
    old = _obtain(writer)["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {old}")
    with _later(settings.API_TOKEN_TTL + 1):
        assert api.get(reverse("api-me")).status_code == 401
        response = api.post(reverse("api-token"), {"username": writer.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200 and response.json()["token"] != old


def test_password_change_revokes_the_token(client, writer):
    key = _obtain(writer)["token"]
    client.force_login(writer)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Brand-new-2026", "new_password2": "Brand-new-2026"},
    )
    assert response.status_code == 302
    assert _me(key).status_code == 401


def test_signing_out_revokes_the_token(client, writer):
    key = _obtain(writer)["token"]
    client.post(reverse("login"), {"username": writer.username, "password": PASSWORD})
    assert _me(key).status_code == 200  # signing in elsewhere leaves it alone
    client.post(reverse("logout"))
    assert _me(key).status_code == 401


def test_second_factor_reset_by_the_security_admin_revokes_the_token(client, writer, city_security_admin):
    device = device_for(writer)  # a staff member who set up an authenticator
    key = _obtain(writer, otp_code=code_for(device))["token"]
    assert _me(key).status_code == 200
    client.force_login(city_security_admin)
    client.post(
        reverse("admin:units_account_changelist"), {"action": "reset_two_factor", "_selected_action": [writer.pk]}
    )
    assert _me(key).status_code == 401


def test_setting_up_a_second_factor_ends_tokens_obtained_without_one(client, writer):
    from tests.otp import code_from_secret
    from units.twofactor.access import confirmed_device
    from units.twofactor.actions import pending_device
    from units.twofactor.provisioning import secret_text

    key = _obtain(writer)["token"]
    client.force_login(writer)
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    device = pending_device(writer)
    response = client.post(reverse("two_factor_setup"), {"code": code_from_secret(secret_text(device))})
    assert response.status_code == 302
    assert confirmed_device(writer) is not None
    assert _me(key).status_code == 401


def _admin_edit(client, admin_user, person, **changes):
    client.force_login(admin_user)
    data = {
        "username": person.username,
        "full_name": person.full_name,
        "unit": person.unit_id,
        "phone": person.phone,
        "email": person.email,
        "roles": sorted(person.role_set),
        "is_active": "on",
    }
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(reverse("admin:units_user_change", args=[person.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def _approve_all(person, security_admin) -> None:
    from units import grants
    from units.models import RoleChange

    for change in RoleChange.objects.filter(user=person, state="pending"):
        grants.decide(change=change, by=security_admin, approve=True)


def test_role_change_in_admin_revokes_the_token(client, writer, city_admin, city_security_admin):
    key = _obtain(writer)["token"]
    _admin_edit(client, city_admin, writer)  # saved unchanged: the token stays
    assert _me(key).status_code == 200
    _admin_edit(client, city_admin, writer, roles=[Role.STAFF, Role.UNIT_APPROVER])
    assert _me(key).status_code == 200  # proposed only: nothing changed yet (三员分立)
    _approve_all(writer, city_security_admin)
    assert _me(key).status_code == 401


def test_losing_a_role_revokes_the_token_too(client, unit_approver, city_admin, city_security_admin):
    key = _obtain(unit_approver)["token"]
    _admin_edit(client, city_admin, unit_approver, roles=[Role.STAFF])
    _approve_all(unit_approver, city_security_admin)
    assert _me(key).status_code == 401


def test_deactivation_in_admin_revokes_the_token(client, writer, city_admin):
    key = _obtain(writer)["token"]
    _admin_edit(client, city_admin, writer, is_active=None)  # the box unticked
    writer.refresh_from_db()
    assert not writer.is_active
    assert not Token.objects.filter(key=key).exists()
    assert _me(key).status_code == 401


def test_revoking_ones_own_token_still_works(writer):
    key = _obtain(writer)["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.delete(reverse("api-token")).status_code == 204
    assert _me(key).status_code == 401
