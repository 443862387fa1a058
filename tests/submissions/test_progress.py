"""Monthly progress (一月一报、进度不过十): reminders by the 10th, the late list after it,
and the editors' page of who reported last month's progress on time, late or not at all."""

import datetime as dt
import io
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from submissions.commissions import queries as commissions
from submissions.commissions.exports import progress_xlsx
from submissions.models import Category
from submissions.tasks import check_monthly_progress
from tests.factories import UnitFactory, UserFactory
from units.models import Notification, Reminder, Role, Unit

from .helpers import act, category, draft

# September 2026's progress is due by 10 October 2026.
SEPTEMBER = dt.date(2026, 9, 15)


def at(year, month, day, hour=9, minute=15) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


@pytest.fixture
def farm(city):
    unit = UnitFactory(name="昆明市农业农村局", short_name="市农业农村局", parent=city, sort_order=2)
    UserFactory(username="farm_writer", unit=unit, roles=[Role.STAFF])
    UserFactory(username="farm_approver", unit=unit, roles=[Role.UNIT_APPROVER])
    return unit


@pytest.fixture
def water(city):
    unit = UnitFactory(name="昆明市水务局", short_name="市水务局", parent=city, sort_order=3)
    UserFactory(username="water_writer", unit=unit, roles=[Role.STAFF])
    return unit


def staff_of(unit):
    return unit.members.get(role_grants__role=Role.STAFF)


def approver_of(unit):
    return unit.members.get(role_grants__role=Role.UNIT_APPROVER)


def report_progress(writer, approver, *, event_date=SEPTEMBER, signed_at: dt.datetime, code="progress", title=None):
    item = draft(writer, title=title or f"{event_date:%Y年%m月}工作进展", category=category(code),
                 event_date=event_date)  # fmt: skip
    act(item, writer, "send_for_signoff")
    with mock.patch("django.utils.timezone.now", return_value=signed_at):
        act(item, approver, "sign_off")
    item.refresh_from_db()
    return item


def run(when: dt.datetime, capture) -> dict:
    with capture(execute=True):
        return check_monthly_progress.delay(now=when.isoformat()).get()


# --- Reminders ----------------------------------------------------------------------


def test_units_without_last_months_progress_are_reminded_once_by_the_10th(
    writer, unit_approver, department, farm, django_capture_on_commit_callbacks
):
    report_progress(writer, unit_approver, signed_at=at(2026, 10, 3))
    result = run(at(2026, 10, 5), django_capture_on_commit_callbacks)
    assert result["reminded"] >= 1 and result["listed"] == 0
    assert Reminder.objects.filter(key=f"progress:2026-09:unit:{farm.pk}").exists()
    assert not Reminder.objects.filter(key=f"progress:2026-09:unit:{department.pk}").exists()
    reminded = Notification.objects.filter(verb="progress_due")
    assert {n.recipient for n in reminded.filter(recipient__unit=farm)} == {staff_of(farm), approver_of(farm)}
    assert not reminded.filter(recipient__unit=department).exists()
    assert "2026年9月工作进展" in reminded.first().title

    again = run(at(2026, 10, 10, 18), django_capture_on_commit_callbacks)  # the 10th is still in time
    assert again["reminded"] == 0
    assert reminded.filter(recipient__unit=farm).count() == 2  # one each for the writer and the approver


def test_progress_of_other_categories_or_months_does_not_count(
    writer, unit_approver, department, django_capture_on_commit_callbacks
):
    report_progress(writer, unit_approver, signed_at=at(2026, 10, 2), code="measures", title="工作措施不算进展")
    report_progress(writer, unit_approver, signed_at=at(2026, 10, 2), event_date=dt.date(2026, 8, 20),
                    title="八月的进展")  # fmt: skip
    item = draft(writer, title="未报送的草稿", category=category("progress"), event_date=SEPTEMBER)
    assert item.pk
    run(at(2026, 10, 4), django_capture_on_commit_callbacks)
    assert Reminder.objects.filter(key=f"progress:2026-09:unit:{department.pk}").exists()


def test_after_the_10th_units_are_not_reminded_but_editors_get_the_late_list_once(
    editor, department, farm, django_capture_on_commit_callbacks
):
    result = run(at(2026, 10, 11), django_capture_on_commit_callbacks)
    assert result["reminded"] == 0 and result["listed"] >= 1
    assert not Notification.objects.filter(verb="progress_due").exists()
    late = Notification.objects.get(verb="progress_late", recipient=editor)
    assert "2 个单位未按时报送" in late.title
    assert department.display_name in late.body and farm.display_name in late.body
    assert late.url == f"{reverse('progress_status')}?month=2026-09"
    run(at(2026, 10, 12), django_capture_on_commit_callbacks)
    assert Notification.objects.filter(verb="progress_late", recipient=editor).count() == 1


def test_january_reminds_for_december(writer, department, django_capture_on_commit_callbacks):
    run(at(2027, 1, 4), django_capture_on_commit_callbacks)
    assert Reminder.objects.filter(key=f"progress:2026-12:unit:{department.pk}").exists()


def test_deadline_follows_the_category_rule(department):
    assert commissions.progress_deadline(2026, 9) == dt.date(2026, 10, 10)
    Category.objects.filter(code="progress").update(deadline_days=5)
    assert commissions.progress_deadline(2026, 9) == dt.date(2026, 10, 5)


# --- The editors' page ------------------------------------------------------------------


def test_progress_page_lists_on_time_late_and_missing(client, editor, writer, unit_approver, department, farm, water):
    report_progress(writer, unit_approver, signed_at=at(2026, 10, 10, 23, 59))
    report_progress(staff_of(farm), approver_of(farm), signed_at=at(2026, 10, 11, 8, 0))
    client.force_login(editor)
    page = client.get(reverse("progress_status"), {"month": "2026-09"}).content.decode()
    assert f'data-unit="{department.pk}" data-status="on_time"' in page
    assert f'data-unit="{farm.pk}" data-status="late"' in page
    assert f'data-unit="{water.pk}" data-status="missing"' in page
    assert "2026年10月10日" in page

    late_only = client.get(reverse("progress_status"), {"month": "2026-09", "status": "late"}).content.decode()
    assert farm.name in late_only and water.name not in late_only


def test_progress_page_defaults_to_last_month_and_ignores_a_bad_month(client, editor, department):
    client.force_login(editor)
    year, month = commissions.previous_month(timezone.localdate())
    expected = f'value="{year}-{month:02d}"'
    assert expected in client.get(reverse("progress_status")).content.decode()
    assert expected in client.get(reverse("progress_status"), {"month": "2026-13"}).content.decode()


def test_current_month_not_yet_due_is_pending_not_missing(client, editor, department):
    client.force_login(editor)
    today = timezone.localdate()
    page = client.get(reverse("progress_status"), {"month": f"{today:%Y-%m}"}).content.decode()
    assert f'data-unit="{department.pk}" data-status="pending"' in page


def test_progress_page_is_for_editors_of_the_office(client, writer, leader, other_editor, department):
    for someone in (writer, leader):
        client.force_login(someone)
        assert client.get(reverse("progress_status")).status_code == 403
    client.force_login(other_editor)
    page = client.get(reverse("progress_status"), {"month": "2026-09"}).content.decode()
    assert department.name not in page  # another office sees only its own child units


def test_progress_export(client, editor, writer, unit_approver, department, farm):
    report_progress(writer, unit_approver, signed_at=at(2026, 10, 9))
    client.force_login(editor)
    response = client.get(reverse("progress_status"), {"month": "2026-09", "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {r[0]: r[1] for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows == {department.name: "按时报送", farm.name: "未报送"}


@pytest.mark.parametrize("name", ["=1+1", "\t=1+1", '\r=HYPERLINK("http://x")', "@SUM(A1)", "+1", "-1"])
def test_progress_export_keeps_formula_like_unit_names_as_text(name):
    # A pure builder: no database, unsaved units.
    office = Unit(name=name)
    report = commissions.ProgressReport(
        year=2026, month=9, deadline=dt.date(2026, 10, 10),
        rows=[commissions.ProgressRow(Unit(name=name), commissions.MISSING, None, 0)],
    )  # fmt: skip
    sheet = load_workbook(io.BytesIO(progress_xlsx(report, office))).active
    assert sheet["A3"].value == "'" + name
    assert sheet["A3"].data_type == "s"
    assert sheet["A1"].value.startswith("'" + name)


def test_progress_page_query_count_does_not_grow_with_units(
    client, editor, writer, unit_approver, city, django_assert_max_num_queries
):
    report_progress(writer, unit_approver, signed_at=at(2026, 10, 9))
    client.force_login(editor)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("progress_status"), {"month": "2026-09"})
    for i in range(20):
        UnitFactory(name=f"昆明市测试局{i}", parent=city)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("progress_status"), {"month": "2026-09"}).content.decode()
    assert "昆明市测试局19" in page
