import datetime as dt

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from submissions.models import Item, ItemVersion, State
from units.models import Notification

from .helpers import category, draft


def _act(client, item, action, comment=""):
    item.refresh_from_db()
    return client.post(reverse("item_act", args=[item.pk, action]), {"version": item.version, "comment": comment})


def test_unit_approver_signs_off_and_the_item_reaches_the_office(
    client, writer, unit_approver, editor, django_capture_on_commit_callbacks
):
    unit_approver.email = "approver@example.gov.cn"
    unit_approver.save()
    item = draft(writer)
    client.force_login(writer)
    with django_capture_on_commit_callbacks(execute=True):
        _act(client, item, "send_for_signoff")
    item.refresh_from_db()
    assert item.state == State.PENDING_SIGNOFF
    assert Notification.objects.filter(recipient=unit_approver, verb="signoff_requested").exists()
    assert mail.outbox and mail.outbox[0].to == ["approver@example.gov.cn"]

    client.force_login(unit_approver)
    queue = client.get(reverse("signoff_queue")).content.decode()
    assert item.title in queue
    assert "通知" in queue and 'id="unread-count">1<' in queue
    response = _act(client, item, "sign_off")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == State.SUBMITTED
    assert item.signed_off_by == unit_approver and item.signed_off_at is not None
    assert item.first_submitted_at == item.submitted_at
    assert ItemVersion.objects.filter(item=item, number=1, kind="writer").exists()
    client.force_login(editor)
    assert item.title in client.get(reverse("desk")).content.decode()


def test_writer_cannot_sign_off_own_item(client, writer):
    item = draft(writer)
    client.force_login(writer)
    _act(client, item, "send_for_signoff")
    response = _act(client, item, "sign_off")
    item.refresh_from_db()
    assert item.state == State.PENDING_SIGNOFF
    assert "您没有权限" in client.get(response.url).content.decode()


def test_send_back_needs_a_comment(client, writer, unit_approver):
    item = draft(writer)
    client.force_login(writer)
    _act(client, item, "send_for_signoff")
    client.force_login(unit_approver)
    page = client.get(_act(client, item, "send_back").url).content.decode()
    assert "请填写退回意见" in page
    _act(client, item, "send_back", "数据请与统计局核对")
    item.refresh_from_db()
    assert item.state == State.DRAFT


def test_approver_of_another_unit_cannot_see_or_sign(client, writer, other_city):
    from tests.factories import UserFactory
    from units.models import Role

    stranger = UserFactory(unit=other_city, roles=[Role.UNIT_APPROVER])
    item = draft(writer)
    client.force_login(writer)
    _act(client, item, "send_for_signoff")
    client.force_login(stranger)
    assert _act(client, item, "sign_off").status_code == 404
    assert item.title not in client.get(reverse("signoff_queue")).content.decode()
    item.refresh_from_db()
    assert item.state == State.PENDING_SIGNOFF


def test_event_reported_two_days_late_is_marked_late(client, writer, unit_approver):
    event_day = timezone.localdate() - dt.timedelta(days=3)
    item = draft(writer, category=category("major"), event_date=event_day)
    client.force_login(writer)
    _act(client, item, "send_for_signoff")
    client.force_login(unit_approver)
    page = client.get(_act(client, item, "sign_off").url).content.decode()
    item.refresh_from_db()
    assert item.is_late and item.deadline == event_day + dt.timedelta(days=1)
    assert "迟报" in page


def test_event_reported_on_time_is_not_late(client, writer, unit_approver):
    item = draft(writer, category=category("major"), event_date=timezone.localdate())
    client.force_login(writer)
    _act(client, item, "send_for_signoff")
    client.force_login(unit_approver)
    _act(client, item, "sign_off")
    assert not Item.objects.get(pk=item.pk).is_late
