from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from govinfo.api.auth import issue_token
from tests.factories import PASSWORD
from tests.otp import code_for, device_for


def test_token_obtain_use_and_revoke(writer):
    api = APIClient()
    response = api.post(reverse("api-token"), {"username": writer.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    me = api.get(reverse("api-me")).json()
    assert me["username"] == writer.username and me["roles"] == ["staff"] and me["unit"]["id"] == writer.unit_id
    assert api.delete(reverse("api-token")).status_code == 204
    assert not Token.objects.filter(key=token).exists()
    assert api.get(reverse("api-me")).status_code == 401


def test_bad_credentials_and_bad_input_in_one_error_shape(writer):
    api = APIClient()
    bad = api.post(reverse("api-token"), {"username": writer.username, "password": "wrong"}, format="json")
    assert bad.status_code == 400 and bad.json() == {"code": "invalid_credentials", "message": "用户名或密码不正确。"}
    missing = api.post(reverse("api-token"), {}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "invalid" and "username" in missing.json()["errors"]


def test_unauthenticated_gets_401_json_not_a_login_redirect(db):
    response = APIClient().get(reverse("api-me"))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_security_admin_revokes_a_token_but_the_system_admin_and_an_outsider_cannot(
    writer, city_admin, city_security_admin, outsider
):
    token = Token.objects.create(user=writer)
    api = APIClient()
    for refused in (outsider, city_admin):  # account security is the security admin's (三员分立)
        api.force_authenticate(refused)
        assert api.delete(reverse("api-user-token", args=[writer.pk])).status_code == 404
    assert Token.objects.filter(pk=token.pk).exists()
    api.force_authenticate(city_security_admin)
    assert api.delete(reverse("api-user-token", args=[writer.pk])).status_code == 204
    assert not Token.objects.filter(pk=token.pk).exists()


def test_units_are_scoped_to_the_callers_tree(writer, other_city, department, city):
    api = APIClient()
    api.force_authenticate(writer)
    ids = {u["id"] for u in api.get(reverse("api-unit-list")).json()["results"]}
    assert department.pk in ids and city.pk in ids and other_city.pk not in ids
    assert api.get(reverse("api-unit-detail", args=[other_city.pk])).status_code == 404


def test_schema_and_docs_are_served_without_cdn(client, writer):
    client.force_login(writer)
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200 and b"openapi" in schema.content
    docs = client.get(reverse("api-docs")).content.decode()
    assert "drf_spectacular_sidecar" in docs or "/static/" in docs
    assert "cdn" not in docs.lower() and "unpkg" not in docs.lower()


def test_token_for_an_editor_needs_the_two_factor_code(editor):
    api = APIClient()
    url, credentials = reverse("api-token"), {"username": editor.username, "password": PASSWORD}
    no_device = api.post(url, credentials, format="json")
    assert no_device.status_code == 400 and no_device.json()["code"] == "otp_setup_required"
    device = device_for(editor)
    missing = api.post(url, credentials, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "otp_required"
    assert "otp_code" in missing.json()["message"]
    right = code_for(device)
    wrong = api.post(url, {**credentials, "otp_code": f"{(int(right) + 1) % 1000000:06d}"}, format="json")
    assert (
        wrong.status_code == 400 and wrong.json()["code"] == "invalid_otp" and "验证码不正确" in wrong.json()["message"]
    )
    # django-otp backs off after a wrong code: an immediate retry is refused even with the right code.
    throttled = api.post(url, {**credentials, "otp_code": right}, format="json")
    assert throttled.status_code == 429 and throttled.json()["code"] == "otp_throttled"
    device.refresh_from_db()
    device.throttle_reset()
    ok = api.post(url, {**credentials, "otp_code": code_for(device)}, format="json")
    assert ok.status_code == 200 and Token.objects.filter(user=editor, key=ok.json()["token"]).exists()
    assert Token.objects.get(user=editor).grant.verified  # obtained with the code
    # The token then works on its own: no second factor per request.
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {ok.json()['token']}")
    assert api.get(reverse("api-me")).json()["username"] == editor.username


def test_session_of_an_editor_without_the_code_is_refused_by_the_api(client, editor):
    device_for(editor)
    client.post(reverse("login"), {"username": editor.username, "password": PASSWORD})  # password only
    response = client.get(reverse("api-me"))
    assert response.status_code == 403 and response.json()["code"] == "two_factor_required"
    # A token brought along (obtained with the code) is used instead of the half-finished session.
    token = issue_token(user=editor, verified=True)
    response = client.get(reverse("api-me"), HTTP_AUTHORIZATION=f"Bearer {token.key}")
    assert response.status_code == 200 and response.json()["username"] == editor.username


def test_session_of_a_writer_needs_no_code_for_the_api(client, writer):
    client.post(reverse("login"), {"username": writer.username, "password": PASSWORD})
    assert client.get(reverse("api-me")).status_code == 200


def test_token_obtained_without_code_is_refused_once_a_role_needs_one(writer):
    """The issue's case: a staff member's token (no second factor), then the person becomes
    an editor by a path that sends no signal; the token must not read as an editor."""
    from units.models import Role, RoleGrant

    api = APIClient()
    token = api.post(reverse("api-token"), {"username": writer.username, "password": PASSWORD}, format="json")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['token']}")
    assert api.get(reverse("api-me")).status_code == 200
    RoleGrant.objects.bulk_create([RoleGrant(user=writer, unit_id=writer.unit_id, role=Role.EDITOR)])
    refused = api.get(reverse("api-me"))
    assert refused.status_code == 401 and refused.json()["code"] == "otp_required"
    assert "两步验证" in refused.json()["message"] and refused["WWW-Authenticate"] == "Bearer"
    # With an authenticator and its code the person gets a token that works.
    device = device_for(writer)
    api.credentials()
    again = api.post(
        reverse("api-token"),
        {"username": writer.username, "password": PASSWORD, "otp_code": code_for(device)},
        format="json",
    )
    assert again.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {again.json()['token']}")
    assert api.get(reverse("api-me")).json()["roles"] == ["editor", "staff"]


def test_a_token_made_outside_the_endpoint_stands_for_no_second_factor(editor, writer):
    """A token an administrator adds in Django admin (no grant row) is unverified."""
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=editor).key}")
    assert api.get(reverse("api-me")).json()["code"] == "otp_required"
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=writer).key}")
    assert api.get(reverse("api-me")).status_code == 200
