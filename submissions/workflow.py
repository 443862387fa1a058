"""The transition table: which act moves an item from which states to which, by whom.

Actions consult this table and nothing else, so the rules live in one place
(as Oscar's order status pipeline does). Scope: a role held in the item's own unit
("unit") or in the office that receives it ("office").

`MOVES` is the whole table. Most acts are taken on the item itself (its page's buttons,
its API endpoint): those are `TRANSITIONS`. Adopting, publishing and withdrawing an
adoption move the item too, but as part of an act on a publication
(publications.actions), so they are in the table with `direct=False` and have no button.
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
    direct: bool = True  # taken on the item itself (a button, an API endpoint)
    keeps: frozenset[str] = frozenset()  # sources in which the item keeps its state

    def target_from(self, state: str) -> str:
        """Where the act takes an item that is in `state` now."""
        return state if state in self.keeps else self.target


def _t(action, label, sources, target, role, scope, needs_comment=False, comment_label="意见", *, direct=True,
       keeps=()) -> Transition:  # fmt: skip
    return Transition(action, label, frozenset(sources), target, role, scope, needs_comment, comment_label, direct,
                      frozenset(keeps))  # fmt: skip


# States from which the office's editors may adopt an item, alone or in a composite (综合):
# an item already published by one publication may be adopted by another, and stays 已刊发.
ADOPTABLE = frozenset({State.SUBMITTED, State.IN_REVIEW, State.HELD, State.ADOPTED, State.PUBLISHED})
# States of an item that an adoption draws on (sign-off publishes it; a withdrawal undoes it).
ADOPTED_STATES = frozenset({State.ADOPTED, State.PUBLISHED})

MOVES: dict[str, Transition] = {
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
        # Moves made by acts on a publication (publications.actions):
        _t("adopt", "采用", ADOPTABLE, State.ADOPTED, Role.EDITOR, "office", direct=False, keeps={State.PUBLISHED}),
        _t("publish", "刊发", ADOPTED_STATES, State.PUBLISHED, Role.ISSUE_APPROVER, "office", direct=False),
        # With no adoption left the item goes back to review; a published one stays published.
        _t("unadopt", "撤销采用", ADOPTED_STATES, State.IN_REVIEW, Role.EDITOR, "office", direct=False,
           keeps={State.PUBLISHED}),
    ]
}  # fmt: skip

# The acts taken on the item itself: its page's buttons and its API endpoints.
TRANSITIONS: dict[str, Transition] = {a: t for a, t in MOVES.items() if t.direct}

# States in which the writer's unit may change the text.
WRITER_EDITABLE = frozenset({State.DRAFT, State.RETURNED})
# States in which the office's editors may change the text.
EDITOR_EDITABLE = frozenset({State.SUBMITTED, State.IN_REVIEW, State.HELD})


class TransitionError(Exception):
    """An act not allowed now; the message is shown to the user as it is."""


def check(action: str, state: str, *, direct: bool = True) -> Transition:
    """The table's row for `action`, if it may be taken on an item in `state`. Only the
    acts taken on the item itself, unless `direct=False` (the acts on a publication)."""
    try:
        transition = (TRANSITIONS if direct else MOVES)[action]
    except KeyError:
        raise TransitionError("未知的操作。") from None
    if state not in transition.sources:
        quoted = f"“{transition.label}”" if transition.direct else transition.label
        raise TransitionError(f"该信息当前为“{State(state).label}”状态，不能{quoted}。")
    return transition


def available(state: str, roles_by_scope: dict[str, frozenset[str]]) -> list[Transition]:
    """The acts a person may take now, given the roles they hold in each scope."""
    return [
        t for t in TRANSITIONS.values() if state in t.sources and t.role in roles_by_scope.get(t.scope, frozenset())
    ]
