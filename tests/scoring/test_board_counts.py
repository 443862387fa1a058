"""The scoreboard's counts of adoptions (per publication), submissions and 迟报, read
through the indexes of migration 0009 with the units left out in Python (issue 18)."""

import datetime as dt

from django.utils import timezone

from publications import actions as pub_actions
from publications.models import Adoption
from scoring.queries import scoreboard
from submissions.models import Item
from tests.factories import UnitFactory, UserFactory
from tests.submissions.helpers import submitted
from units.models import Role


def test_counts_of_adoptions_submissions_and_late_items(
    writer, unit_approver, editor, pubs, scheme, department, second_department, city
):
    other_writer = UserFactory(unit=second_department, roles=[Role.STAFF])
    other_approver = UserFactory(unit=second_department, roles=[Role.UNIT_APPROVER])
    outside = UnitFactory(name="昆明市未考核单位", parent=city)  # submits, but is not assessed
    outside_writer = UserFactory(unit=outside, roles=[Role.STAFF])
    outside_approver = UserFactory(unit=outside, roles=[Role.UNIT_APPROVER])

    def item(title, *, of=(writer, unit_approver)):
        return submitted(*of, title=title)

    pub_actions.adopt(item=item("专报一"), user=editor, publication=pubs["special"])
    withdrawn = pub_actions.adopt(item=item("专报二"), user=editor, publication=pubs["special"])
    pub_actions.withdraw_adoption(adoption=withdrawn, user=editor, reason="撤稿")
    pub_actions.adopt(item=item("政务信息一"), user=editor, publication=pubs["general"])
    last_year = pub_actions.adopt(item=item("政务信息二"), user=editor, publication=pubs["general"])
    Adoption.objects.filter(pk=last_year.pk).update(adopted_at=timezone.now().replace(year=scheme.year - 1))
    # A composite of two of the department's items and one of the second department's:
    # one adoption each, however many of a unit's items it draws on.
    pub_actions.adopt_composite(
        items=[item("综合一"), item("综合二"), item("综合三", of=(other_writer, other_approver))],
        user=editor, publication=pubs["general"], title="综合信息", body="综合正文。",
    )  # fmt: skip
    pub_actions.adopt(item=item("未考核单位", of=(outside_writer, outside_approver)), user=editor,
                      publication=pubs["general"])  # fmt: skip
    item("未采用")
    late = item("迟报")
    Item.objects.filter(pk=late.pk).update(is_late=True)
    old = item("去年报送")
    Item.objects.filter(pk=old.pk).update(first_submitted_at=timezone.now() - dt.timedelta(days=400))

    board = scoreboard(scheme)
    rows = {r.unit: r for r in board.rows}
    assert outside not in rows
    dept, second = rows[department], rows[second_department]
    assert dept.per_publication == {pubs["special"].pk: 1, pubs["general"].pk: 2, pubs["up"].pk: 0}
    assert (dept.adoptions, dept.submissions, dept.late) == (3, 8, 1)
    assert second.per_publication[pubs["general"].pk] == 1 and (second.adoptions, second.submissions) == (1, 1)
    assert board.zero_adoptions == [] and board.zero_submissions == []
