"""Deadlines: the one way a scheduled reminder or penalty is sent once.

The scheduled checks (commissions' reminders and penalties, instructions' reminders and
penalties, emergencies' 漏报, monthly progress) run hourly or daily; a run may be
delivered twice, overlap another or catch up after a lost one. Each reminder and each
penalty therefore has a key ("commission:12:unit:5:remind"), and acting on it first
claims the key: a `Reminder` row, unique by key, written in the same transaction as the
act. The act happens once; an act that fails leaves the key free for the next run.

A feature writes its key format once, as a `Key`, and uses it both to narrow its query
to the targets not yet claimed (`Key.claimed()`) and to claim each one (`each_once`).
The keys are the strings the features have always used, so a database upgraded
mid-year does not send anything a second time.
"""

import string
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat

from .models import Reminder

T = TypeVar("T")


def claim(key: str) -> bool:
    """Take `key` once; False if it was taken before — a second delivery of the task, a
    catch-up run or a race (the loser of two concurrent claims waits for the winner's
    commit and then gets False). Call it inside the transaction of the act it guards."""
    try:
        with transaction.atomic():
            Reminder.objects.create(key=key)
    except IntegrityError:
        return False
    return True


def once(key: str, act: Callable[[], bool | None]) -> bool:
    """Claim `key` and run `act` in one transaction; whether the act was done.

    `act` may return False to decline after all (it re-checked the facts under the claim
    and found nothing to do); the key stays claimed, as the fault it named is gone.
    """
    with transaction.atomic():
        if not claim(key):
            return False
        return act() is not False


def each_once(targets: Iterable[T], *, key: Callable[[T], str], act: Callable[[T], bool | None]) -> int:
    """The deadline loop: for each target, claim `key(target)` and `act(target)` in one
    transaction of its own (a failure loses that target's act, never the others').
    Returns how many acts were done."""
    done = 0
    for target in targets:
        if once(key(target), lambda target=target: act(target)):
            done += 1
    return done


def unclaimed(targets: Iterable[T], *, key: Callable[[T], str]) -> list[T]:
    """The targets whose key is not yet taken, in one query: for targets that are not a
    query's rows (a list worked out in Python); a query uses `Key.claimed()` instead."""
    targets = list(targets)
    taken = set(Reminder.objects.filter(key__in=[key(t) for t in targets]).values_list("key", flat=True))
    return [t for t in targets if key(t) not in taken]


class Key:
    """The format of a feature's claim keys, written once for Python and for SQL.

    `Key("commission:{commission_id}:unit:{unit_id}:remind")` names fields of the target
    in braces (plain attribute names, no lookups or format specs); `key(target)` is the
    key of one target and `key.claimed()` the condition "this row's key is taken" for a
    query of such targets.
    """

    def __init__(self, template: str):
        self.template = template
        self.parts: list[tuple[str, str | None]] = []
        for literal, field, spec, conversion in string.Formatter().parse(template):
            if spec or conversion or (field is not None and not field.isidentifier()):
                raise ValueError(f"{template!r}: only plain field names are allowed in a key")
            self.parts.append((literal, field))

    def __call__(self, target: object) -> str:
        return "".join(lit + ("" if field is None else str(getattr(target, field))) for lit, field in self.parts)

    def __repr__(self) -> str:
        return f"Key({self.template!r})"

    def expression(self) -> Concat | Value:
        """The key of the outer query's row, as SQL (fields as `OuterRef`s)."""
        pieces = []
        for literal, field in self.parts:
            if literal:
                pieces.append(Value(literal))
            if field is not None:
                pieces.append(Cast(OuterRef(field), CharField()))
        if len(pieces) == 1:
            return pieces[0]
        return Concat(*pieces, output_field=CharField())

    def claimed(self) -> Exists:
        """True for the rows whose key is taken: `qs.filter(~key.claimed())` leaves out
        the targets already reminded or penalised, so a query does not grow with history."""
        return Exists(Reminder.objects.filter(key=self.expression()))
