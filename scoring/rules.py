"""Pure rule arithmetic: shares of composite items, and award tiers with ties."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def shares(points: Decimal, unit_ids: list[int], *, split: bool) -> dict[int, Decimal]:
    """Points per contributing unit: each gets all of them, or they share them evenly
    (rounded to 0.1, the last unit taking the remainder so the shares add up)."""
    distinct = list(dict.fromkeys(unit_ids))
    if not distinct:
        return {}
    if not split or len(distinct) == 1:
        return dict.fromkeys(distinct, points)
    each = (points / len(distinct)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    result = dict.fromkeys(distinct[:-1], each)
    result[distinct[-1]] = points - each * (len(distinct) - 1)
    return result


@dataclass(frozen=True)
class Standing:
    unit_id: int
    points: Decimal
    reached_quota: bool
    vetoed: bool


def competition_ranks(points_by_unit: dict[int, Decimal]) -> dict[int, int]:
    """Standard competition ranking: equal points share a rank (1, 2, 2, 4)."""
    ordered = sorted(points_by_unit.items(), key=lambda kv: kv[1], reverse=True)
    ranks: dict[int, int] = {}
    previous = None
    for position, (unit_id, points) in enumerate(ordered, start=1):
        if points != previous:
            rank = position
            previous = points
        ranks[unit_id] = rank
    return ranks


def award_tiers(standings: list[Standing], tiers: list[tuple[str, int]]) -> dict[int, str]:
    """Tiers in order (特等奖 2, 一等奖 5 …) for units that reached their quota and are
    not vetoed, by rank among those units. Tied units share the better tier, so a tie on
    the boundary gives one more award rather than an arbitrary cut."""
    eligible = {s.unit_id: s.points for s in standings if s.reached_quota and not s.vetoed}
    ranks = competition_ranks(eligible)
    bounds = []
    cumulative = 0
    for name, count in tiers:
        cumulative += count
        bounds.append((cumulative, name))
    result = {}
    for unit_id, rank in ranks.items():
        for bound, name in bounds:
            if rank <= bound:
                result[unit_id] = name
                break
    return result
