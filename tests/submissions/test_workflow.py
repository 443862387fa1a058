import pytest

from submissions.models import State
from submissions.workflow import TRANSITIONS, TransitionError, available, check
from units.models import Role


def test_every_transition_names_sources_target_and_role():
    for t in TRANSITIONS.values():
        assert t.sources and t.target in State.values and t.role in Role.values and t.scope in ("unit", "office")
        assert t.target not in t.sources or t.action == "hold"


@pytest.mark.parametrize(
    ("action", "state"),
    [("sign_off", State.DRAFT), ("return", State.DRAFT), ("reject", State.REJECTED), ("hold", State.HELD),
     ("send_for_signoff", State.SUBMITTED), ("start_review", State.IN_REVIEW)],
)  # fmt: skip
def test_illegal_moves_are_refused_in_chinese(action, state):
    with pytest.raises(TransitionError, match="不能"):
        check(action, state)


def test_only_editors_see_review_actions():
    staff = {"unit": frozenset({Role.STAFF}), "office": frozenset()}
    editor = {"unit": frozenset(), "office": frozenset({Role.EDITOR})}
    assert [t.action for t in available(State.SUBMITTED, staff)] == []
    assert {t.action for t in available(State.SUBMITTED, editor)} == {"start_review", "return", "reject", "hold"}
    assert {t.action for t in available(State.DRAFT, staff)} == {"send_for_signoff"}
