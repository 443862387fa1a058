"""The password policy (GB/T 22239 8.1.4.1), as Django password validators.

The rules and their numbers come from `PasswordPolicy` (admin → 单位与人员 → 密码策略):
length and character classes, no user name or name inside, no repeat of the last few
passwords, an age after which the password must be changed. Django runs the validators
wherever a password is chosen through a form (the password change page, the admin's add
and reset pages), and calls `password_changed` on each
after any password is saved — which is where the history, the expiry date, the
must-change flag for a password set by someone else, and the audit row are written.
"""

from __future__ import annotations

import datetime as dt
import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone

import audit
from audit.context import actor as current_actor

CLASSES = (
    ("大写字母", set(string.ascii_uppercase)),
    ("小写字母", set(string.ascii_lowercase)),
    ("数字", set(string.digits)),
)
# Everything not a letter or digit counts as a symbol (also Chinese punctuation).
KEEP_HISTORY = 24  # rows kept per person: the most the policy may ask for


def _policy():
    from .models import PasswordPolicy

    return PasswordPolicy.current()


def character_classes(password: str) -> int:
    """How many of upper, lower, digit and symbol `password` draws on."""
    chars = set(password)
    count = sum(1 for _, members in CLASSES if chars & members)
    if any(not (c.isascii() and c.isalnum()) for c in password):
        count += 1
    return count


class ComplexityValidator:
    """At least `min_length` characters from at least `min_classes` of the four classes."""

    def validate(self, password: str, user=None) -> None:
        policy = _policy()
        errors = []
        if len(password) < policy.min_length:
            errors.append(
                ValidationError(f"密码太短：至少需要 {policy.min_length} 个字符。", code="password_too_short")
            )
        if character_classes(password) < policy.min_classes:
            errors.append(
                ValidationError(
                    f"密码须包含大写字母、小写字母、数字、符号四类中的至少 {policy.min_classes} 类。",
                    code="password_too_simple",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        policy = _policy()
        return f"至少 {policy.min_length} 个字符，含大写字母、小写字母、数字、符号中的至少 {policy.min_classes} 类。"


class NoUserNameValidator:
    """The password may not contain the user name or the person's name."""

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        lowered = password.casefold()
        username = (getattr(user, "username", "") or "").casefold()
        if len(username) >= 3 and username in lowered:
            raise ValidationError("密码不能包含用户名。", code="password_contains_username")
        full_name = (getattr(user, "full_name", "") or "").strip().casefold()
        if len(full_name) >= 2 and full_name in lowered:
            raise ValidationError("密码不能包含姓名。", code="password_contains_name")

    def get_help_text(self) -> str:
        return "不能包含用户名或姓名。"


class HistoryValidator:
    """Not the current password nor one of the ones before it (`history` in all);
    on every saved password, writes the history row, the expiry date and the audit row."""

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        from .models import PasswordHistory

        count = _policy().history
        # The history's newest row is the current password, unless it was set without
        # the validators (bulk import): then the current one counts first.
        hashes = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[:count])
        if user.password and (not hashes or hashes[0] != user.password):
            hashes = [user.password, *hashes[: count - 1]]
        if any(check_password(password, h) for h in hashes):
            raise ValidationError(f"新密码不能与最近 {count} 次使用过的密码相同。", code="password_reused")

    def get_help_text(self) -> str:
        return f"不能与最近 {_policy().history} 次使用过的密码相同。"

    def password_changed(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        record_password_change(user)


def expiry_from(changed_at: dt.datetime, max_age_days: int) -> dt.datetime | None:
    return changed_at + dt.timedelta(days=max_age_days) if max_age_days else None


def record_password_change(user) -> None:
    """After `user`'s password was saved: keep its hash, start its age, and, when someone
    else set it (an administrator adding the person or resetting the password), make the
    person choose their own at the next sign-in. The person's own change clears that."""
    from .models import PasswordHistory, User

    if not user.has_usable_password():
        return
    latest = PasswordHistory.objects.filter(user=user).values_list("password", flat=True).first()
    if latest == user.password:
        return  # the same save reported twice (a form and the model's save both tell)
    now = timezone.now()
    PasswordHistory.objects.create(user=user, password=user.password)
    stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[KEEP_HISTORY:]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()
    actor = current_actor()
    by_other = actor is not None and actor.pk != user.pk
    fields = {
        "password_changed_at": now,
        "password_expires_at": expiry_from(now, _policy().max_age_days),
        "must_change_password": by_other or (user.must_change_password and actor is None),
    }
    User.objects.filter(pk=user.pk).update(**fields)
    for name, value in fields.items():
        setattr(user, name, value)
    audit.record(
        action="password_reset" if by_other else "password_changed",
        obj=user,
        changes={"must_change_password": [False, True]} if by_other else {},
    )


def password_expired(user, now: dt.datetime | None = None) -> bool:
    """True when `user`'s password is past its expiry date (no query: it is on the row)."""
    expires = getattr(user, "password_expires_at", None)
    return bool(expires is not None and (now or timezone.now()) >= expires)


def apply_max_age(max_age_days: int) -> int:
    """After the policy's age changed: every password's expiry date counted again from
    when it was set. Returns the number of people updated."""
    from django.db.models import DurationField, F, Value

    from .models import User

    people = User.objects.filter(password_changed_at__isnull=False)
    if not max_age_days:
        return people.update(password_expires_at=None)
    age = Value(dt.timedelta(days=max_age_days), output_field=DurationField())
    return people.update(password_expires_at=F("password_changed_at") + age)
