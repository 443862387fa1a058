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
    """The three questions audit asks about people and units."""

    # May this person open the audit record at all (administrators and superusers)?
    can_read: Callable[[Any], bool]
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
) -> None:
    """Install the scope functions; called once by the units app (UnitsConfig.ready())."""
    global _scope
    _scope = Scope(can_read=can_read, administered_units=administered_units, subtree=subtree)


def can_read(user) -> bool:
    """True when `user` may open the audit record; False before the scope is installed."""
    return _scope is not None and _scope.can_read(user)


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
