"""Human-readable text of an entry's changes, for the admin and the exports.

Uses the model's field names and choice labels only: no queries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from .recording import MASKED
from .registry import action_labels, get

EXTRA_LABELS = {"order": "编排顺序", "roles": "角色"}


def model_label(label: str) -> str:
    """The Chinese name of an audited model label ("units.unit" → 单位)."""
    reg = get(label)
    return str(reg.model._meta.verbose_name) if reg else label


def action_label(action: str) -> str:
    """The Chinese name of an action, or the action itself when it has none."""
    return action_labels().get(action, action)


def _field(label: str, name: str):
    reg = get(label)
    if reg is None:
        return None
    try:
        return reg.model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _name(field, name: str) -> str:
    if field is None or not hasattr(field, "verbose_name"):
        return EXTRA_LABELS.get(name, name)
    verbose = str(field.verbose_name)
    if field.is_relation and verbose == name.replace("_", " "):
        # A relation without a label of its own: name it by what it points to.
        return str(field.related_model._meta.verbose_name)
    return verbose


def _value(field, value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_value(field, v) for v in value) or "（空）"
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            return value
    if field is not None:
        choices = dict(getattr(field, "flatchoices", None) or [])
        if value in choices:
            return str(choices[value])
        if field.is_relation:
            return f"#{value}"
    return str(value)


def _reveal(reg, value, withheld: bool):
    """A recorded value as it may be shown: sealed text opened only when the object's text
    is not withheld now (audit/reveal.py decides, entry by entry)."""
    if reg is None or reg.is_sealed is None or not (isinstance(value, str) and reg.is_sealed(value)):
        return value
    return MASKED if withheld else reg.unseal(value)


def change_lines(label: str, changes: dict, *, withheld: bool = True) -> list[str]:
    """The changes as lines of text. `withheld` (the default, which is the safe one) shows
    the sealed values of an entry as changed without their content."""
    reg = get(label)
    lines = []
    for name, value in (changes or {}).items():
        field = _field(label, name)
        title = _name(field, name)
        if isinstance(value, dict):
            parts = []
            if value.get("added"):
                parts.append("增加 " + "、".join(f"#{v}" for v in value["added"]))
            if value.get("removed"):
                parts.append("移除 " + "、".join(f"#{v}" for v in value["removed"]))
            lines.append(f"{title}：{'；'.join(parts)}")
        elif isinstance(value, list) and len(value) == 2:
            old, new = (_reveal(reg, v, withheld) for v in value)
            if MASKED in (old, new):
                lines.append(f"{title}：已修改（内容不记录）")
            elif old is None:
                lines.append(f"{title}：{_value(field, new)}")
            elif new is None:
                lines.append(f"{title}：{_value(field, old)} → （空）")
            else:
                lines.append(f"{title}：{_value(field, old)} → {_value(field, new)}")
        else:
            lines.append(f"{title}：{_value(field, value)}")
    return lines


def changes_text(entry) -> str:
    """An entry's changes in one line, sealed values withheld as for the page."""
    return "；".join(change_lines(entry.model, entry.changes, withheld=getattr(entry, "withheld", True)))
