from django.urls import reverse

from tests.factories import UnitFactory


def test_non_admin_cannot_open_the_unit_directory(client, editor, writer):
    for person in (editor, writer):
        client.force_login(person)
        response = client.get(reverse("unit_directory"))
        assert response.status_code == 403
        assert "仅对管理员开放" in response.content.decode()


def test_city_admin_sees_only_own_subtree(client, city_admin, city, department, other_city, province):
    client.force_login(city_admin)
    body = client.get(reverse("unit_directory")).content.decode()
    assert city.name in body and department.name in body
    assert other_city.name not in body
    assert f'href="{reverse("unit_detail", args=[province.pk])}"' not in body


def test_directory_filters_by_name_and_kind(client, province_admin, city, other_city, department):
    client.force_login(province_admin)
    body = client.get(reverse("unit_directory"), {"q": "曲靖"}).content.decode()
    assert other_city.name in body and city.name not in body
    body = client.get(reverse("unit_directory"), {"kind": "department"}).content.decode()
    assert department.name in body and other_city.name not in body


def test_unit_detail_of_another_unit_is_not_found(client, outsider, city, department):
    client.force_login(outsider)
    assert client.get(reverse("unit_detail", args=[city.pk])).status_code == 404
    assert client.get(reverse("unit_detail", args=[department.pk])).status_code == 404


def test_unit_detail_lists_members_and_roles(client, city_admin, editor, city):
    client.force_login(city_admin)
    body = client.get(reverse("unit_detail", args=[city.pk])).content.decode()
    assert editor.username in body and "编辑" in body


def test_directory_query_count_stays_flat(client, province_admin, province, django_assert_max_num_queries):
    client.force_login(province_admin)
    for i in range(5):
        UnitFactory(name=f"甲{i}", parent=province)
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("unit_directory"))
    for i in range(40):
        UnitFactory(name=f"乙{i}", parent=province)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("unit_directory"))
