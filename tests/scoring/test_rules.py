from decimal import Decimal as D

from scoring.rules import Standing, award_tiers, competition_ranks, shares

TIERS = [("特等奖", 2), ("一等奖", 5), ("二等奖", 4), ("三等奖", 6)]


def test_composite_shares_each_or_split_add_up():
    assert shares(D("6"), [1, 2], split=False) == {1: D("6"), 2: D("6")}
    split = shares(D("10"), [1, 2, 3], split=True)
    assert split == {1: D("3.3"), 2: D("3.3"), 3: D("3.4")} and sum(split.values()) == D("10")


def test_ties_share_a_rank():
    assert competition_ranks({1: D(9), 2: D(7), 3: D(7), 4: D(5)}) == {1: 1, 2: 2, 3: 2, 4: 4}


def test_award_tiers_follow_the_guide_and_only_quota_reachers_qualify():
    standings = [Standing(i, D(400 - i), reached_quota=True, vetoed=False) for i in range(1, 20)]
    standings.append(Standing(99, D(1000), reached_quota=False, vetoed=False))
    tiers = award_tiers(standings, TIERS)
    assert 99 not in tiers
    names = [tiers.get(i) for i in range(1, 20)]
    assert names[:2] == ["特等奖"] * 2 and names[2:7] == ["一等奖"] * 5
    assert names[7:11] == ["二等奖"] * 4 and names[11:17] == ["三等奖"] * 6 and names[17:] == [None, None]


def test_tie_on_a_boundary_shares_the_better_tier():
    standings = [Standing(1, D(500), True, False), Standing(2, D(450), True, False), Standing(3, D(450), True, False),
                 Standing(4, D(400), True, False)]  # fmt: skip
    tiers = award_tiers(standings, [("特等奖", 2), ("一等奖", 5)])
    assert tiers == {1: "特等奖", 2: "特等奖", 3: "特等奖", 4: "一等奖"}


def test_vetoed_unit_gets_no_award():
    standings = [Standing(1, D(500), True, True), Standing(2, D(400), True, False)]
    assert award_tiers(standings, [("特等奖", 1)]) == {2: "特等奖"}
