import pytest
from django.core.exceptions import ValidationError

from units import access
from units.actions import set_roles
from units.models import Role


def test_roles_are_scoped_to_the_persons_unit(editor, department, city):
    assert access.reviews_items_of(editor, department)
    assert not access.reviews_items_of(editor, city)  # the city's own items go to the province


def test_outsider_holds_no_power_over_another_citys_units(outsider, department, city):
    assert not access.reviews_items_of(outsider, department)
    assert not access.can_manage_unit(outsider, city)
    assert not access.can_manage_unit(outsider, department)
    assert not access.writes_items_for(outsider, department)


def test_admin_manages_own_subtree_only(city_admin, city, department, province, other_city):
    assert access.can_manage_unit(city_admin, city)
    assert access.can_manage_unit(city_admin, department)
    assert not access.can_manage_unit(city_admin, province)
    assert not access.can_manage_unit(city_admin, other_city)
    assert set(access.administered_units(city_admin)) == {city, department}


def test_writer_and_approver_act_for_their_unit(writer, unit_approver, department, city):
    assert access.writes_items_for(writer, department)
    assert not access.signs_off_items_of(writer, department)
    assert access.signs_off_items_of(unit_approver, department)
    assert not access.signs_off_items_of(unit_approver, city)


def test_issue_approver_signs_off_only_own_office(issue_approver, city, other_city):
    assert access.signs_off_issues_of(issue_approver, city)
    assert not access.signs_off_issues_of(issue_approver, other_city)


def test_inactive_person_loses_all_powers(city_admin, city):
    city_admin.is_active = False
    city_admin.save()
    assert not access.can_use_admin(city_admin)
    assert not access.can_manage_unit(city_admin, city)


def test_set_roles_replaces_roles_and_refuses_unknown(writer):
    set_roles(user=writer, roles=[Role.STAFF, Role.UNIT_APPROVER])
    writer.refresh_from_db()
    assert writer.role_set == {Role.STAFF, Role.UNIT_APPROVER}
    set_roles(user=writer, roles=[Role.UNIT_APPROVER])
    writer.refresh_from_db()
    assert writer.role_set == {Role.UNIT_APPROVER}
    with pytest.raises(ValidationError):
        set_roles(user=writer, roles=["wizard"])
