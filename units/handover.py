"""Handing over a person's open work when they leave their unit (issue 16).

units cannot import the apps above it (submissions, publications), yet a person's open
work lives there. So this module keeps a registry: each app above names what counts as
open work in a `handover.py` of its own, which calls `register()`; the registry finds
those modules the way the admin finds `admin.py` (autodiscover_modules), on first use.

A provider answers two questions for a person leaving `unit`: what is open (for the
preview), and hand it to a named colleague of that unit (in the caller's transaction).
Work that belongs to the unit rather than to the person (a commission the unit must
answer, an instruction it must report on) stays with the unit; the provider lists it
so that the colleague is told, and hands nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import autodiscover_modules


@dataclass
class OpenWork:
    """One kind of open work of a person, as the preview shows it."""

    key: str
    label: str  # e.g. "草稿和待审签的信息"
    entries: list[str] = field(default_factory=list)  # one line each, in Chinese
    moves: bool = True  # False: stays with the unit, the colleague is told

    @property
    def count(self) -> int:
        return len(self.entries)


@dataclass
class Provider:
    key: str
    label: str
    find: Callable  # (person, unit) -> list[str]
    hand_over: Callable | None = None  # (person, unit, colleague, actor) -> int; None: stays with the unit


_providers: dict[str, Provider] = {}
_discovered = False


def register(key: str, label: str, *, find: Callable, hand_over: Callable | None = None) -> None:
    """Name a kind of open work (from an app's handover.py). `find(person, unit)` lists
    it; `hand_over(person, unit, colleague, actor)` gives it to the colleague and returns
    how many; without hand_over the work stays with the unit and is only listed."""
    _providers[key] = Provider(key=key, label=label, find=find, hand_over=hand_over)


def providers() -> list[Provider]:
    global _discovered
    if not _discovered:
        autodiscover_modules("handover")
        _discovered = True
    return list(_providers.values())


def open_work(person, unit) -> list[OpenWork]:
    """What `person` leaves open in `unit`, per kind (kinds with nothing are left out)."""
    out = []
    for p in providers():
        entries = p.find(person, unit)
        if entries:
            out.append(OpenWork(key=p.key, label=p.label, entries=entries, moves=p.hand_over is not None))
    return out


def hand_over_all(person, unit, colleague, actor) -> dict[str, int]:
    """Give every kind of open work of `person` in `unit` to `colleague`; {key: n}."""
    done = {}
    for p in providers():
        if p.hand_over is not None:
            done[p.key] = p.hand_over(person, unit, colleague, actor)
    return done
