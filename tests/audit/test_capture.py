"""What the audit record captures: who, what, from where, and the changed values."""

from decimal import Decimal

from django.urls import reverse

from audit.models import AuditEntry
from publications.models import Adoption
from scoring.models import QuotaRule
from submissions.models import State
from tests.factories import UserFactory
from tests.submissions.helpers import submitted
from units.models import Role, RoleChange, RoleGrant

from .helpers import admin_form, entries_for, mark, since


def test_editor_adopting_an_item_over_http_is_recorded_with_actor_and_changes(
    client, writer, unit_approver, editor, city, bulletin
):
    item = submitted(writer, unit_approver)
    before = AuditEntry.objects.count()
    client.force_login(editor)
    url = reverse("item_adopt", args=[item.pk])
    response = client.post(url, {"publication": bulletin.pk, "form": "full", "version": item.version})
    assert response.status_code == 302

    adopt = AuditEntry.objects.get(model="submissions.item", object_id=str(item.pk), action="adopt")
    assert adopt.actor == editor and adopt.actor_unit == city and adopt.actor_name == f"{editor.full_name}（editor）"
    assert adopt.changes == {"state": [State.SUBMITTED, State.ADOPTED]}
    assert adopt.unit_id == item.unit_id  # the object's unit, for an administrator's scope
    assert adopt.ip == "127.0.0.1" and adopt.path == url and adopt.request_id

    adoption = Adoption.objects.get()
    created = AuditEntry.objects.get(model="publications.adoption", object_id=str(adoption.pk))
    assert created.action == "create" and created.actor == editor
    assert created.changes["publication"] == [None, bulletin.pk] and created.changes["form"] == [None, "full"]
    assert created.changes["title"] == [None, item.title]  # not sensitive: the text is kept
    assert created.request_id == adopt.request_id  # one request, one id
    assert AuditEntry.objects.count() > before


def test_every_item_transition_is_recorded_once_with_its_act(writer, unit_approver, editor):
    item = submitted(writer, unit_approver)
    acts = [(e.action, e.actor_id) for e in entries_for(item)]
    assert acts[0][0] == "create"
    assert ("send_for_signoff", writer.pk) in acts and ("sign_off", unit_approver.pk) in acts
    sign_off = next(e for e in entries_for(item) if e.action == "sign_off")
    assert sign_off.changes["state"] == [State.PENDING_SIGNOFF, State.SUBMITTED]
    assert sign_off.changes["signed_off_by"] == [None, unit_approver.pk]
    assert "version" not in sign_off.changes and "updated_at" not in sign_off.changes


def test_role_grant_change_through_admin_is_recorded(client, city_admin, city_security_admin, editor, city):
    editor_name = editor.full_name
    client.force_login(city_admin)
    url = reverse("admin:units_user_change", args=[editor.pk])
    data = admin_form(client.get(url).content.decode(), "user_form")
    start = mark()
    assert data["roles"] == [Role.EDITOR]
    data["roles"] = [Role.ISSUE_APPROVER]
    data["full_name"] = ["新名字"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    editor.refresh_from_db()
    assert editor.role_set == {Role.EDITOR}  # proposed, not in force (三员分立)
    proposed = since(start).filter(model="units.user", action="role_proposed")
    assert proposed.count() == 2 and {e.actor for e in proposed} == {city_admin}

    # The security administrator approves both; the grants are recorded as theirs.
    client.force_login(city_security_admin)
    pending = list(RoleChange.objects.filter(user=editor, state="pending").values_list("pk", flat=True))
    client.post(reverse("admin:units_rolechange_changelist"), {"action": "approve", "_selected_action": pending})
    editor.refresh_from_db()
    editor._role_cache = None
    assert editor.role_set == {Role.ISSUE_APPROVER}
    grants = since(start).filter(model="units.rolegrant")
    removed = grants.get(action="delete")
    added = grants.get(action="create", changes__role=[None, Role.ISSUE_APPROVER])
    for entry in (removed, added):
        assert entry.actor == city_security_admin and entry.actor_unit == city and entry.unit == city
    assert removed.changes["role"] == [Role.EDITOR, None] and removed.object_repr == "editor·编辑"
    assert added.object_repr == "editor·签发人"
    person = since(start).get(model="units.user", object_id=str(editor.pk), action="update")
    assert person.action == "update" and person.actor == city_admin
    assert person.changes == {"full_name": [editor_name, "新名字"]}
    assert since(start).filter(action="role_approved", actor=city_security_admin).count() == 2


def test_password_change_is_recorded_without_the_hash(client, city_security_admin, editor):
    old_hash = editor.password
    client.force_login(city_security_admin)
    url = reverse("admin:units_account_password_change", args=[editor.pk])
    start = mark()
    response = client.post(url, {"password1": "Another-pass-2026", "password2": "Another-pass-2026"})
    assert response.status_code == 302, response.content.decode()[:3000]
    editor.refresh_from_db()
    entry = since(start).get(model="units.user", object_id=str(editor.pk), action="update")
    assert entry.changes == {"password": ["***", "***"]} and entry.actor == city_security_admin
    everything = str(list(AuditEntry.objects.values()))
    assert old_hash not in everything and editor.password not in everything
    assert "md5$" not in everything  # no hash of any persona either (tests hash with MD5)


def test_quota_change_in_scheme_admin_is_recorded(client, province, city, scheme, dept_class):
    # The rule inlines of a scheme are edited by a superuser (they need model permissions).
    root = UserFactory(username="root", unit=province, is_superuser=True)
    client.force_login(root)
    url = reverse("admin:scoring_scheme_change", args=[scheme.pk])
    data = admin_form(client.get(url).content.decode(), "scheme_form")
    start = mark()
    quota_row = next(k for k, v in data.items() if k.startswith("quotas-") and k.endswith("-quota"))
    assert Decimal(data[quota_row][0]) == Decimal("20")
    data[quota_row] = ["25"]
    data["name"] = ["考核（修订）"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]

    quota = QuotaRule.objects.get(scheme=scheme)
    assert quota.quota == Decimal("25")
    entry = since(start).get(model="scoring.quotarule", object_id=str(quota.pk))
    assert entry.action == "update" and entry.changes == {"quota": ["20.0", "25.0"]}
    assert entry.actor == root and entry.unit == city
    renamed = since(start).get(model="scoring.scheme", object_id=str(scheme.pk))
    assert renamed.changes == {"name": ["考核", "考核（修订）"]}
    # Inline rows saved unchanged leave no trace.
    assert set(since(start).values_list("model", flat=True)) == {"scoring.quotarule", "scoring.scheme"}


def test_assessment_class_of_a_unit_changed_in_admin_is_recorded(client, city_admin, department, dept_class):
    from units.models import AssessmentClass

    department.assessment_class = dept_class
    department.save()
    other = AssessmentClass.objects.create(code="dept_b", name="部门B类")
    client.force_login(city_admin)
    url = reverse("admin:units_unit_change", args=[department.pk])
    data = admin_form(client.get(url).content.decode(), "unit_form")
    data["assessment_class"] = [str(other.pk)]
    start = mark()
    assert client.post(url, data).status_code == 302
    entry = since(start).get(model="units.unit", object_id=str(department.pk))
    assert entry.action == "update" and entry.changes == {"assessment_class": [dept_class.pk, other.pk]}
    assert entry.object_repr == department.name and entry.actor == city_admin


def test_issue_sign_off_and_composition_made_with_queryset_updates_are_recorded(
    writer, unit_approver, editor, issue_approver, bulletin
):
    from tests.publications.helpers import adopted, signed_issue

    adoption = adopted(writer, unit_approver, editor, bulletin)
    issue = signed_issue(editor, issue_approver, bulletin, [adoption])
    added = AuditEntry.objects.get(model="publications.adoption", object_id=str(adoption.pk), action="add_to_issue")
    assert added.changes == {"issue": [None, issue.pk], "position": [0, 1]} and added.actor == editor
    signed = AuditEntry.objects.get(model="publications.issue", object_id=str(issue.pk), action="sign_off_issue")
    assert signed.actor == issue_approver and signed.changes["state"] == ["draft", "signed"]
    assert signed.changes["number"] == [None, 1] and signed.changes["total"] == [None, 345]
    assert signed.object_repr == f"政务信息{issue.label}"
    published = AuditEntry.objects.get(model="submissions.item", object_id=str(adoption.item_id), action="publish")
    assert published.changes == {"state": [State.ADOPTED, State.PUBLISHED]} and published.actor == issue_approver


def test_suspended_block_records_nothing(city):
    import audit

    with audit.suspended():
        city.short_name = "春城"
        city.save()
        RoleGrant.objects.filter(unit=city).delete()
    assert not AuditEntry.objects.filter(model="units.unit", action="update").exists()
    city.short_name = "昆明"
    city.save()
    assert AuditEntry.objects.filter(model="units.unit", action="update").count() == 1


def test_change_through_the_api_with_a_bearer_token_names_the_person(writer, department):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from tests.submissions.helpers import BODY, category

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=writer).key}")
    response = api.post(reverse("api-item-list"), {"title": "接口草稿", "body": BODY, "category": category().pk})
    assert response.status_code == 201, response.content
    created = AuditEntry.objects.get(model="submissions.item", object_id=str(response.json()["id"]), action="create")
    assert created.actor == writer and created.actor_unit == department and created.path == "/api/v1/items/"
