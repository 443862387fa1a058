"""Notifications: in-app rows written in the caller's transaction, e-mail sent by a
Celery task queued after commit."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet

from .models import Notification, Unit, User


def people_with_roles(unit: Unit, roles: Iterable[str]) -> QuerySet[User]:
    """The active people of `unit` who hold any of `roles` there."""
    return User.objects.filter(
        unit=unit, is_active=True, role_grants__unit=unit, role_grants__role__in=list(roles)
    ).distinct()


def notify(*, recipients: Iterable[User], verb: str, title: str, body: str = "", url: str = "") -> list[Notification]:
    """Write one notification per distinct recipient and queue their e-mails."""
    seen: set[int] = set()
    rows = []
    for person in recipients:
        if person.pk in seen:
            continue
        seen.add(person.pk)
        rows.append(Notification(recipient=person, verb=verb, title=title, body=body, url=url))
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created]  # PostgreSQL and SQLite ≥ 3.35 return the new ids
    if ids:
        from .tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(ids))
    return created
