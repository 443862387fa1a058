"""三员分立 (issue 15, GB/T 22239 8.1.4.2 and 8.1.5): the system administrator, the
security administrator and the auditor — each refused the others' work, nobody holding
two of them, role changes approved by a second person, no superuser in production."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse

from audit.models import AuditEntry
from tests.factories import PASSWORD, UserFactory
from units import grants
from units.models import ONE_ADMIN_DUTY, Notification, Role, RoleChange, RoleGrant, User

ADMIN_PAGES = {
    # page: who of the city's three opens it
    "admin:units_unit_changelist": "system_admin",
    "admin:units_user_changelist": "system_admin",
    "admin:publications_publication_changelist": "system_admin",
    "admin:scoring_scheme_changelist": "system_admin",
    "admin:units_account_changelist": "security_admin",
    "admin:units_lockedaccount_changelist": "security_admin",
    "admin:units_passwordpolicy_changelist": "security_admin",
    "admin:audit_auditentry_export_csv": "auditor",
    "admin:audit_auditentry_export_xlsx": "auditor",
}


@pytest.fixture
def three(city_admin, city_security_admin, city_auditor):
    return {"system_admin": city_admin, "security_admin": city_security_admin, "auditor": city_auditor}


@pytest.mark.parametrize("url_name", sorted(ADMIN_PAGES))
def test_each_of_the_three_is_refused_the_others_admin_pages(client, three, url_name):
    for role, person in three.items():
        client.force_login(person)
        status = client.get(reverse(url_name)).status_code
        if role == ADMIN_PAGES[url_name]:
            assert status in (200, 302), (role, url_name, status)
        else:
            assert status == 403, (role, url_name, status)


def test_the_admin_index_lists_only_each_ones_part(client, three):
    pages = {}
    for role, person in three.items():
        client.force_login(person)
        pages[role] = client.get(reverse("admin:index")).content.decode()
    assert "账号安全" in pages["security_admin"] and "账号安全" not in pages["system_admin"]
    assert "审计记录" in pages["auditor"] and "单位" not in pages["auditor"].split("审计记录")[0][-200:]
    assert "/admin/units/unit/" in pages["system_admin"]
    assert "/admin/units/unit/" not in pages["security_admin"] + pages["auditor"]
    assert "/admin/units/passwordpolicy/" not in pages["system_admin"] + pages["auditor"]


def test_the_security_admin_and_the_auditor_cannot_change_business_data(client, three, department):
    url = reverse("admin:units_unit_change", args=[department.pk])
    for role in ("security_admin", "auditor"):
        client.force_login(three[role])
        response = client.post(url, {"name": "改名", "kind": department.kind, "parent": department.parent_id})
        assert response.status_code in (302, 403)
        department.refresh_from_db()
        assert department.name != "改名"


def test_the_three_are_refused_in_the_directory_api_except_the_system_admin(client, three):
    for role, person in three.items():
        client.force_login(person)
        status = client.get("/api/v1/people/").status_code
        assert (status == 200) == (role == "system_admin"), (role, status)


def test_a_person_is_refused_a_second_of_the_three_in_the_form_the_action_and_the_database(
    client, city_admin, city_security_admin, city
):
    # The form: a clear message, nothing proposed.
    client.force_login(city_admin)
    url = reverse("admin:units_user_change", args=[city_security_admin.pk])
    page = client.get(url).content.decode()
    from tests.audit.helpers import admin_form

    data = admin_form(page, "user_form")
    data["roles"] = [Role.SECURITY_ADMIN, Role.AUDITOR]
    response = client.post(url, data)
    assert response.status_code == 200 and ONE_ADMIN_DUTY in response.content.decode()
    assert not RoleChange.objects.filter(user=city_security_admin).exists()
    # The action.
    with pytest.raises(Exception, match="三员分立"):
        grants.propose_roles(user=city_security_admin, roles=[Role.SECURITY_ADMIN, Role.AUDITOR], by=city_admin)
    # The database, whatever writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.create(user=city_security_admin, unit=city, role=Role.AUDITOR)


def test_a_grant_takes_effect_only_when_a_second_person_approves(
    client, city_admin, city_security_admin, writer, other_city, django_capture_on_commit_callbacks
):
    client.force_login(city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        (change,) = grants.propose_roles(user=writer, roles=[Role.STAFF, Role.LEADER], by=city_admin)
    writer = User.objects.get(pk=writer.pk)
    assert writer.role_set == {Role.STAFF}
    # The security administrator is told.
    note = Notification.objects.get(recipient=city_security_admin, verb="role_change")
    assert str(writer) in note.title
    # The system administrator cannot approve their own proposal (the action is not theirs).
    response = client.post(
        reverse("admin:units_rolechange_changelist"), {"action": "approve", "_selected_action": [change.pk]}
    )
    assert RoleChange.objects.get(pk=change.pk).state == "pending"
    assert response.status_code in (200, 302)
    # A security administrator elsewhere cannot either.
    elsewhere = UserFactory(unit=other_city, roles=[Role.SECURITY_ADMIN])
    with pytest.raises(Exception, match="安全管理员可以审批"):
        grants.decide(change=change, by=elsewhere, approve=True)
    client.force_login(city_security_admin)
    response = client.post(
        reverse("admin:units_rolechange_changelist"),
        {"action": "approve", "_selected_action": [change.pk]},
        follow=True,
    )
    assert "已批准 1 项" in response.content.decode()
    assert User.objects.get(pk=writer.pk).role_set == {Role.STAFF, Role.LEADER}
    entry = AuditEntry.objects.get(action="role_approved", object_id=str(writer.pk))
    assert entry.actor == city_security_admin and entry.changes["proposed_by"][1] == str(city_admin)
    # Approving twice changes nothing.
    with pytest.raises(Exception, match="已处理"):
        grants.decide(change=change, by=city_security_admin, approve=True)


def test_a_revocation_waits_too_and_a_refusal_leaves_the_role(city_admin, city_security_admin, writer):
    (change,) = grants.propose_roles(user=writer, roles=[], by=city_admin)
    assert change.kind == "revoke" and User.objects.get(pk=writer.pk).role_set == {Role.STAFF}
    grants.decide(change=change, by=city_security_admin, approve=False, reason="仍在岗")
    assert User.objects.get(pk=writer.pk).role_set == {Role.STAFF}
    assert RoleChange.objects.get(pk=change.pk).state == "refused"
    assert AuditEntry.objects.filter(action="role_refused", actor=city_security_admin).exists()
    # Asked again, then approved: the role goes.
    (change,) = grants.propose_roles(user=writer, roles=[], by=city_admin)
    grants.decide(change=change, by=city_security_admin, approve=True)
    assert User.objects.get(pk=writer.pk).role_set == frozenset()


def test_a_security_admin_cannot_approve_a_change_about_themselves(city_admin, city_security_admin):
    (change,) = grants.propose_roles(user=city_security_admin, roles=[Role.SECURITY_ADMIN, Role.LEADER], by=city_admin)
    with pytest.raises(Exception, match="本人"):
        grants.decide(change=change, by=city_security_admin, approve=True)


def test_proposing_again_adds_nothing_and_a_changed_wish_withdraws_the_old_proposal(city_admin, writer):
    grants.propose_roles(user=writer, roles=[Role.STAFF, Role.LEADER], by=city_admin)
    grants.propose_roles(user=writer, roles=[Role.STAFF, Role.LEADER], by=city_admin)
    assert RoleChange.objects.filter(user=writer, state="pending").count() == 1
    grants.propose_roles(user=writer, roles=[Role.STAFF, Role.UNIT_APPROVER], by=city_admin)
    states = dict(RoleChange.objects.filter(user=writer).values_list("role", "state"))
    assert states == {Role.LEADER: "withdrawn", Role.UNIT_APPROVER: "pending"}


def test_the_security_admin_gives_a_one_time_password_that_must_be_changed(client, city_security_admin, writer):
    client.force_login(city_security_admin)
    response = client.post(
        reverse("admin:units_account_changelist"),
        {"action": "one_time_password", "_selected_action": [writer.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "已为 1 人生成一次性密码" in text
    password = text.split(f"{writer.username}：")[1][:14]
    writer = User.objects.get(pk=writer.pk)
    assert writer.check_password(password) and writer.must_change_password
    assert AuditEntry.objects.filter(action="password_reset_one_time", actor=city_security_admin).exists()
    other = type(client)()
    landed = other.post(reverse("login"), {"username": writer.username, "password": password}, follow=True)
    assert landed.redirect_chain[-1][0] == reverse("password_change")


def test_the_account_page_changes_no_business_field(client, city_security_admin, writer):
    client.force_login(city_security_admin)
    url = reverse("admin:units_account_change", args=[writer.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"full_name": "改了名字", "username": "renamed"})
    writer.refresh_from_db()
    assert writer.full_name != "改了名字" and writer.username != "renamed"


@override_settings(GOVINFO_ENV="production")
def test_in_production_the_superuser_signs_in_nowhere(client, province):
    root = UserFactory(username="root", unit=province, is_superuser=True)
    assert client.post(reverse("login"), {"username": "root", "password": PASSWORD}).status_code == 200
    assert "_auth_user_id" not in client.session
    client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    response = client.post("/api/v1/auth/token/", {"username": "root", "password": PASSWORD})
    assert response.status_code in (400, 401, 403)
    # A session made before (force_login) is not resumed either.
    client.force_login(root)
    assert client.get(reverse("admin:index")).status_code == 302


def test_outside_production_the_superuser_still_signs_in(client, province):
    UserFactory(username="root", unit=province, is_superuser=True)
    client.post(reverse("login"), {"username": "root", "password": PASSWORD})
    assert "_auth_user_id" in client.session


def test_bootstrap_admins_creates_the_three_once_with_one_time_passwords(db, province, capsys):
    call_command("bootstrap_admins", "--unit", str(province.pk), "--prefix", "prov")
    out = capsys.readouterr().out
    people = {g.role: g.user for g in RoleGrant.objects.filter(unit=province).select_related("user")}
    assert set(people) == {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR}
    for role, person in people.items():
        line = next(line for line in out.splitlines() if person.username in line)
        password = line.split()[-1]
        assert person.check_password(password) and person.must_change_password, role
    assert AuditEntry.objects.filter(action="admins_bootstrapped").count() == 1
    call_command("bootstrap_admins", "--unit", str(province.pk), "--prefix", "prov")
    assert "没有创建新账号" in capsys.readouterr().out
    assert RoleGrant.objects.filter(unit=province).count() == 3


def test_the_migration_turns_the_old_admin_role_into_system_admin(db, city):
    """units 0007's data step, on rows of the old role (the column takes any text)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("units.migrations.0007_three_administrators")
    old = UserFactory(unit=city, roles=[])
    RoleGrant.objects.create(user=old, unit=city, role="admin")
    migration.admin_becomes_system_admin(apps, None)
    assert list(RoleGrant.objects.filter(user=old).values_list("role", flat=True)) == [Role.SYSTEM_ADMIN]
    migration.system_admin_becomes_admin(apps, None)
    assert list(RoleGrant.objects.filter(user=old).values_list("role", flat=True)) == ["admin"]


def test_the_menu_offers_each_of_the_three_their_admin_and_the_directory_only_to_the_system_admin(client, three):
    for role, person in three.items():
        client.force_login(person)
        page = client.get(reverse("home")).content.decode()
        assert reverse("admin:index") in page, role
        assert (reverse("unit_directory") in page) == (role == "system_admin"), role
