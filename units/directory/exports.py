"""The current directory in the import template (export, edit, import again)."""

import io
from collections.abc import Iterable

from common.spreadsheets import safe_cell

from .template import KIND_LABELS, NO, ROLE_LABELS, ROLE_SEPARATOR, YES, new_workbook

ROLE_ORDER = list(ROLE_LABELS)


def unit_code(unit: dict) -> str:
    """A unit's code; one created by hand has none and is exported as U<id>, which the
    import matches by name under its parent and then keeps as the unit's code."""
    return unit["code"] or f"U{unit['id']}"


def _parent_code(unit: dict, codes: dict[int, str]) -> str:
    if not unit["parent_id"]:
        return ""
    # The exporter's own unit: its parent is not in the file, but its code places it.
    return codes.get(unit["parent_id"]) or unit.get("parent_code") or f"U{unit['parent_id']}"


def directory_xlsx(units: Iterable[dict], people: Iterable[dict]) -> bytes:
    """units: dicts of id, code, name, short_name, parent_id, kind, class_name,
    sort_order, is_active (parents before children); people: username, full_name,
    unit_id, roles (list), phone, email, is_active. Pure: no database."""
    wb, unit_ws, person_ws = new_workbook()
    codes: dict[int, str] = {}
    for u in units:
        codes[u["id"]] = unit_code(u)
        unit_ws.append([safe_cell(v) for v in (
            codes[u["id"]], u["name"], u["short_name"], _parent_code(u, codes),
            KIND_LABELS.get(u["kind"], u["kind"]), u["class_name"] or "", u["sort_order"],
            YES if u["is_active"] else NO,
        )])  # fmt: skip
    for p in people:
        roles = ROLE_SEPARATOR.join(ROLE_LABELS[r] for r in sorted(p["roles"], key=ROLE_ORDER.index))
        person_ws.append([safe_cell(v) for v in (
            p["username"], p["full_name"], codes.get(p["unit_id"], ""), roles, p["phone"], p["email"],
            YES if p["is_active"] else NO,
        )])  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
