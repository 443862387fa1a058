from django.urls import reverse

from tests.factories import PASSWORD
from units.models import Role, RoleChange, User


def test_non_admin_is_sent_to_admin_login(client, editor):
    client.force_login(editor)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_admin_pages_are_in_chinese(client, city_admin):
    client.force_login(city_admin)
    body = client.get(reverse("admin:index")).content.decode()
    assert "管理后台" in body and "单位" in body


def test_outsider_cannot_open_another_units_admin_pages(client, outsider, city, department, editor):
    client.force_login(outsider)
    for url in (
        reverse("admin:units_unit_change", args=[city.pk]),
        reverse("admin:units_unit_change", args=[department.pk]),
        reverse("admin:units_user_change", args=[editor.pk]),
    ):
        response = client.get(url)
        # Django admin answers "does not exist" with a redirect to the index.
        assert response.status_code == 302, url
        assert response.url == reverse("admin:index")
    listing = client.get(reverse("admin:units_unit_changelist")).content.decode()
    assert city.name not in listing and department.name not in listing


def test_outsider_cannot_post_changes_to_another_unit(client, outsider, department):
    client.force_login(outsider)
    client.post(
        reverse("admin:units_unit_change", args=[department.pk]),
        {"name": "被改名", "kind": "department", "parent": department.parent_id, "sort_order": 0, "is_active": "on"},
    )
    department.refresh_from_db()
    assert department.name == "昆明市发展和改革委员会"


def test_city_admin_creates_person_with_roles_in_own_subtree(client, city_admin, city_security_admin, department):
    client.force_login(city_admin)
    response = client.post(
        reverse("admin:units_user_add"),
        {
            "username": "newstaff",
            "full_name": "新信息员",
            "unit": department.pk,
            "roles": [Role.STAFF],
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = User.objects.get(username="newstaff")
    assert person.unit == department and person.role_set == frozenset()  # waits for approval
    change = RoleChange.objects.get(user=person)
    assert (change.role, change.kind, change.state, change.proposed_by) == (Role.STAFF, "grant", "pending", city_admin)
    client.force_login(city_security_admin)
    client.post(reverse("admin:units_rolechange_changelist"), {"action": "approve", "_selected_action": [change.pk]})
    person = User.objects.get(pk=person.pk)
    assert person.role_set == {Role.STAFF}
    assert not person.is_superuser


def test_city_admin_cannot_place_a_person_in_another_city(client, city_admin, other_city):
    client.force_login(city_admin)
    response = client.post(
        reverse("admin:units_user_add"),
        {"username": "sneaky", "unit": other_city.pk, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="sneaky").exists()
    assert "sneaky" in response.content.decode()  # what was typed is kept


def test_city_admin_cannot_make_a_root_unit_or_move_own_unit(client, city_admin, city, province):
    client.force_login(city_admin)
    response = client.post(reverse("admin:units_unit_add"), {"name": "独立王国", "kind": "department", "sort_order": 0})
    assert response.status_code == 200
    assert "必填项" in response.content.decode()  # Django's or DRF's wording of "required"
    client.post(
        reverse("admin:units_unit_change", args=[city.pk]),
        {"name": city.name, "kind": city.kind, "parent": "", "sort_order": 0, "is_active": "on"},
    )
    city.refresh_from_db()
    assert city.parent == province
