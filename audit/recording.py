"""Writing the audit record: the signal receivers for registered models and the
explicit `record()` for changes made with `QuerySet.update()`, which fires no signal;
`record_many()` writes the same rows for bulk work, one INSERT per batch.

Each change costs one INSERT in the transaction of the change itself; an update saved
through the ORM costs one SELECT more (the old values, read in pre_save), only for
registered models and only for the fields being saved.
"""

from __future__ import annotations

import datetime as dt
import decimal
import ipaddress
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.expressions import Combinable
from django.db.models.fields.files import FieldFile
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from . import context
from .registry import Registration, get

MASKED = "***"  # a value that is never written down (sealed text, password hashes)
MAX_TEXT = 1000  # longer text is cut: the record says what changed, versions keep the text


class _Current:
    def __repr__(self) -> str:
        return "CURRENT"


CURRENT: Any = _Current()  # "take it from the request context"


# --- Values -------------------------------------------------------------------------


def _normalise(field: models.Field | None, value):
    """The Python value of a field as stored, so "5" and Decimal("5.0") compare equal."""
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, models.Model):
        return value.pk
    if field is None or value is None:
        return value
    try:
        value = field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return value
    if isinstance(field, models.DecimalField) and isinstance(value, decimal.Decimal) and value.is_finite():
        value = value.quantize(decimal.Decimal(1).scaleb(-field.decimal_places))
    return value


def jsonable(value):
    """A value the JSON column keeps as it reads: text, numbers, lists."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + f"…（共{len(value)}字）"
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def _empty(value) -> bool:
    return value is None or value == ""


def _plain(reg: Registration, value):
    return reg.unseal(value) if isinstance(value, str) and reg.is_sealed(value) else value


def _is_sealed(reg: Registration, value) -> bool:
    return isinstance(value, str) and bool(reg.is_sealed(value))


def _sealed_value(reg: Registration, value):
    """A value of a sealed or private field as recorded when the row is not restricted
    (yet): sealed, so that the record holds no clear text if it becomes restricted."""
    if _empty(value):
        return None
    return reg.seal(str(jsonable(value)))


def _pair(reg: Registration | None, name: str, old, new, private: bool = False) -> list | None:
    """[old, new] as recorded, or None when nothing changed."""
    field = reg.tracked.get(name) if reg else None
    old, new = _normalise(field, old), _normalise(field, new)
    if reg is not None and name in reg.sealed and (_is_sealed(reg, old) or _is_sealed(reg, new)):
        # Compared in memory only: sealed text is decrypted for this test and never stored.
        if _plain(reg, old) == _plain(reg, new):
            return None
        return [None if _empty(old) else MASKED, None if _empty(new) else MASKED]
    if old == new:
        return None
    if reg is not None and (name in reg.secret or private and name in reg.private):
        return [None if _empty(old) else MASKED, None if _empty(new) else MASKED]
    if reg is not None and reg.seal is not None and (name in reg.sealed or name in reg.private):
        return [_sealed_value(reg, old), _sealed_value(reg, new)]
    return [jsonable(old), jsonable(new)]


def sanitise(
    reg: Registration | None, changes: dict[str, Any] | None, obj: models.Model | None = None
) -> dict[str, Any]:
    """Changes as recorded: unchanged pairs dropped, sealed and secret values masked."""
    out: dict[str, Any] = {}
    private = bool(reg is not None and reg.private and obj is not None and reg.private_when(obj))
    for name, value in (changes or {}).items():
        if reg is not None and name in reg.exclude:
            continue
        if isinstance(value, list | tuple) and len(value) == 2:
            pair = _pair(reg, name, value[0], value[1], private)
            if pair is not None:
                out[name] = pair
        else:
            out[name] = jsonable(value)
    return out


def changes_of(obj: models.Model, fields: dict[str, Any]) -> dict[str, list]:
    """{field: [value on `obj` now, value in `fields`]} for a `QuerySet.update(**fields)`
    about to be applied to `obj`; expressions such as F("version") + 1 are left out."""
    out = {}
    for name, new in fields.items():
        if isinstance(new, Combinable):
            continue
        field = obj._meta.get_field(name)
        out[name] = [getattr(obj, field.attname), new]
    return out


def _values(reg: Registration, obj: models.Model, names) -> dict[str, Any]:
    return {n: getattr(obj, reg.tracked[n].attname) for n in names}


# --- Writing ------------------------------------------------------------------------


def _actor_fields(actor) -> dict[str, Any]:
    if actor is None:
        from .models import SYSTEM_ACTOR

        return {"actor": None, "actor_name": SYSTEM_ACTOR, "actor_unit_id": None}
    full_name = getattr(actor, "full_name", "") or ""
    name = f"{full_name}（{actor.username}）" if full_name else actor.username
    return {"actor_id": actor.pk, "actor_name": name[:150], "actor_unit_id": getattr(actor, "unit_id", None)}


def _request_fields(ctx: context.Context) -> dict[str, Any]:
    request = ctx.request
    if request is None:
        return {}
    ip = context.client_ip(request)
    try:
        ip = str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:
        ip = None
    return {"ip": ip, "path": request.path[:300], "request_id": ctx.request_id}


def describe(reg: Registration | None, obj: models.Model) -> str:
    """How an object is named in the record (its registration's `describe`, else str), cut to 200."""
    text = reg.describe(obj) if reg is not None and reg.describe is not None else str(obj)
    return (text or "")[:200]


def _entry(
    *,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    actor=CURRENT,
    model: str | None = None,
    object_id: Any = None,
    object_repr: str | None = None,
    unit: Any = CURRENT,
):
    """The unsaved entry record() would write, or None when it writes nothing."""
    from .models import AuditEntry

    ctx = context.current()
    if ctx.suspended:
        return None
    reg = get(obj if obj is not None else model) if (obj is not None or model) else None
    recorded = sanitise(reg, changes, obj)
    if action == "update" and not recorded:
        return None
    if actor is CURRENT:
        actor = context.actor()
    if unit is CURRENT:
        unit = reg.unit(obj) if reg is not None and reg.unit is not None and obj is not None else None
    if isinstance(unit, models.Model):
        unit = unit.pk
    return AuditEntry(
        action=action,
        model=model or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(object_id if object_id is not None else (obj.pk if obj is not None else ""))[:64],
        object_repr=(object_repr if object_repr is not None else describe(reg, obj) if obj is not None else "")[:200],
        unit_id=unit,
        changes=recorded,
        **_actor_fields(actor),
        **_request_fields(ctx),
    )


def record(
    *,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    actor=CURRENT,
    model: str | None = None,
    object_id: Any = None,
    object_repr: str | None = None,
    unit: Any = CURRENT,
):
    """Write one audit entry, in the caller's transaction.

    `changes` is {field: [old, new]} with the values as stored; unchanged pairs are
    dropped and sealed or secret fields masked by the model's registration. An
    "update" that changed nothing writes nothing. `actor` defaults to the person of
    the current request (None: the system).
    """
    entry = _entry(
        action=action, obj=obj, changes=changes, actor=actor, model=model,
        object_id=object_id, object_repr=object_repr, unit=unit,
    )  # fmt: skip
    if entry is not None:
        entry.save(force_insert=True)
    return entry


BULK_BATCH = 1000


def record_many(entries: Iterable[dict[str, Any]], *, batch_size: int = BULK_BATCH) -> int:
    """Write many entries, each given as the keyword arguments of record(), with one
    INSERT per `batch_size` entries, in the caller's transaction.

    The rows are the ones record() would write one by one (same sanitising, masking,
    actor, unit and request fields, same skipping of empty updates), in the same order.
    For bulk work (bulk_create, bulk_update), which sends no signals. Returns the number
    of entries written."""
    from .models import AuditEntry

    written = 0
    batch: list = []
    for kwargs in entries:
        entry = _entry(**kwargs)
        if entry is None:
            continue
        batch.append(entry)
        if len(batch) >= batch_size:
            AuditEntry.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    if batch:
        AuditEntry.objects.bulk_create(batch)
        written += len(batch)
    return written


def creation_changes(obj: models.Model) -> dict[str, list]:
    """{field: [None, value]} for a registered object just created, as the post_save
    receiver records it: for objects created with bulk_create, which sends no signal."""
    reg = get(type(obj))
    new = _values(reg, obj, reg.tracked)
    return {n: [None, v] for n, v in new.items() if not _empty(_normalise(reg.tracked[n], v))}


def update_changes(obj: models.Model, old: dict[str, Any], names=None) -> dict[str, list]:
    """{field: [old value, value on `obj` now]} over the registered fields `names`
    (default: all tracked), `old` keyed by field name with stored values (attnames'
    values): what the pre_save/post_save receivers record for a save, for objects
    written with bulk_update."""
    reg = get(type(obj))
    names = list(reg.tracked) if names is None else [n for n in names if n in reg.tracked]
    return {n: [old[n], getattr(obj, reg.tracked[n].attname)] for n in names}


# --- Receivers ----------------------------------------------------------------------

_OLD = "_audit_old"


def _pre_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    instance.__dict__.pop(_OLD, None)
    if raw or context.is_suspended() or instance._state.adding or instance.pk is None:
        return
    reg = get(sender)
    names = list(reg.tracked)
    if update_fields is not None:
        wanted = set(update_fields)
        names = [n for n in names if n in wanted or reg.tracked[n].attname in wanted]
    if not names:
        instance.__dict__[_OLD] = {}
        return
    old = sender._base_manager.filter(pk=instance.pk).values(*names).first()
    if old is not None:
        instance.__dict__[_OLD] = old


def _post_save(sender, instance, created=False, raw=False, **kwargs) -> None:
    if raw or context.is_suspended():
        return
    reg = get(sender)
    old = instance.__dict__.pop(_OLD, None)
    if created:
        new = _values(reg, instance, reg.tracked)
        changes = {n: [None, v] for n, v in new.items() if not _empty(_normalise(reg.tracked[n], v))}
        record(action="create", obj=instance, changes=changes)  # as creation_changes()
        return
    if not old:
        return
    new = _values(reg, instance, old)
    record(action="update", obj=instance, changes={n: [old[n], new[n]] for n in old})


def _post_delete(sender, instance, **kwargs) -> None:
    if context.is_suspended():
        return
    reg = get(sender)
    old = _values(reg, instance, reg.tracked)
    changes = {n: [v, None] for n, v in old.items() if not _empty(_normalise(reg.tracked[n], v))}
    record(action="delete", obj=instance, changes=changes)


_m2m_fields: dict[type[models.Model], tuple[Registration, str]] = {}


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if context.is_suspended() or sender not in _m2m_fields:
        return
    reg, name = _m2m_fields[sender]
    if action == "pre_clear":
        # What a clear removes is known only before it happens.
        if reverse:
            ids = reg.model._base_manager.filter(**{name: instance}).values_list("pk", flat=True)
        else:
            ids = getattr(instance, name).values_list("pk", flat=True)
        instance.__dict__[f"_audit_clear_{name}"] = sorted(ids)
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action == "post_clear":
        pk_set = instance.__dict__.pop(f"_audit_clear_{name}", [])
    if not pk_set:
        return
    key = "added" if action == "post_add" else "removed"
    if not reverse:
        record(action="update", obj=instance, changes={name: {key: sorted(pk_set)}})
        return
    # Changed from the other side (e.g. person.sensitive_items.add(item)): one entry per
    # audited object, without loading them.
    for pk in sorted(pk_set):
        record(action="update", model=reg.label, object_id=pk, object_repr="", unit=None,
               changes={name: {key: [instance.pk]}})  # fmt: skip


def connect(reg: Registration) -> None:
    """Listen to the model's saves, deletes and many-to-many changes for its registration."""
    uid = f"audit:{reg.label}"
    pre_save.connect(_pre_save, sender=reg.model, dispatch_uid=f"{uid}:pre_save", weak=False)
    post_save.connect(_post_save, sender=reg.model, dispatch_uid=f"{uid}:post_save", weak=False)
    post_delete.connect(_post_delete, sender=reg.model, dispatch_uid=f"{uid}:post_delete", weak=False)
    for name in reg.m2m:
        through = reg.model._meta.get_field(name).remote_field.through
        _m2m_fields[through] = (reg, name)
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"{uid}:m2m:{name}", weak=False)
