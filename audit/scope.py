"""Whose part of the audit record a person may read, as the units app decides it.

audit sits below every app, units included, so it must not ask units itself (units
imports audit to record its changes). Instead units hands over its answers once, in
UnitsConfig.ready(), through `audit.set_scope(...)`. Until then nobody reads anything:
a project without units has no administrators.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class Scope:
    """The questions audit asks about people and units."""

    # May this person open the audit record at all (the three administrators, 三员)?
    can_read: Callable[[Any], bool]
    # Does this person read the whole record of their scope, search it, export it and
    # verify it (the auditor)? The others read only the other administrators' actions.
    reads_all: Callable[[Any], bool]
    # Whose actions a reader who does not read all sees (a QuerySet of users), or None.
    watched_actors: Callable[[Any], QuerySet | None]
    # The units (a QuerySet of units.Unit) whose entries this person may read.
    administered_units: Callable[[Any], QuerySet]
    # A unit and every unit below it (a QuerySet of units.Unit).
    subtree: Callable[[Any], QuerySet]


_scope: Scope | None = None


def set_scope(
    *,
    can_read: Callable[[Any], bool],
    administered_units: Callable[[Any], QuerySet],
    subtree: Callable[[Any], QuerySet],
    reads_all: Callable[[Any], bool] | None = None,
    watched_actors: Callable[[Any], QuerySet | None] | None = None,
) -> None:
    """Install the scope functions; called once by the units app (UnitsConfig.ready()).
    Without `reads_all`, whoever may read reads all."""
    global _scope
    _scope = Scope(
        can_read=can_read,
        administered_units=administered_units,
        subtree=subtree,
        reads_all=reads_all or can_read,
        watched_actors=watched_actors or (lambda user: None),
    )


def can_read(user) -> bool:
    """True when `user` may open the audit record; False before the scope is installed."""
    return _scope is not None and _scope.can_read(user)


def reads_all(user) -> bool:
    """True when `user` reads, searches, exports and verifies the whole record of their scope."""
    return _scope is not None and _scope.can_read(user) and _scope.reads_all(user)


def watched_actors(user) -> QuerySet | None:
    """The people whose actions `user` sees, or None when not narrowed to people."""
    return None if reads_all(user) else _require().watched_actors(user)


def administered_units(user) -> QuerySet:
    """The units whose entries `user` may read (only called once can_read(user) holds)."""
    return _require().administered_units(user)


def subtree(unit) -> QuerySet:
    """`unit` and every unit below it."""
    return _require().subtree(unit)


def _require() -> Scope:
    if _scope is None:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("audit has no scope: the units app calls audit.set_scope() in its ready().")
    return _scope
