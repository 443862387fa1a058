"""Accounts locked by too many failed sign-ins (django-axes), and unlocking them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

import audit

from . import access
from .models import LockedAccount, User


def locked_accounts(viewer) -> QuerySet[LockedAccount]:
    """The lockouts in force that `viewer` may see and lift: those of the people whose
    accounts they look after as security administrator (a superuser: all, also names
    that are nobody's)."""
    qs = LockedAccount.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    if settings.AXES_COOLOFF_TIME is not None:
        # A lock older than the cool-off has lifted itself (axes' own rule).
        qs = qs.filter(attempt_time__gte=timezone.now() - dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME)))
    if viewer.is_authenticated and viewer.is_superuser:
        return qs
    return qs.filter(username__in=access.secured_users(viewer).values("username"))


@transaction.atomic
def unlock_account(*, attempt: LockedAccount, by: User) -> None:
    """Lift one lockout (a user name from an address): its failure count is removed, so
    the person may sign in at once; the audit record names the person and who unlocked."""
    person = User.objects.filter(username=attempt.username).first()
    facts = {"username": attempt.username, "ip": attempt.ip_address, "failures": attempt.failures_since_start}
    LockedAccount.objects.filter(pk=attempt.pk).delete()
    if person is not None:
        audit.record(action="account_unlocked", obj=person, actor=by, changes=facts)
    else:
        audit.record(action="account_unlocked", model="units.user", object_id="", object_repr=attempt.username,
                     unit=None, actor=by, changes=facts)  # fmt: skip
