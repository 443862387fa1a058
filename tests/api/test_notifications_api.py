"""The caller's own notifications over the API: list (all or unread), mark one or all read."""

from django.urls import reverse
from rest_framework.test import APIClient

from tests.submissions.helpers import act, submitted
from units.models import Notification
from units.notify import notify

LIST = reverse("api-notification-list")
READ_ALL = reverse("api-notification-read-all")


def api_for(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def test_writer_reads_the_notice_of_a_return(writer, unit_approver, editor):
    item = submitted(writer, unit_approver)
    act(item, editor, "return", comment="请补充数据来源。")
    rows = api_for(writer).get(LIST).json()["results"]
    returned = next(r for r in rows if r["verb"] == "return")
    assert "请补充数据来源" in returned["body"] and returned["is_read"] is False
    response = api_for(writer).post(reverse("api-notification-read", args=[returned["id"]]))
    assert response.status_code == 200 and response.json()["is_read"] is True and response.json()["read_at"]
    again = api_for(writer).post(reverse("api-notification-read", args=[returned["id"]])).json()
    assert again["read_at"] == response.json()["read_at"]  # reading twice keeps the first time
    unread_ids = {r["id"] for r in api_for(writer).get(LIST, {"unread": "1"}).json()["results"]}
    assert returned["id"] not in unread_ids


def test_read_all_marks_only_the_callers_notifications(writer, colleague):
    notify(recipients=[writer, colleague], verb="test", title="通知一")
    notify(recipients=[writer], verb="test", title="通知二")
    response = api_for(writer).post(READ_ALL)
    assert response.status_code == 200 and response.json() == {"marked": 2}
    assert api_for(writer).get(LIST, {"unread": "1"}).json()["count"] == 0
    assert api_for(colleague).get(LIST, {"unread": "1"}).json()["count"] == 1
    assert api_for(writer).get(LIST, {"unread": "maybe"}).json()["count"] == 2  # an unknown value: all of them


def test_another_persons_notification_is_404(writer, outsider):
    (theirs,) = notify(recipients=[outsider], verb="test", title="别人的通知")
    assert api_for(writer).get(LIST).json()["count"] == 0
    response = api_for(writer).post(reverse("api-notification-read", args=[theirs.pk]))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert api_for(writer).post("/api/v1/notifications/abc/read/").status_code == 404


def test_notifications_need_a_login_and_are_paginated(writer):
    for n in range(3):
        notify(recipients=[writer], verb="test", title=f"通知{n}")
    page = api_for(writer).get(LIST, {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["results"][0]["title"] == "通知2"
    assert api_for().get(LIST).status_code == 401
    assert api_for().post(READ_ALL).status_code == 401
    assert api_for(writer).get(READ_ALL).status_code == 405
