"""The audit record: every change to items, issues, schemes, quotas, people and roles.

The public API, importable before the app registry is ready:

    audit.register(Model, …)          from an app's AppConfig.ready()
    audit.record(action=…, obj=…, changes={field: [old, new]}, actor=…)
    audit.record_many([{action=…, obj=…, changes=…}, …])   bulk work: one INSERT per batch
    audit.creation_changes(obj)       the changes a create records, for bulk_create
    audit.changes_of(obj, {field: new})   for a QuerySet.update() about to happen
    with audit.suspended(): …          bulk loads only
    audit.set_scope(can_read=…, administered_units=…, subtree=…)   once, by the units app
"""

from .context import as_system, suspended
from .scope import set_scope


def register(model, **options):
    """Audit every change to `model` (see audit/registry.py for the options)."""
    from .registry import register as _register

    return _register(model, **options)


def register_actions(labels: dict[str, str]) -> None:
    """Chinese labels for actions beyond create/update/delete (e.g. two_factor_reset)."""
    from .registry import register_actions as _register_actions

    _register_actions(labels)


def record(**kwargs):
    """Write one entry now (see audit/recording.py); returns it, or None while suspended
    or when an "update" changed nothing."""
    from .recording import record as _record

    return _record(**kwargs)


def record_many(entries, **kwargs) -> int:
    """Write many entries, each the keyword arguments of record(), one INSERT per batch
    (see audit/recording.py); the same rows record() would write one by one."""
    from .recording import record_many as _record_many

    return _record_many(entries, **kwargs)


def creation_changes(obj) -> dict:
    """{field: [None, value]} as the receiver records a create: for bulk_create."""
    from .recording import creation_changes as _creation_changes

    return _creation_changes(obj)


def update_changes(obj, old: dict, names=None) -> dict:
    """{field: [old, value now]} over the tracked fields, as a save records: for bulk_update."""
    from .recording import update_changes as _update_changes

    return _update_changes(obj, old, names)


def changes_of(obj, fields: dict) -> dict:
    """{field: [value on `obj` now, new value]} for a QuerySet.update(**fields) about to run."""
    from .recording import changes_of as _changes_of

    return _changes_of(obj, fields)


def cached(obj, name: str):
    """The related object `name` of `obj` if already loaded, else None (no query)."""
    field = obj._meta.get_field(name)
    return field.get_cached_value(obj, None) if field.is_cached(obj) else None


def unit_via(fk: str, attr: str):
    """A `unit=` callable for register(): the unit is `attr` of the related object `fk`
    (e.g. unit_via("scheme", "office_id")), read from the loaded object when it is
    there, else with one small query."""

    def unit_of(obj):
        related = cached(obj, fk)
        if related is not None:
            return getattr(related, attr)
        field = obj._meta.get_field(fk)
        pk = getattr(obj, field.attname)
        if pk is None:
            return None
        return field.related_model._base_manager.filter(pk=pk).values_list(attr, flat=True).first()

    return unit_of


__all__ = [
    "as_system",
    "cached",
    "changes_of",
    "creation_changes",
    "record",
    "record_many",
    "register",
    "register_actions",
    "set_scope",
    "suspended",
    "unit_via",
    "update_changes",
]
