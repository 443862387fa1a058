import datetime as dt

from submissions.models import DeadlineRule
from submissions.timeliness import deadline_for, is_late


def test_event_must_be_reported_within_a_day():
    deadline = deadline_for(DeadlineRule.EVENT_DAYS, 1, dt.date(2026, 11, 20))
    assert deadline == dt.date(2026, 11, 21)
    assert not is_late(deadline, dt.date(2026, 11, 21))
    assert is_late(deadline, dt.date(2026, 11, 22))


def test_monthly_progress_is_due_by_the_tenth_of_next_month_across_year_end():
    assert deadline_for(DeadlineRule.MONTHLY, 10, dt.date(2026, 11, 3)) == dt.date(2026, 12, 10)
    assert deadline_for(DeadlineRule.MONTHLY, 10, dt.date(2026, 12, 31)) == dt.date(2027, 1, 10)


def test_no_rule_or_no_date_means_never_late():
    assert deadline_for(DeadlineRule.NONE, 5, dt.date(2026, 1, 1)) is None
    assert deadline_for(DeadlineRule.EVENT_DAYS, 1, None) is None
    assert not is_late(None, dt.date(2030, 1, 1))
