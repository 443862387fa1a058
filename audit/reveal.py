"""Which entries may show their sealed values: those about objects whose text is not
withheld now. An item written as 内部 and made 敏感 later keeps its earlier entries, but
from then on they read "changed" like the later ones (the registration's `withheld`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice

from .registry import get

CHUNK = 500


def _has_sealed(reg, changes) -> bool:
    for value in (changes or {}).values():
        if isinstance(value, list) and any(isinstance(v, str) and reg.is_sealed(v) for v in value):
            return True
    return False


def mark(entries: Iterable) -> list:
    """Set `entry.withheld` on each of `entries` (one query per audited model among them)."""
    entries = list(entries)
    wanted: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        reg = get(entry.model)
        entry.withheld = True
        if reg is not None and reg.withheld is not None and _has_sealed(reg, entry.changes):
            wanted[entry.model].add(entry.object_id)
    withheld = {label: get(label).withheld(ids) for label, ids in wanted.items()}
    for entry in entries:
        if entry.model in withheld:
            entry.withheld = entry.object_id in withheld[entry.model]
    return entries


def marked(entries: Iterable) -> Iterator:
    """`mark` over a long stream (an export), a chunk at a time."""
    it = iter(entries)
    while chunk := list(islice(it, CHUNK)):
        yield from mark(chunk)
