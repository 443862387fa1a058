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
