from django.urls import reverse


def test_home_shows_each_role_its_section(client, writer, editor, city_admin):
    client.force_login(writer)
    body = client.get(reverse("home")).content.decode()
    assert "撰写信息" in body and "编辑台" not in body and "单位目录" not in body

    client.force_login(editor)
    body = client.get(reverse("home")).content.decode()
    assert "编辑台" in body and "撰写信息" not in body

    client.force_login(city_admin)
    body = client.get(reverse("home")).content.decode()
    assert reverse("unit_directory") in body and "管理后台" in body


def test_person_without_roles_is_told_whom_to_ask(client, department):
    from tests.factories import UserFactory

    nobody = UserFactory(unit=department)
    client.force_login(nobody)
    assert "请联系本单位管理员分配角色" in client.get(reverse("home")).content.decode()


def test_home_counts_what_waits_for_each_role(client, writer, unit_approver, editor):
    from tests.submissions.helpers import act, draft, submitted

    submitted(writer, unit_approver)
    pending = draft(writer, title="待审签的信息")
    act(pending, writer, "send_for_signoff")
    client.force_login(unit_approver)
    assert 'data-count="signoff_queue">1<' in client.get(reverse("home")).content.decode()
    client.force_login(editor)
    assert 'data-count="desk">1<' in client.get(reverse("home")).content.decode()


def test_editors_and_administrators_are_warned_of_a_provisional_calendar(
    client, db, monkeypatch, writer, editor, city_admin, province_admin
):
    import datetime as dt

    from publications.models import CalendarYear
    from tests.publications.calendar_helpers import move_today, treat_as_uncovered

    treat_as_uncovered(monkeypatch, 2027)
    enter = reverse("admin:publications_calendaryear_enter")
    move_today(monkeypatch, dt.date(2026, 10, 15))  # more than 60 days ahead: not yet
    client.force_login(editor)
    assert "data-calendar-warning" not in client.get(reverse("home")).content.decode()

    move_today(monkeypatch, dt.date(2026, 11, 20))
    body = client.get(reverse("home")).content.decode()
    assert 'data-calendar-warning="2027"' in body and "2027年工作日历（暂定）" in body and "42天后开始" in body
    assert enter not in body  # an editor asks the administrator
    client.force_login(city_admin)
    assert 'data-calendar-warning="2027"' in client.get(reverse("home")).content.decode()
    client.force_login(province_admin)
    assert f"{enter}?year=2027" in client.get(reverse("home")).content.decode()
    client.force_login(writer)  # staff do not decide compile days
    assert "data-calendar-warning" not in client.get(reverse("home")).content.decode()

    move_today(monkeypatch, dt.date(2027, 1, 4))
    client.force_login(editor)
    assert "已经开始" in client.get(reverse("home")).content.decode()
    CalendarYear.objects.create(year=2027, notice_text="2027-01-01 休")
    assert "data-calendar-warning" not in client.get(reverse("home")).content.decode()
