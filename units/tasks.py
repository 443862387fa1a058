from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import Notification


@shared_task(name="units.send_notification_emails")
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail the given notifications to recipients who have an address.

    Safe to run twice: each row is claimed by setting emailed_at before sending, so a
    duplicate delivery finds nothing left to send.
    """
    sent = 0
    for pk in notification_ids:
        claimed = Notification.objects.filter(pk=pk, emailed_at=None).update(emailed_at=timezone.now())
        if not claimed:
            continue
        n = Notification.objects.select_related("recipient").get(pk=pk)
        if not n.recipient.email:
            continue
        body = n.body + (f"\n\n{settings.SITE_URL.rstrip('/')}{n.url}" if n.url else "")
        send_mail(f"[政务信息] {n.title}", body, None, [n.recipient.email])
        sent += 1
    return sent


@shared_task(name="units.sync_directory")
def sync_directory() -> dict:
    """Nightly: bring the people in line with the directory (units/directory/ldap.py).

    Takes nothing and compares the whole directory each run, so running it twice changes
    nothing the second time, and a lost run is caught up by the next. Off (returns at
    once) when directory login is not configured."""
    from .directory.ldap import is_enabled
    from .directory.ldap import sync_directory as sync

    if not is_enabled():
        return {"enabled": False}
    plan, result = sync()
    return {"enabled": True, "people": plan.counts()["people"], "applied": result is not None}


@shared_task(name="units.disable_inactive_accounts")
def disable_inactive_accounts() -> int:
    """Daily: disable the accounts nobody has signed in to for the policy's inactive_days
    (from their creation when never used); never deleted, since history points at them.

    Takes nothing and decides from the rows each run, so running it twice disables nobody
    new and a lost run is caught up by the next. Superusers are left alone: they are the
    installation's last way in. Each account disabled is an audit row (and its API tokens
    end, as with any deactivation). Returns the number disabled."""
    import datetime as dt

    from django.db.models import Q

    import audit

    from .models import PasswordPolicy, User

    days = PasswordPolicy.current().inactive_days
    if not days:
        return 0
    cutoff = timezone.now() - dt.timedelta(days=days)
    idle = User.objects.filter(is_active=True, is_superuser=False).filter(
        Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    )
    disabled = 0
    with audit.as_system():
        for person in idle.iterator():
            person.is_active = False
            person.save(update_fields=["is_active"])  # audited as an update, tokens revoked
            audit.record(action="account_disabled_inactive", obj=person, changes={"days": days})
            disabled += 1
    return disabled
