"""A person moved to another unit gets the same handover whatever the route (issue 16):
the move page, the Excel import, the directory sync, a directory login and the API all go
through units.actions.move_person, with units.handover choosing the colleague where nobody
names one and refusing, in Chinese, a move whose open work nobody can take."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEntry
from submissions.models import Item
from tests.factories import UnitFactory, UserFactory
from tests.submissions.helpers import draft
from units import handover
from units.actions import set_roles
from units.models import Notification, Role, RoleGrant

from . import test_directory_people as people_tests
from .directory_files import workbook
from .ldap_server import ldap_server  # noqa: F401 (the fixture)

open_work = people_tests.open_work  # the fixture: drafts, a sign-off, a commission, an instruction

pytestmark = pytest.mark.django_db

# An administrator's role ("admin", becoming "system_admin" with 三员分立): never carried along.
ADMIN_ROLE = next(r for r in Role.values if r.endswith("admin"))


@pytest.fixture
def coded(city, other_city, department):
    for unit, code in ((city, "5301"), (other_city, "5303"), (department, "530101")):
        unit.code = code
        unit.save()


@pytest.fixture
def new_unit(city, coded):
    return UnitFactory(name="昆明市教育体育局", parent=city, code="530102")


# --- The rule ---------------------------------------------------------------------------------


def test_the_colleague_chosen_holds_the_persons_roles_more_of_them_first(writer, unit_approver, department):
    set_roles(user=writer, roles=[Role.STAFF, Role.UNIT_APPROVER])
    staff_only = UserFactory(username="a_staff", unit=department, roles=[Role.STAFF])
    both = UserFactory(username="z_both", unit=department, roles=[Role.STAFF, Role.UNIT_APPROVER])
    assert handover.choose_colleague(writer, department) == both
    assert handover.choose_colleague(writer, department, leaving={both.pk}) == staff_only
    both.is_active = False
    both.save()
    assert handover.choose_colleague(writer, department) == staff_only
    # Nobody holding one of the roles: nobody (the unit approver alone would do for 审签人).
    set_roles(user=writer, roles=[Role.STAFF])
    staff_only.is_active = False
    staff_only.save()
    assert handover.choose_colleague(writer, department) is None


def test_preview_refuses_a_move_with_open_work_and_nobody_to_take_it(writer, unit_approver, new_unit, open_work):
    preview = handover.preview_move(writer, new_unit)
    assert preview.colleague is None
    assert preview.refusal.startswith("有未办结的工作（草稿、待审签和退回修改的信息2项）")
    assert "没有担任相同角色的在岗人员可以接手，不能调动" in preview.refusal


# --- The page ---------------------------------------------------------------------------------


def test_the_move_page_offers_the_colleague_the_rule_chooses(client, city_admin, writer, colleague, open_work):
    UserFactory(username="aaa_approver", unit=writer.unit, roles=[Role.UNIT_APPROVER])  # no shared role
    client.force_login(city_admin)
    body = client.get(reverse("person_move", args=[writer.pk])).content.decode()
    assert f'<option value="{colleague.pk}" selected>' in body


# --- The Excel import -------------------------------------------------------------------------


def run_import(tmp_path, data: bytes, *args) -> str:
    path = tmp_path / "dir.xlsx"
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import_directory", str(path), *args, stdout=out)
    return out.getvalue()


def moving(*people) -> bytes:
    """The 人员 sheet only: (user, unit code); no 角色, so the working roles go along."""
    return workbook([], [(u.username, u.full_name or u.username, code, "", "", "", "") for u, code in people])


def test_an_import_that_moves_a_person_previews_and_hands_over_their_work(
    tmp_path, writer, colleague, new_unit, open_work
):
    set_roles(user=writer, roles=[Role.STAFF, ADMIN_ROLE])
    preview = run_import(tmp_path, moving((writer, "530102")), "--dry-run")
    assert "所属单位：昆明市发展和改革委员会 → 昆明市教育体育局" in preview
    work = "交接：草稿、待审签和退回修改的信息2项（《森林防火工作进展》（草稿）；《项目建设情况》（待审签））"
    assert f"{work}交给{colleague.full_name}（colleague）" in preview
    assert "本单位待回复的约稿（仍由本单位办理）1项（约稿“乡村振兴约稿”" in preview
    assert Item.objects.get(pk=open_work["draft"].pk).author == writer  # a dry run writes nothing

    out = run_import(tmp_path, moving((writer, "530102")))
    assert "人员：新建 0，修改 1" in out
    writer.refresh_from_db()
    assert writer.unit == new_unit
    assert writer.role_set == {Role.STAFF}  # working roles go along, an administrator's does not
    assert not RoleGrant.objects.filter(user=writer).exclude(unit=new_unit).exists()
    for name in ("draft", "waiting"):
        assert Item.objects.get(pk=open_work[name].pk).author == colleague
    assert Item.objects.get(pk=open_work["done"].pk).author == writer
    assert "乡村振兴约稿" in Notification.objects.get(recipient=colleague, verb="handover").body
    assert AuditEntry.objects.filter(model="units.user", object_id=str(writer.pk), changes__has_key="unit").exists()
    assert "没有需要修改的内容" in run_import(tmp_path, moving((writer, "530102")))


def test_an_import_refuses_a_move_whose_work_nobody_can_take_and_writes_nothing(
    tmp_path, writer, colleague, new_unit, open_work
):
    # The only colleague with the role moves too: they cannot take the work.
    from django.core.management import CommandError

    with pytest.raises(CommandError) as refused:
        run_import(tmp_path, moving((writer, "530102"), (colleague, "530102")))
    assert "没有导入任何内容" in str(refused.value)
    out = run_import(tmp_path, moving((writer, "530102"), (colleague, "530102")), "--dry-run")
    assert "“昆明市发展和改革委员会”没有担任相同角色的在岗人员可以接手，不能调动" in out
    writer.refresh_from_db()
    colleague.refresh_from_db()
    assert writer.unit.code == "530101" and colleague.unit.code == "530101"
    assert Item.objects.get(pk=open_work["draft"].pk).author == writer


def test_an_import_refuses_a_move_into_a_disabled_unit(tmp_path, writer, new_unit):
    new_unit.is_active = False
    new_unit.save()
    out = run_import(tmp_path, moving((writer, "530102")), "--dry-run")
    assert "“昆明市教育体育局”已停用，不能调入人员。" in out


def test_the_import_page_previews_the_handover_and_applies_it(
    client, city_admin, writer, colleague, new_unit, open_work, django_capture_on_commit_callbacks
):
    client.force_login(city_admin)
    upload = SimpleUploadedFile("通讯录.xlsx", moving((writer, "530102")))
    with django_capture_on_commit_callbacks(execute=True):  # the page queues its task on commit
        job_url = client.post(reverse("directory_import"), {"file": upload})["Location"]
    body = client.get(job_url).content.decode()
    assert "交接：草稿、待审签和退回修改的信息2项" in body and "（colleague）" in body
    token = job_url.rstrip("/").split("/")[-1]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("directory_import_apply", args=[token]), {"mode": "all"})
    writer.refresh_from_db()
    assert writer.unit == new_unit and Item.objects.get(pk=open_work["draft"].pk).author == colleague


# --- The directory: sync and login against the real slapd -------------------------------------


@pytest.fixture
def directory(ldap_server, city, other_city, coded):  # noqa: F811
    with override_settings(**ldap_server.settings()):
        yield ldap_server


@pytest.fixture
def moved_in_directory(other_city):
    """zhang.san works here in 曲靖市 (5303) with a draft; the directory says 昆明市 (5301)."""
    person = UserFactory(username="zhang.san", full_name="张三", unit=other_city, roles=[Role.STAFF, Role.EDITOR])
    person.set_unusable_password()
    person.save()
    return person, draft(person, title="曲靖市项目进展")


def test_the_sync_moves_a_person_whose_unit_changed_in_the_directory_with_the_handover(
    directory, city, other_city, moved_in_directory
):
    person, item = moved_in_directory
    mate = UserFactory(username="qj_staff", unit=other_city, roles=[Role.STAFF])
    out = io.StringIO()
    call_command("sync_directory", "--dry-run", stdout=out)
    assert "所属单位：曲靖市人民政府办公室 → 昆明市人民政府办公室" in out.getvalue()
    assert f"《曲靖市项目进展》（草稿））交给{mate.full_name}（qj_staff）" in out.getvalue()
    call_command("sync_directory", stdout=io.StringIO())
    person.refresh_from_db()
    item.refresh_from_db()
    assert person.unit == city and person.role_set == {Role.STAFF, Role.EDITOR}
    assert item.author == mate and Notification.objects.filter(recipient=mate, verb="handover").exists()


def test_the_sync_refuses_the_move_when_nobody_can_take_the_work(directory, other_city, moved_in_directory):
    person, item = moved_in_directory
    out = io.StringIO()
    call_command("sync_directory", stdout=out)
    assert "“曲靖市人民政府办公室”没有担任相同角色的在岗人员可以接手，不能调动" in out.getvalue()
    person.refresh_from_db()
    assert person.unit == other_city and item.author_id == person.pk


def login(client, username):
    return client.post(reverse("login"), {"username": username, "password": "Dir-pass-2026"}, follow=True)


def test_a_directory_login_moves_the_person_to_the_unit_the_directory_names(
    client, directory, city, other_city, moved_in_directory
):
    person, item = moved_in_directory
    mate = UserFactory(username="qj_staff", unit=other_city, roles=[Role.STAFF])
    login(client, "zhang.san")
    assert int(client.session["_auth_user_id"]) == person.pk
    person.refresh_from_db()
    item.refresh_from_db()
    assert person.unit == city and item.author == mate
    assert not RoleGrant.objects.filter(user=person, unit=other_city).exists()


def test_a_directory_login_keeps_the_unit_when_nobody_can_take_the_work(
    client, directory, other_city, moved_in_directory
):
    person, item = moved_in_directory
    login(client, "zhang.san")
    assert int(client.session["_auth_user_id"]) == person.pk  # signed in, in the old unit
    person.refresh_from_db()
    assert person.unit == other_city and Item.objects.get(pk=item.pk).author == person


# --- The API ----------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def move_url(person) -> str:
    return f"/api/v1/people/{person.pk}/move/"


def test_api_dry_run_previews_the_move_and_changes_nothing(city_admin, writer, colleague, new_unit, open_work):
    response = api(city_admin).post(move_url(writer), {"unit": new_unit.pk, "dry_run": True}, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert not data["applied"] and not data["refused"]
    assert data["handover_to"]["username"] == "colleague"
    work = {w["key"]: w for w in data["work"]}
    assert work["items"]["count"] == 2 and work["items"]["moves"]
    assert not work["commissions"]["moves"] and not work["instruction_feedback"]["moves"]
    assert data["from_unit"]["id"] == writer.unit_id and data["to_unit"]["id"] == new_unit.pk
    writer.refresh_from_db()
    assert writer.unit_id != new_unit.pk and Item.objects.get(pk=open_work["draft"].pk).author == writer


def test_api_moves_a_person_with_the_named_colleague_and_the_roles_given(
    city_admin, writer, colleague, department, new_unit, open_work
):
    other = UserFactory(username="b_staff", unit=department, roles=[Role.STAFF])
    body = {"unit": new_unit.pk, "handover_to": other.pk, "roles": ["staff", "unit_approver"]}
    response = api(city_admin).post(move_url(writer), body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["applied"] and data["person"]["unit"]["id"] == new_unit.pk
    assert data["person"]["roles"] == ["staff", "unit_approver"]
    assert Item.objects.get(pk=open_work["draft"].pk).author == other
    assert AuditEntry.objects.filter(model="submissions.item", object_id=str(open_work["draft"].pk),
                                     actor=city_admin).exists()  # fmt: skip


def test_api_refuses_a_move_nobody_can_take_over_and_bad_input(
    city_admin, writer, unit_approver, outsider, new_unit, open_work
):
    refused = api(city_admin).post(move_url(writer), {"unit": new_unit.pk}, format="json")
    assert refused.status_code == 400
    data = refused.json()
    assert data["code"] == "refused" and data["refused"] and "不能调动" in data["message"]
    assert data["handover_to"] is None and not data["applied"]
    outside = api(city_admin).post(move_url(writer), {"unit": outsider.unit_id}, format="json")
    assert outside.status_code == 400 and "不在您管理的范围内" in outside.json()["message"]
    stranger = api(city_admin).post(move_url(writer), {"unit": new_unit.pk, "handover_to": outsider.pk}, format="json")
    assert stranger.status_code == 400 and "在岗的人员" in stranger.json()["message"]
    same = api(city_admin).post(move_url(writer), {"unit": writer.unit_id, "handover_to": unit_approver.pk},
                                format="json")  # fmt: skip
    assert same.status_code == 400 and "该人员已在这个单位" in same.json()["message"]
    writer.refresh_from_db()
    assert writer.unit.code == "530101"


def test_api_move_is_refused_to_others_and_outside_the_administrators_units(
    city_admin, editor, writer, outsider, new_unit
):
    for user, person in ((editor, writer), (writer, writer), (outsider, writer), (city_admin, outsider),
                         (city_admin, city_admin)):  # fmt: skip
        response = api(user).post(move_url(person), {"unit": new_unit.pk}, format="json")
        assert response.status_code == 404, (user, person)
    writer.refresh_from_db()
    assert writer.unit != new_unit


def test_the_move_endpoint_is_in_the_openapi_schema(client, writer):
    client.force_login(writer)
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/people/{id}/move/"]["post"]
    assert {"200", "400", "404"} <= set(operation["responses"])
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert {"unit", "handover_to", "roles", "dry_run"} <= set(schema["components"]["schemas"][ref]["properties"])


def test_all_routes_call_the_one_move_function():
    """No route moves a person by writing the unit itself: the import, the directory login
    and the API go through units.actions.move_person, as the page does."""
    import inspect

    from govinfo.api import directory as api_directory
    from units import views
    from units.directory import apply, ldap

    for module in (views, apply, ldap, api_directory):
        assert "move_person(" in inspect.getsource(module), module.__name__


# --- A person who left, through the import, the directory sync and the API ---------------------


def test_an_import_that_disables_a_person_hands_their_work_to_the_rules_colleague(
    tmp_path, writer, colleague, new_unit, open_work
):
    rows = workbook([], [(writer.username, writer.full_name, "530101", "", "", "", "否")])
    preview = run_import(tmp_path, rows, "--dry-run")
    work = "交接：草稿、待审签和退回修改的信息2项（《森林防火工作进展》（草稿）；《项目建设情况》（待审签））"
    assert f"{work}交给{colleague.full_name}（colleague）" in preview
    run_import(tmp_path, rows)
    writer.refresh_from_db()
    assert not writer.is_active and Item.objects.get(pk=open_work["draft"].pk).author == colleague
    assert Notification.objects.filter(recipient=colleague, verb="handover").exists()


def test_the_sync_disables_a_leaver_even_when_nobody_can_take_their_work(directory, other_city):
    left = UserFactory(username="wang.left", full_name="王离职", unit=other_city, roles=[Role.STAFF])
    item = draft(left, title="离职前的草稿")
    out = io.StringIO()
    call_command("sync_directory", stdout=out)
    said = "草稿、待审签和退回修改的信息1项无人接手（“曲靖市人民政府办公室”没有担任相同角色的在岗人员），仍在其名下"
    assert said in out.getvalue()
    left.refresh_from_db()
    assert not left.is_active and Item.objects.get(pk=item.pk).author == left


def test_the_api_disable_hands_the_work_over_too(city_admin, writer, colleague, open_work):
    response = api(city_admin).post(
        "/api/v1/directory/people/disable/", {"usernames": [writer.username]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert any("交给" in line for line in response.json()["rows"][0]["changes"])
    writer.refresh_from_db()
    assert not writer.is_active and Item.objects.get(pk=open_work["waiting"].pk).author == colleague
