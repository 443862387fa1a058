"""Odd input to the admin's date drill-down and to marking a notification read: the
usual error answer, never a 500."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from units.models import Notification, Role


@pytest.fixture
def top_admin(province):
    return UserFactory(username="top_admin", unit=province, roles=[Role.SYSTEM_ADMIN])


@pytest.mark.parametrize("name,field", [("audit_auditentry", "at"), ("publications_calendaroverride", "date")])
@pytest.mark.parametrize(
    "query",
    ["{f}__year=9999", "{f}__year=9999&{f}__month=12", "{f}__year=9999&{f}__month=12&{f}__day=31", "{f}__year=0"],
)
def test_date_drill_down_past_the_calendar_is_a_notice_not_a_500(client, top_admin, name, field, query):
    client.force_login(top_admin)  # tests/conftest.py: force_login passes the second factor
    response = client.get(reverse(f"admin:{name}_changelist") + "?" + query.format(f=field))
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert "e=1" in response["Location"]


def test_marking_a_malformed_notification_id_marks_nothing(client, writer):
    Notification.objects.create(recipient=writer, verb="test", title="一")
    client.force_login(writer)
    response = client.post(reverse("notifications_read"), {"pk": "²"})
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=writer, read_at=None).count() == 1
