"""The security administrator's acts on accounts (三员分立): one-time passwords.

Second factors are reset by units/twofactor/actions.reset_two_factor, lockouts lifted
by units/lockouts.unlock_account; role changes are decided in units/grants.py.
"""

from __future__ import annotations

import secrets

from django.db import transaction

import audit

from .models import User

# No 0/O, 1/l/I: read out over the phone. Upper, lower and digits (three classes) and 14
# characters meet the default policy, and the person must replace it at the next sign-in.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
LENGTH = 14


def one_time_password() -> str:
    while True:
        password = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if (
            any(c.isupper() for c in password)
            and any(c.islower() for c in password)
            and any(c.isdigit() for c in password)
        ):
            return password


@transaction.atomic
def reset_to_one_time_password(*, person: User, by: User) -> str:
    """Give `person` a new random password that must be changed at the next sign-in;
    returns it (shown once, never stored in clear). Their API tokens end with the old
    password (units/signals.py)."""
    password = one_time_password()
    person.set_password(password)
    person.must_change_password = True
    person.save()
    # The save's password hook also recorded a change; this row says whose act it was.
    User.objects.filter(pk=person.pk).update(must_change_password=True)
    audit.record(action="password_reset_one_time", obj=person, actor=by, changes={"must_change_password": [None, True]})
    return password
