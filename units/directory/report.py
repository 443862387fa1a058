"""The preview report as text, for the commands (import_directory's format)."""

from .plan import ACTION_LABELS, REFUSED, UNCHANGED, Plan


def preview_lines(plan: Plan, *, all_rows: bool = False, sheets=(("单位", "units"), ("人员", "people"))) -> list[str]:
    """The counts per sheet, then one line per row that changes or is refused (all rows
    with `all_rows`), with the changes or the reasons in Chinese."""
    counts = plan.counts()
    lines = []
    for sheet, key in sheets:
        parts = "，".join(f"{ACTION_LABELS[a]} {n}" for a, n in counts[key].items())
        lines.append(f"{sheet}：{parts}")
    for row in (*plan.units, *plan.people):
        if row.action == UNCHANGED and not all_rows:
            continue
        detail = "；".join(row.reasons if row.action == REFUSED else row.changes)
        line = f"  {row.sheet}第{row.line}行 {row.key} {row.label}：{ACTION_LABELS[row.action]}"
        lines.append(line + (f"（{detail}）" if detail else ""))
    return lines
