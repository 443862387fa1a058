import pytest
from django.core.exceptions import ValidationError

from units import access
from units.actions import set_roles
from units.models import Role


def test_roles_are_scoped_to_the_persons_unit(editor, department, city):
    assert editor.has_perm("units.review_items_of", department)
    assert not editor.has_perm("units.review_items_of", city)  # the city's own items go to the province


def test_outsider_holds_no_power_over_another_citys_units(outsider, department, city):
    assert not outsider.has_perm("units.review_items_of", department)
    assert not outsider.has_perm("units.manage_unit", city)
    assert not outsider.has_perm("units.manage_unit", department)
    assert not outsider.has_perm("units.write_items", department)


def test_admin_manages_own_subtree_only(city_admin, city, department, province, other_city):
    assert city_admin.has_perm("units.manage_unit", city)
    assert city_admin.has_perm("units.manage_unit", department)
    assert not city_admin.has_perm("units.manage_unit", province)
    assert not city_admin.has_perm("units.manage_unit", other_city)
    assert set(access.administered_units(city_admin)) == {city, department}


def test_writer_and_approver_act_for_their_unit(writer, unit_approver, department, city):
    assert writer.has_perm("units.write_items", department)
    assert not writer.has_perm("units.sign_off_items", department)
    assert unit_approver.has_perm("units.sign_off_items", department)
    assert not unit_approver.has_perm("units.sign_off_items", city)


def test_issue_approver_signs_off_only_own_office(issue_approver, city, other_city):
    assert issue_approver.has_perm("units.sign_off_issues", city)
    assert not issue_approver.has_perm("units.sign_off_issues", other_city)


def test_inactive_person_loses_all_powers(city_admin, city):
    city_admin.is_active = False
    city_admin.save()
    assert not access.can_use_admin(city_admin)
    assert not city_admin.has_perm("units.manage_unit", city)


def test_set_roles_replaces_roles_and_refuses_unknown(writer):
    set_roles(user=writer, roles=[Role.STAFF, Role.UNIT_APPROVER])
    writer.refresh_from_db()
    assert writer.role_set == {Role.STAFF, Role.UNIT_APPROVER}
    set_roles(user=writer, roles=[Role.UNIT_APPROVER])
    writer.refresh_from_db()
    assert writer.role_set == {Role.UNIT_APPROVER}
    with pytest.raises(ValidationError):
        set_roles(user=writer, roles=["wizard"])
