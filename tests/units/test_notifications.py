from django.core import mail
from django.urls import reverse

from units.models import Notification
from units.notify import notify
from units.tasks import send_notification_emails


def test_person_sees_only_own_notifications_and_marks_them_read(client, writer, editor):
    notify(recipients=[writer], verb="return", title="退回修改：甲")
    notify(recipients=[editor], verb="x", title="别人的通知")
    client.force_login(writer)
    page = client.get(reverse("notifications")).content.decode()
    assert "退回修改：甲" in page and "别人的通知" not in page
    assert 'id="unread-count">1<' in page
    other = Notification.objects.get(recipient=editor)
    client.post(reverse("notifications_read"), {"pk": other.pk})
    other.refresh_from_db()
    assert other.read_at is None  # someone else's notification is untouched
    client.post(reverse("notifications_read"))
    assert not Notification.objects.filter(recipient=writer, read_at=None).exists()
    assert "unread-count" not in client.get(reverse("notifications")).content.decode()


def test_email_task_is_safe_to_run_twice(writer):
    writer.email = "writer@example.gov.cn"
    writer.save()
    (n,) = notify(recipients=[writer], verb="return", title="退回修改：乙", url="/items/1/")
    assert send_notification_emails([n.pk]) == 1
    assert send_notification_emails([n.pk]) == 0
    assert len(mail.outbox) == 1 and "退回修改：乙" in mail.outbox[0].subject and "/items/1/" in mail.outbox[0].body


def test_notifications_read_refuses_foreign_redirect(client, writer):
    client.force_login(writer)
    response = client.post(reverse("notifications_read"), {"next": "https://evil.example/"})
    assert response.url == reverse("notifications")
