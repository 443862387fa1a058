"""Entering the year's official 放假调休 notice in the admin: preview, then confirm."""

import datetime as dt

import pytest
from django.urls import reverse

from publications import calendar, calendar_notice
from publications.models import CalendarOverride, CalendarYear

from .calendar_helpers import move_today, treat_as_uncovered

ENTER = "admin:publications_calendaryear_enter"
NOTICE_2027 = """一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（周五）至12日（周五）放假调休，共8天。2月20日（周六）、2月21日（周日）上班。
三、清明节：2027-04-03至2027-04-05 休
四、劳动节：2027-05-01至2027-05-05 休；2027-04-25 上班
五、端午节：2027-06-09 休
六、中秋节：2027-09-15 休
七、国庆节：2027年10月1日至10月7日放假调休。2027-09-26 上班；2027-10-09 上班"""


@pytest.fixture
def in_late_2026(db, monkeypatch):
    treat_as_uncovered(monkeypatch, 2027)
    move_today(monkeypatch, dt.date(2026, 11, 20))


def preview(client, notice: str, year: int = 2027):
    return client.post(reverse(ENTER), {"year": year, "notice": notice, "preview": "预览日历"})


def confirm(client, response):
    form = response.context["form"]
    data = {"year": form["year"].value(), "notice": form["notice"].value(), "previewed": form["previewed"].value()}
    return client.post(reverse(ENTER), {**data, "confirm": "确认保存"})


def test_notice_round_trip_preview_confirm_and_warning_gone(client, province_admin, in_late_2026):
    client.force_login(province_admin)
    home = client.get(reverse("home")).content.decode()
    assert 'data-calendar-warning="2027"' in home and reverse(ENTER) in home

    page = client.get(reverse(ENTER))
    assert page.status_code == 200 and page.context["form"]["year"].value() == 2027

    shown = preview(client, NOTICE_2027)
    body = shown.content.decode()
    assert shown.status_code == 200 and 'name="confirm"' in body and "2027年日历预览" in body
    assert 'data-date="2027-02-20" data-working="1"' in body  # a make-up Saturday, worked
    assert 'data-date="2027-02-10" data-working="0"' in body  # a bridge day, off
    assert not CalendarOverride.objects.exists() and not CalendarYear.objects.exists()

    saved = confirm(client, shown)
    assert saved.status_code == 302 and saved["Location"] == reverse("admin:publications_calendaryear_changelist")
    record = CalendarYear.objects.get()
    assert record.year == 2027 and record.entered_by == province_admin and "春节" in record.notice_text
    assert CalendarOverride.objects.get(date=dt.date(2027, 2, 20)).is_working_day
    assert CalendarOverride.objects.get(date=dt.date(2027, 2, 5)).note == "春节"
    assert CalendarOverride.objects.filter(is_working_day=False).count() == 3 + 8 + 3 + 5 + 1 + 1 + 7
    assert calendar.calendar_source(2027) == calendar.Source.OFFICIAL
    assert calendar.working_day(dt.date(2027, 2, 10)) == (False, False)
    assert calendar.working_day(dt.date(2027, 9, 26)) == (True, False)  # a Sunday, worked

    listing = client.get(reverse("admin:publications_calendaryear_changelist")).content.decode()
    assert "2027年放假调休通知已保存" in listing and "已录入正式通知" in listing
    assert "data-calendar-warning" not in client.get(reverse("home")).content.decode()


def test_bad_notice_is_refused_in_chinese_and_the_text_kept(client, province_admin, in_late_2026):
    client.force_login(province_admin)
    typed = "元旦：2027-01-01 休\n2027-02-30 休\n2027-02-15 上班\n2027-13 放假"
    response = preview(client, typed)
    body = response.content.decode()
    assert response.status_code == 200 and 'name="confirm"' not in body
    assert "第2行：日期 2027年2月30日 不存在。" in body
    assert "第3行：2027-02-15是星期一，本来就上班" in body
    assert "第4行无法识别" in body
    assert response.context["form"]["notice"].value() == typed and "2027-02-30 休" in body
    assert not CalendarOverride.objects.exists() and not CalendarYear.objects.exists()


def test_a_year_far_off_is_refused(client, province_admin, in_late_2026):
    client.force_login(province_admin)
    response = preview(client, "2035-01-01 休", year=2035)
    assert "年度应在2025年至2028年之间。" in response.content.decode()


def test_text_changed_after_the_preview_is_previewed_again_not_saved(client, province_admin, in_late_2026):
    client.force_login(province_admin)
    shown = preview(client, "2027-01-01 休")
    form = shown.context["form"]
    response = client.post(
        reverse(ENTER),
        {"year": 2027, "notice": "2027-01-01至2027-01-03 休", "previewed": form["previewed"].value(), "confirm": "1"},
    )
    assert response.status_code == 200 and "预览后内容有改动" in response.content.decode()
    assert not CalendarYear.objects.exists()
    assert confirm(client, response).status_code == 302
    assert CalendarOverride.objects.count() == 3


def test_entering_again_replaces_the_years_rows(db, province_admin, monkeypatch):
    treat_as_uncovered(monkeypatch, 2027)
    CalendarOverride.objects.create(date=dt.date(2027, 3, 1), is_working_day=False, note="旧记录")
    calendar_notice.enter_notice(year=2027, text="2026-12-27 上班\n2027-01-01至2027-01-03 休", user=province_admin)
    assert set(CalendarOverride.objects.values_list("date", flat=True)) == {
        dt.date(2026, 12, 27), dt.date(2027, 1, 1), dt.date(2027, 1, 2), dt.date(2027, 1, 3),
    }  # fmt: skip
    calendar_notice.enter_notice(year=2027, text="2027-01-01 休", user=province_admin)
    assert list(CalendarOverride.objects.values_list("date", flat=True)) == [dt.date(2027, 1, 1)]
    assert CalendarYear.objects.get().notice_text == "2027-01-01 休"


def test_a_failed_save_leaves_the_previous_notice(db, province_admin, monkeypatch):
    treat_as_uncovered(monkeypatch, 2027)
    calendar_notice.enter_notice(year=2027, text="2027-01-01 休", user=province_admin)
    with pytest.raises(calendar_notice.NoticeError):
        calendar_notice.enter_notice(year=2027, text="2027-01-01 上班", user=province_admin)
    assert not CalendarOverride.objects.get().is_working_day


def test_city_administrator_and_editor_cannot_enter_the_notice(client, city_admin, editor, in_late_2026):
    client.force_login(city_admin)  # the calendar belongs to the top office
    assert client.get(reverse(ENTER)).status_code == 403
    assert preview(client, "2027-01-01 休").status_code == 403
    client.force_login(editor)
    response = client.post(reverse(ENTER), {"year": 2027, "notice": "2027-01-01 休", "confirm": "1"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not CalendarOverride.objects.exists() and not CalendarYear.objects.exists()


def test_year_calendar_page_marks_the_provisional_calendar(client, city_admin, in_late_2026):
    client.force_login(city_admin)
    body = client.get(reverse("admin:publications_calendaryear_calendar", args=[2027])).content.decode()
    assert "2027年工作日历（暂定）" in body and "尚未录入" in body
    assert 'data-date="2027-02-08" data-working="0"' in body
    assert reverse(ENTER) not in body  # a city administrator cannot enter it
    body = client.get(reverse("admin:publications_calendaryear_calendar", args=[2026])).content.decode()
    assert "（暂定）" not in body and 'data-date="2026-02-14" data-working="1"' in body


def test_parse_reads_the_notices_own_wording():
    entries = calendar_notice.parse(NOTICE_2027, 2027)
    assert entries[dt.date(2027, 1, 3)].note == "元旦"
    assert entries[dt.date(2027, 2, 21)].is_working and entries[dt.date(2027, 2, 21)].note == "春节调休上班"
    assert entries[dt.date(2027, 10, 9)].note == "国庆节调休上班"
    assert calendar_notice.missing_statutory_days(2027, entries) == []
    partial = calendar_notice.parse("2027-01-01 休", 2027)
    assert (dt.date(2027, 10, 1), "国庆节") in calendar_notice.missing_statutory_days(2027, partial)
