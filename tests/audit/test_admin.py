"""The auditor browses and exports the audit record of their scope; the other two
administrators read each other's actions; nobody else reads anything."""

import contextlib
import csv
import io

import pytest
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from audit import context, exports
from audit.models import AuditEntry
from tests.factories import UnitFactory, UserFactory
from units.models import Role

LIST = "admin:audit_auditentry_changelist"
XLSX = "admin:audit_auditentry_export_xlsx"
CSV = "admin:audit_auditentry_export_csv"


@contextlib.contextmanager
def acting(user):
    request = RequestFactory().post("/admin/")
    request.user = user
    with context.for_request(request):
        yield


@pytest.fixture
def changes(city, department, other_city, writer, outsider, dept_class):
    """Something done in each city, and a system change (no person, no unit)."""
    with acting(writer):
        department.short_name = "市发改委"
        department.save()
    with acting(outsider):
        other_city.short_name = "麒麟"
        other_city.save()
    dept_class.name = "部门A类"
    dept_class.save()
    return {
        "ours": AuditEntry.objects.get(model="units.unit", object_id=str(department.pk), action="update"),
        "theirs": AuditEntry.objects.get(model="units.unit", object_id=str(other_city.pk), action="update"),
        "system": AuditEntry.objects.get(model="units.assessmentclass", action="update"),
    }


def _object_ids(page: str, entries) -> set[str]:
    return {name for name, entry in entries.items() if f"/admin/audit/auditentry/{entry.pk}/" in page}


def test_province_auditor_browses_everything_with_filters(province_auditor, client, province_admin, changes):
    client.force_login(province_auditor)
    page = client.get(reverse(LIST)).content.decode()
    assert _object_ids(page, changes) == {"ours", "theirs", "system"}
    assert "市发改委" in page and "简称" in page  # the change itself, by field name
    assert "导出 Excel" in page and "导出 CSV" in page
    filtered = client.get(reverse(LIST), {"model": "units.assessmentclass"}).content.decode()
    assert _object_ids(filtered, changes) == {"system"}
    system = client.get(reverse(LIST), {"actor_unit": "system"}).content.decode()
    assert _object_ids(system, changes) == {"system"}
    detail = client.get(reverse("admin:audit_auditentry_change", args=[changes["ours"].pk])).content.decode()
    assert "<li>简称：市发展改革委 → 市发改委</li>" in detail
    assert "保存" not in detail  # read-only: nothing to save


def test_city_auditor_sees_only_their_subtree(city_auditor, client, city_admin, outsider, changes, city):
    client.force_login(city_auditor)
    page = client.get(reverse(LIST)).content.decode()
    assert _object_ids(page, changes) == {"ours"}
    foreign = client.get(reverse("admin:audit_auditentry_change", args=[changes["theirs"].pk]))
    assert foreign.status_code == 302 and foreign.url == reverse("admin:index")  # "does not exist"
    response = client.get(reverse(CSV), {"model": "units.unit"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert {r[5] for r in rows[1:]} == {str(city.pk), changes["ours"].object_id}  # created, and changed
    # The other city's auditor, powerful there, sees nothing of this city.
    client.force_login(UserFactory(unit=outsider.unit, roles=[Role.AUDITOR]))
    page = client.get(reverse(LIST)).content.decode()
    assert _object_ids(page, changes) == {"theirs"}


def test_entries_about_a_unit_are_in_scope_whoever_made_them(
    city_auditor, client, city_admin, department, province_admin
):
    with acting(province_admin):  # a province person changes a unit of the city
        department.phone = ""
        department.sort_order = 7
        department.save()
    entry = AuditEntry.objects.get(model="units.unit", object_id=str(department.pk), action="update")
    assert entry.actor_unit_id == province_admin.unit_id  # not in the city's subtree
    client.force_login(city_auditor)
    assert f"/admin/audit/auditentry/{entry.pk}/" in client.get(reverse(LIST)).content.decode()


def test_export_xlsx_matches_the_filtered_list(province_auditor, client, province_admin, changes):
    client.force_login(province_auditor)
    response = client.get(reverse(XLSX), {"model": "units.unit"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == exports.HEADER
    expected = AuditEntry.objects.filter(model="units.unit").select_related("actor_unit").order_by("-at", "-pk")
    assert rows[1:] == [exports.row(e) for e in expected]
    assert len(rows) - 1 == expected.count() >= 2
    theirs = next(r for r in rows if r[5] == changes["theirs"].object_id and r[3] == "修改")
    assert theirs[1].endswith("（outsider）")
    assert theirs[2] == "曲靖市人民政府办公室" and theirs[3] == "修改" and theirs[4] == "单位"
    assert theirs[7] == "简称：曲靖市 → 麒麟"


def test_export_csv_is_streamed_and_matches_the_search(province_auditor, client, province_admin, changes):
    client.force_login(province_auditor)
    response = client.get(reverse(CSV), {"q": "outsider", "model": "units.unit"})
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == exports.HEADER
    assert [r[5] for r in rows[1:]] == [changes["theirs"].object_id]


def test_spreadsheet_formulas_in_recorded_text_stay_text(province_auditor, client, province_admin, department):
    with acting(province_admin):
        department.name = '=HYPERLINK("http://x","点我")'
        department.save()
    client.force_login(province_auditor)
    sheet = load_workbook(io.BytesIO(client.get(reverse(XLSX)).content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert '\'=HYPERLINK("http://x","点我")' in values  # the object's name, kept as text
    assert not any(v.startswith("=") for v in values)


@pytest.mark.parametrize("url", [LIST, XLSX, CSV])
def test_people_who_are_not_administrators_are_refused(client, editor, leader, changes, url):
    for person in (editor, leader):
        client.force_login(person)
        response = client.get(reverse(url))
        assert response.status_code == 302 and reverse("admin:login") in response.url


def test_nobody_can_add_change_or_delete_entries_in_admin(province_auditor, client, province_admin, changes):
    client.force_login(province_auditor)
    entry = changes["ours"]
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    client.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {"actor_name": "某人"})
    assert AuditEntry.objects.get(pk=entry.pk).actor_name == entry.actor_name


def test_list_page_query_count_stays_flat(
    province_auditor, client, province_admin, city, django_assert_max_num_queries
):
    def grow(n):
        for i in range(n):
            with acting(province_admin):
                UnitFactory(parent=city, name=f"新单位{AuditEntry.objects.count()}-{i}")

    grow(3)
    client.force_login(province_auditor)
    client.get(reverse(LIST))  # warm up (session, permissions)
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse(LIST), {"model": "units.unit"}).status_code == 200
    grow(40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse(LIST), {"model": "units.unit"}).content.decode()
    assert page.count("/admin/audit/auditentry/") >= 40


def test_too_large_an_excel_export_asks_for_a_narrower_range(
    province_auditor, client, province_admin, changes, monkeypatch
):
    from audit import admin as audit_admin

    monkeypatch.setattr(audit_admin, "MAX_XLSX_ROWS", 1)
    client.force_login(province_auditor)
    response = client.get(reverse(XLSX), {"model": "units.unit"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(LIST) + "?model=units.unit"
    assert "超过 Excel 导出上限 1 条" in response.content.decode()
    one = client.get(reverse(XLSX), {"model": "units.assessmentclass", "q": "部门A类"})
    assert one.status_code == 200 and one["Content-Type"].startswith("application/vnd.openxmlformats")


def test_system_and_security_administrators_see_only_the_other_administrators_actions(
    client, city, city_admin, city_security_admin, city_auditor, changes
):
    """三员分立: each of the three watches the others; only the auditor reads everything,
    and only the auditor exports."""
    done = {}
    for person in (city_admin, city_security_admin, city_auditor):
        with acting(person):
            city.short_name = f"昆明{person.username}"
            city.save()
        done[person.username] = AuditEntry.objects.filter(model="units.unit", actor=person).latest("pk")
    for reader in (city_admin, city_security_admin):
        client.force_login(reader)
        page = client.get(reverse(LIST)).content.decode()
        seen = {name for name, entry in done.items() if f"/admin/audit/auditentry/{entry.pk}/" in page}
        assert seen == {name for name in done if name != reader.username}  # the other two, not self
        assert _object_ids(page, changes) == set()  # the business record stays the auditor's
        assert "完整的审计记录由安全审计员查阅和导出" in page and reverse(CSV) not in page
        assert client.get(reverse(CSV)).status_code == 403
        assert client.get(reverse(XLSX)).status_code == 403
        own = client.get(reverse("admin:audit_auditentry_change", args=[done[reader.username].pk]))
        assert own.status_code == 302  # their own acts are not theirs to read
    client.force_login(city_auditor)
    page = client.get(reverse(LIST)).content.decode()
    assert all(f"/admin/audit/auditentry/{e.pk}/" in page for e in done.values())
    assert client.get(reverse(CSV)).status_code == 200


def test_the_top_auditor_runs_the_chain_verification_from_the_page(
    client, province_auditor, city_auditor, province_admin, changes, django_capture_on_commit_callbacks
):
    url = reverse("admin:audit_auditentry_verify")
    for refused in (city_auditor, province_admin):  # a city's chain part is not theirs; nor the system admin's
        client.force_login(refused)
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
    client.force_login(province_auditor)
    assert "还没有校验记录" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "已开始校验" in page and "校验一致" in page  # the task ran after commit; its row is listed
    requested = AuditEntry.objects.get(action="audit_verify_requested")
    assert requested.actor == province_auditor
    assert AuditEntry.objects.filter(action="audit_verify", object_repr="校验一致").count() == 1
