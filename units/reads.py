"""Reads that matter go into the audit record too (GB/T 22239 8.1.4.3): opening a 敏感
item, downloading an attachment or an issue's Word or PDF file, and every export.

Here, in the lowest app, so that every app can call the one helper; the labels are
registered with the audit record in UnitsConfig.ready().
"""

from __future__ import annotations

from django.db import models

import audit
from audit.context import actor as current_actor

ACTIONS = {
    "read_sensitive_item": "查看敏感信息",
    "download_attachment": "下载附件",
    "download_issue": "下载刊物文件",
    "export": "导出",
}


def record_read(action: str, obj: models.Model | None = None, *, what: str = "", **detail) -> None:
    """One audit row for one read by the person of the current request (the system in a
    task): `obj` is what was read (an item, an attachment, an issue), or None for an
    export, which `what` names ("积分明细"); `detail` adds small facts (the format, the
    year), never text of the thing read."""
    if action not in ACTIONS:
        raise ValueError(f"unknown read action {action!r}")
    changes = {k: v for k, v in detail.items() if v not in (None, "")}
    if obj is None:
        actor = current_actor()
        audit.record(
            action=action, model="export", object_id="", object_repr=what[:200],
            unit=getattr(actor, "unit_id", None), changes=changes,
        )  # fmt: skip
        return
    if what:
        changes["what"] = what
    audit.record(action=action, obj=obj, changes=changes)
