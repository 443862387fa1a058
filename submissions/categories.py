"""The categories of the practice guide (docs/domain.md §4) with their timeliness rules:
events within one day ("事件不过日"), monthly progress by the 10th ("进度不过十")."""

CATEGORIES = [
    ("exchange", "交流工作", [
        ("progress", "工作进展", "monthly", 10),
        ("measures", "工作措施", "none", 0),
        ("results", "工作成效", "none", 0),
        ("experience", "工作经验", "none", 0),
    ]),
    ("situation", "反映情况", [
        ("major", "重大事项", "event_days", 1),
        ("emergency", "突发事件", "event_days", 0),
        ("problem", "问题", "event_days", 1),
        ("difficulty", "困难", "none", 0),
        ("practice", "典型做法", "none", 0),
        ("abroad", "境外动态", "event_days", 1),
    ]),
    ("suggestion", "提出建议", [
        ("proposal", "对策建议", "none", 0),
    ]),
]  # fmt: skip


def ensure_categories(Category) -> None:  # noqa: N803  (a model class, real or historical)
    """Create the guide's categories that are missing; existing rows are left as edited."""
    order = 0
    for code, name, children in CATEGORIES:
        parent, _ = Category.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
        order += 1
        for c_code, c_name, rule, days in children:
            Category.objects.get_or_create(
                code=c_code,
                defaults={"name": c_name, "parent": parent, "deadline_rule": rule, "deadline_days": days,
                          "sort_order": order},
            )  # fmt: skip
            order += 1
