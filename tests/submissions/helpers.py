"""Build items the way users do: through the actions."""

from submissions import actions
from submissions.categories import ensure_categories
from submissions.models import Category, Item

BODY = (
    "今年以来，昆明市发展改革委围绕重大项目建设，建立“周调度、月通报”工作机制，推动项目加快落地。"
    "1—10月，全市省级重大项目完成投资486.3亿元，同比增长12.4%，完成年度计划的87.2%。\n"
    "一是强化要素保障。协调解决用地、用林、资金等问题63个，争取地方政府专项债券资金58.6亿元。\n"
    "二是优化审批服务。推行并联审批和容缺受理，项目审批平均用时压缩至28个工作日。\n"
    "三是压实推进责任。对进度滞后的12个项目实行挂牌督办，逐一明确责任单位和完成时限。"
)


def category(code: str = "measures") -> Category:
    # Transactional tests empty the tables, migration data included: load it again.
    ensure_categories(Category)
    return Category.objects.get(code=code)


def data(**overrides) -> actions.ItemData:
    values = {"title": "昆明市重大项目建设提速增效", "body": BODY, "category": category()}
    values.update(overrides)
    return actions.ItemData(**values)


def draft(writer, **overrides) -> Item:
    return actions.create_draft(author=writer, data=data(**overrides))


def act(item: Item, user, action: str, comment: str = "") -> Item:
    item.refresh_from_db()
    return actions.transition(item=item, user=user, action=action, expected_version=item.version, comment=comment)


def submitted(writer, approver, **overrides) -> Item:
    item = draft(writer, **overrides)
    act(item, writer, "send_for_signoff")
    act(item, approver, "sign_off")
    item.refresh_from_db()
    return item
