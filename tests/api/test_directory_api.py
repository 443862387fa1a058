"""The directory API (issue 16): people to read, and units and people to create, change
and disable in bulk for the administrator, through the Excel import's plan."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEntry
from tests.factories import UserFactory
from units.models import Role, RoleGrant, Unit, User

pytestmark = pytest.mark.django_db

DIRECTORY = "/api/v1/directory/"
DISABLE = "/api/v1/directory/people/disable/"


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def coded(city, other_city, department):
    city.code, other_city.code, department.code = "5301", "5303", "530101"
    for u in (city, other_city, department):
        u.save()
    return city


def test_an_administrator_creates_units_and_people_in_one_list_and_a_repeat_changes_nothing(
    coded, city, city_admin, city_security_admin
):
    body = {
        "units": [{"code": "530102", "name": "昆明市教育体育局", "parent_code": "5301", "kind": "department"}],
        "people": [
            {"username": "jy_staff", "full_name": "教体信息员", "unit_code": "530102", "roles": ["staff"]},
            {"username": "km_writer", "full_name": "钱信息员", "unit_code": "530101",
             "roles": ["staff", "unit_approver"], "email": "qian@example.cn"},
        ],
    }  # fmt: skip
    response = as_user(city_admin).post(DIRECTORY, body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["applied"] and data["counts"]["units"]["create"] == 1 and data["counts"]["people"]["create"] == 2
    unit = Unit.objects.get(code="530102")
    assert unit.parent == city and unit.path == f"{city.path}{unit.pk}/"
    staff = User.objects.get(username="jy_staff")
    assert staff.unit == unit and staff.role_set == frozenset() and staff.must_change_password
    # 三员分立: the system administrator's roles wait for a security administrator.
    from units import grants
    from units.models import RoleChange

    for change in RoleChange.objects.filter(user__username__in=["jy_staff", "km_writer"], state="pending"):
        grants.decide(change=change, by=city_security_admin, approve=True)
    staff = User.objects.get(username="jy_staff")
    assert staff.role_set == {Role.STAFF}
    [shown] = data["passwords"]  # shown once; the one with an address gets it by mail
    assert shown["username"] == "jy_staff" and staff.check_password(shown["password"])
    assert data["emailed"] == ["km_writer"]
    assert AuditEntry.objects.filter(model="units.user", object_id=str(staff.pk), action="create").exists()
    again = as_user(city_admin).post(DIRECTORY, body, format="json").json()
    assert not again["applied"] and again["counts"]["people"]["unchanged"] == 2


def test_changes_and_refusals_are_reported_per_row_in_chinese_and_nothing_is_written(coded, city_admin, writer):
    body = {
        "people": [
            {"username": writer.username, "full_name": "新名字", "unit_code": "530101"},
            {"username": "nobody_unit", "full_name": "无单位", "unit_code": "9999"},
        ]
    }
    response = as_user(city_admin).post(DIRECTORY, body, format="json")
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "refused" and "没有写入任何内容" in data["message"]
    rows = {r["key"]: r for r in data["rows"]}
    assert rows["nobody_unit"]["reasons"] == ["单位代码“9999”不存在（文件和系统中都没有）"]
    assert rows[writer.username]["action"] == "change" and rows[writer.username]["changes"][0].endswith("→ 新名字")
    writer.refresh_from_db()
    assert writer.full_name != "新名字"
    # valid_only: the good row goes in, the refused one is skipped.
    ok = as_user(city_admin).post(DIRECTORY, body | {"valid_only": True}, format="json").json()
    writer.refresh_from_db()
    assert ok["applied"] and writer.full_name == "新名字" and not User.objects.filter(username="nobody_unit").exists()


def test_dry_run_previews_and_writes_nothing(coded, city_admin):
    body = {"people": [{"username": "preview", "full_name": "预览", "unit_code": "530101"}], "dry_run": True}
    data = as_user(city_admin).post(DIRECTORY, body, format="json").json()
    assert not data["applied"] and data["rows"][0]["action_label"] == "新建"
    assert not User.objects.filter(username="preview").exists()


def test_disabling_people_keeps_them_and_their_roles_history(coded, city_admin, writer):
    response = as_user(city_admin).post(DISABLE, {"usernames": [writer.username]}, format="json")
    assert response.status_code == 200 and response.json()["counts"]["people"]["disable"] == 1
    writer.refresh_from_db()
    assert not writer.is_active and User.objects.filter(pk=writer.pk).exists()
    unknown = as_user(city_admin).post(DISABLE, {"usernames": ["ghost"]}, format="json")
    assert unknown.status_code == 400 and unknown.json()["rows"][0]["reasons"] == ["没有该用户"]


def test_an_administrator_cannot_write_outside_their_subtree(coded, city_admin, outsider):
    body = {
        "units": [{"code": "530301", "name": "曲靖市某局", "parent_code": "5303"}],
        "people": [{"username": outsider.username, "full_name": "改名", "unit_code": "5303"}],
    }
    data = as_user(city_admin).post(DIRECTORY, body, format="json").json()
    reasons = [r["reasons"] for r in data["rows"]]
    assert ["上级单位不在您管理的范围内"] in reasons and not Unit.objects.filter(code="530301").exists()
    assert as_user(city_admin).post(DISABLE, {"usernames": [outsider.username]}, format="json").status_code == 400
    outsider.refresh_from_db()
    assert outsider.is_active


@pytest.mark.parametrize("url", [DIRECTORY, DISABLE])
def test_people_who_are_not_administrators_are_refused(coded, editor, url):
    body = {"usernames": [editor.username]} if url == DISABLE else {"people": []}
    response = as_user(editor).post(url, body, format="json")
    assert response.status_code == 404  # refused looks like missing, as everywhere in the API
    assert RoleGrant.objects.filter(user=editor).exists()


def test_bad_input_gets_a_clear_message(coded, city_admin):
    response = as_user(city_admin).post(
        DIRECTORY, {"people": [{"username": "x", "full_name": "x", "unit_code": "5301", "roles": ["boss"]}]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400 and "boss" in str(response.json())


def test_people_are_listed_for_their_administrator_only(coded, city_admin, writer, outsider, editor):
    listed = as_user(city_admin).get(reverse("api-person-list")).json()
    names = {p["username"] for p in listed["results"]}
    assert writer.username in names and outsider.username not in names
    row = next(p for p in listed["results"] if p["username"] == writer.username)
    assert row["unit_code"] == "530101" and row["roles"] == ["staff"]
    assert as_user(city_admin).get(reverse("api-person-detail", args=[writer.pk])).status_code == 200
    assert as_user(city_admin).get(reverse("api-person-detail", args=[outsider.pk])).status_code == 404
    assert as_user(editor).get(reverse("api-person-list")).status_code == 404
    assert as_user(editor).get(reverse("api-person-detail", args=[writer.pk])).status_code == 404


def test_the_people_list_has_a_flat_query_count(coded, city_admin, department, django_assert_max_num_queries):
    for n in range(20):
        UserFactory(username=f"bulk{n}", unit=department, roles=[Role.STAFF])
    with django_assert_max_num_queries(8):
        assert as_user(city_admin).get(reverse("api-person-list")).status_code == 200


def test_units_carry_their_code(coded, writer):
    data = as_user(writer).get(reverse("api-unit-list")).json()
    assert "530101" in {u["code"] for u in data["results"]}


def test_a_person_given_two_of_the_three_administrator_roles_is_refused(coded, city, city_admin):
    from units.models import ONE_ADMIN_DUTY

    body = {
        "people": [
            {"username": "two_duties", "full_name": "两个管理员角色", "unit_code": "5301",
             "roles": ["system_admin", "auditor"]},
        ]
    }  # fmt: skip
    response = as_user(city_admin).post(DIRECTORY, body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "refused"
    assert ONE_ADMIN_DUTY in str(response.json()["rows"])
    assert not User.objects.filter(username="two_duties").exists()
