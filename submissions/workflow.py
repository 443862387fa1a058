"""The transition table: which act moves an item from which states to which, by whom.

Actions consult this table and nothing else, so the rules live in one place
(as Oscar's order status pipeline does). Scope: a role held in the item's own unit
("unit") or in the office that receives it ("office").
"""

from dataclasses import dataclass

from units.models import Role

from .models import State


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    role: str
    scope: str  # "unit" or "office"
    needs_comment: bool = False
    comment_label: str = "意见"


def _t(action, label, sources, target, role, scope, needs_comment=False, comment_label="意见") -> Transition:
    return Transition(action, label, frozenset(sources), target, role, scope, needs_comment, comment_label)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("send_for_signoff", "提交审签", {State.DRAFT, State.RETURNED}, State.PENDING_SIGNOFF, Role.STAFF, "unit"),
        _t("withdraw", "撤回", {State.PENDING_SIGNOFF}, State.DRAFT, Role.STAFF, "unit"),
        _t("sign_off", "审签并报送", {State.PENDING_SIGNOFF}, State.SUBMITTED, Role.UNIT_APPROVER, "unit"),
        _t("send_back", "退回撰写人", {State.PENDING_SIGNOFF}, State.DRAFT, Role.UNIT_APPROVER, "unit",
           needs_comment=True, comment_label="退回意见"),
        _t("start_review", "开始编辑", {State.SUBMITTED}, State.IN_REVIEW, Role.EDITOR, "office"),
        _t("return", "退回修改", {State.SUBMITTED, State.IN_REVIEW, State.HELD}, State.RETURNED, Role.EDITOR,
           "office", needs_comment=True, comment_label="修改意见"),
        _t("reject", "退稿", {State.SUBMITTED, State.IN_REVIEW, State.HELD}, State.REJECTED, Role.EDITOR, "office",
           needs_comment=True, comment_label="退稿理由"),
        _t("hold", "备用", {State.SUBMITTED, State.IN_REVIEW}, State.HELD, Role.EDITOR, "office"),
    ]
}  # fmt: skip

# States in which the writer's unit may change the text.
WRITER_EDITABLE = frozenset({State.DRAFT, State.RETURNED})
# States in which the office's editors may change the text.
EDITOR_EDITABLE = frozenset({State.SUBMITTED, State.IN_REVIEW, State.HELD})


class TransitionError(Exception):
    """An act not allowed now; the message is shown to the user as it is."""


def check(action: str, state: str) -> Transition:
    try:
        transition = TRANSITIONS[action]
    except KeyError:
        raise TransitionError("未知的操作。") from None
    if state not in transition.sources:
        raise TransitionError(f"该信息当前为“{State(state).label}”状态，不能“{transition.label}”。")
    return transition


def available(state: str, roles_by_scope: dict[str, frozenset[str]]) -> list[Transition]:
    """The acts a person may take now, given the roles they hold in each scope."""
    return [
        t for t in TRANSITIONS.values() if state in t.sources and t.role in roles_by_scope.get(t.scope, frozenset())
    ]
