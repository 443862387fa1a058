"""Which models are audited, and how.

Apps register their own models from `AppConfig.ready()`, so this app never imports
the apps above it: `audit.register(Item, sealed=("title", "body"), …)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models

# Fields every model leaves out: bookkeeping that changes on every write.
ALWAYS_EXCLUDED = frozenset({"updated_at", "version"})

CORE_ACTIONS = {"create": "新建", "update": "修改", "delete": "删除"}


@dataclass
class Registration:
    model: type[models.Model]
    exclude: frozenset[str] = frozenset()
    # Text that is sealed (encrypted) for 敏感 rows: recorded as "changed", never by value.
    sealed: frozenset[str] = frozenset()
    is_sealed: Callable[[str], bool] | None = None
    unseal: Callable[[str], str] | None = None
    # With `seal`, the values of sealed and private fields of rows that are not (yet)
    # restricted are recorded sealed too, and shown on reading only for objects that
    # `withheld(ids)` does not name: an item that turns 敏感 later leaves no clear text in
    # the append-only record, which can never be rewritten.
    seal: Callable[[str], str] | None = None
    withheld: Callable[[set[str]], set[str]] | None = None
    # Never recorded by value (password hashes).
    secret: frozenset[str] = frozenset()
    # Recorded as "changed" only when `private_when(obj)` holds (e.g. the attachment
    # of a 敏感 item: its file name is not for everyone who reads the record).
    private: frozenset[str] = frozenset()
    private_when: Callable[[models.Model], bool] | None = None
    m2m: tuple[str, ...] = ()
    # The unit an object belongs to (for an administrator's scope); no queries please.
    unit: Callable[[models.Model], int | None] | None = None
    # A short description of the object without queries and without sealed text.
    describe: Callable[[models.Model], str] | None = None
    tracked: dict[str, models.Field] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


_registry: dict[type[models.Model], Registration] = {}
_labels: dict[str, Registration] = {}
_actions: dict[str, str] = dict(CORE_ACTIONS)


def register(
    model: type[models.Model],
    *,
    exclude: Iterable[str] = (),
    sealed: Iterable[str] = (),
    is_sealed: Callable[[str], bool] | None = None,
    unseal: Callable[[str], str] | None = None,
    seal: Callable[[str], str] | None = None,
    withheld: Callable[[set[str]], set[str]] | None = None,
    secret: Iterable[str] = (),
    private: Iterable[str] = (),
    private_when: Callable[[models.Model], bool] | None = None,
    m2m: Iterable[str] = (),
    unit: Callable[[models.Model], int | None] | None = None,
    describe: Callable[[models.Model], str] | None = None,
    actions: dict[str, str] | None = None,
) -> Registration:
    """Audit every save and delete of `model` (and changes of the named m2m fields).

    `actions` adds labels for the verbs this app records explicitly with
    `audit.record(action=…)` (e.g. {"sign_off": "审签并报送"}).
    """
    from . import recording

    excluded = frozenset(exclude) | ALWAYS_EXCLUDED
    reg = Registration(
        model=model,
        exclude=excluded,
        sealed=frozenset(sealed),
        is_sealed=is_sealed,
        unseal=unseal,
        seal=seal,
        withheld=withheld,
        secret=frozenset(secret),
        private=frozenset(private),
        private_when=private_when,
        m2m=tuple(m2m),
        unit=unit,
        describe=describe,
        tracked={
            f.name: f
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in excluded and f.attname not in excluded
        },
    )
    if reg.sealed and not (is_sealed and unseal and describe):
        raise ValueError("sealed fields need is_sealed, unseal and a describe() that leaves them out")
    if reg.private and not private_when:
        raise ValueError("private fields need private_when")
    if seal is not None and not (is_sealed and unseal and withheld):
        raise ValueError("sealing recorded values needs is_sealed, unseal and withheld")
    _registry[model] = reg
    _labels[reg.label] = reg
    if actions:
        register_actions(actions)
    recording.connect(reg)
    return reg


def register_actions(labels: dict[str, str]) -> None:
    """Add labels for actions; a label already given is kept."""
    for key, label in labels.items():
        _actions.setdefault(key, label)


def get(model_or_label) -> Registration | None:
    """The registration of a model, an instance or a label ("units.unit"), or None."""
    if isinstance(model_or_label, str):
        return _labels.get(model_or_label)
    model = model_or_label if isinstance(model_or_label, type) else type(model_or_label)
    return _registry.get(model)


def registrations() -> list[Registration]:
    """Every registration, in the order the apps made them."""
    return list(_registry.values())


def action_labels() -> dict[str, str]:
    """Every known action with its Chinese label."""
    return dict(_actions)


def model_label_choices() -> list[tuple[str, str]]:
    """Choices for the admin filter: (label, Chinese name) per audited model."""
    return sorted(((r.label, str(r.model._meta.verbose_name)) for r in _registry.values()), key=lambda c: c[0])
