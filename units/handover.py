"""Handing over a person's open work when they leave their unit (issue 16).

units cannot import the apps above it (submissions, publications), yet a person's open
work lives there. So this module keeps a registry: each app above names what counts as
open work in a `handover.py` of its own, which calls `register()`; the registry finds
those modules the way the admin finds `admin.py` (autodiscover_modules), on first use.

A provider answers two questions for a person leaving `unit`: what is open (for the
preview), and hand it to a named colleague of that unit (in the caller's transaction).
Work that belongs to the unit rather than to the person (a commission the unit must
answer, an instruction it must report on) stays with the unit; the provider lists it
so that the colleague is told, and hands nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import autodiscover_modules


@dataclass
class OpenWork:
    """One kind of open work of a person, as the preview shows it."""

    key: str
    label: str  # e.g. "草稿和待审签的信息"
    entries: list[str] = field(default_factory=list)  # one line each, in Chinese
    moves: bool = True  # False: stays with the unit, the colleague is told

    @property
    def count(self) -> int:
        return len(self.entries)


@dataclass
class Provider:
    key: str
    label: str
    find: Callable  # (person, unit) -> list[str]
    hand_over: Callable | None = None  # (person, unit, colleague, actor) -> int; None: stays with the unit


_providers: dict[str, Provider] = {}
_discovered = False


def register(key: str, label: str, *, find: Callable, hand_over: Callable | None = None) -> None:
    """Name a kind of open work (from an app's handover.py). `find(person, unit)` lists
    it; `hand_over(person, unit, colleague, actor)` gives it to the colleague and returns
    how many; without hand_over the work stays with the unit and is only listed."""
    _providers[key] = Provider(key=key, label=label, find=find, hand_over=hand_over)


def providers() -> list[Provider]:
    global _discovered
    if not _discovered:
        autodiscover_modules("handover")
        _discovered = True
    return list(_providers.values())


def open_work(person, unit) -> list[OpenWork]:
    """What `person` leaves open in `unit`, per kind (kinds with nothing are left out)."""
    out = []
    for p in providers():
        entries = p.find(person, unit)
        if entries:
            out.append(OpenWork(key=p.key, label=p.label, entries=entries, moves=p.hand_over is not None))
    return out


def hand_over_all(person, unit, colleague, actor) -> dict[str, int]:
    """Give every kind of open work of `person` in `unit` to `colleague`; {key: n}."""
    done = {}
    for p in providers():
        if p.hand_over is not None:
            done[p.key] = p.hand_over(person, unit, colleague, actor)
    return done


# --- Moves: the one rule every route follows (the page, the import, the directory, the API) --


# Roles that go with a person to a new unit when the route names none (the import without a
# 角色 column, the directory sync and login, the API without `roles`): the working roles.
# An administrator's role is granted for a unit and never follows a person there.
WORKING_ROLES = ("staff", "unit_approver", "editor", "issue_approver", "leader")


def carried_roles(roles) -> set[str]:
    """The roles of `roles` that a person keeps in their new unit when none are named."""
    return {r for r in roles if r in WORKING_ROLES}


def check_move(person, unit) -> None:
    """Whether `person` may move to `unit`; ValidationError in Chinese otherwise. `unit` may
    be a unit not yet saved (an import that creates it): only its active flag is read then."""
    from django.core.exceptions import ValidationError

    if person.unit_id is None:
        raise ValidationError("该人员没有所属单位。")
    if unit.pk is not None and unit.pk == person.unit_id:
        raise ValidationError("该人员已在这个单位。")
    if not unit.is_active:
        raise ValidationError(f"“{unit.name}”已停用，不能调入人员。")


def check_colleague(*, person, unit, colleague, needed: bool) -> None:
    """Whether `colleague` may take over `person`'s open work in `unit`."""
    from django.core.exceptions import ValidationError

    if colleague is None:
        if needed:
            raise ValidationError("该人员有未办结的工作，请指定交接人。")
        return
    if colleague.pk == person.pk:
        raise ValidationError("交接人不能是本人。")
    if colleague.unit_id != unit.pk or not colleague.is_active:
        raise ValidationError(f"交接人须是“{unit.name}”在岗的人员。")


def choose_colleague(person, unit, *, leaving=()):
    """The colleague a route that asks nobody hands `person`'s work to: an active person of
    `unit` holding one of the roles `person` holds there — those sharing more of them
    first, then by user name. People in `leaving` (moved or disabled by the same import)
    are passed over. None when nobody qualifies."""
    from django.db.models import Count, Q

    from .models import RoleGrant, User

    roles = list(RoleGrant.objects.filter(user=person, unit=unit).values_list("role", flat=True))
    if not roles:
        return None
    shared = Q(role_grants__unit=unit, role_grants__role__in=roles)
    return (
        User.objects.filter(shared, unit=unit, is_active=True)
        .exclude(pk__in=[person.pk, *leaving])
        .annotate(shared=Count("role_grants", filter=shared))
        .order_by("-shared", "username")
        .first()
    )


@dataclass
class MovePreview:
    """What moving a person would do: their open work in the old unit, the colleague it
    goes to, and why the move is refused ("" when it may go ahead)."""

    person: object
    unit: object
    work: list[OpenWork]
    colleague: object = None
    refusal: str = ""
    stays: bool = False  # a departure with work and nobody to take it: the work stays in their name

    @property
    def needs_colleague(self) -> bool:
        return any(w.moves for w in self.work)

    def lines(self) -> list[str]:
        """The preview in Chinese, one line per kind of work."""
        if self.refusal:
            return [self.refusal]
        if not self.work:
            return ["无未办结的工作，无需交接"]
        if self.stays:
            kinds = "、".join(f"{w.label}{w.count}项" for w in self.work if w.moves)
            return [f"{kinds}无人接手（“{self.person.unit.name}”没有担任相同角色的在岗人员），仍在其名下"]
        who = _name(self.colleague) if self.colleague is not None else "（无人接手）"
        out = []
        for w in self.work:
            verb = "交给" if w.moves else "仍由原单位办理，告知"
            out.append(f"{w.label}{w.count}项（{'；'.join(w.entries)}）{verb}{who}")
        return out

    def as_dict(self) -> dict:
        c = self.colleague
        return {
            "work": [
                {"key": w.key, "label": w.label, "count": w.count, "entries": w.entries, "moves": w.moves}
                for w in self.work
            ],  # fmt: skip
            "handover_to": None if c is None else {"id": c.pk, "username": c.username, "full_name": c.full_name},
            "refused": bool(self.refusal),
            "reason": self.refusal,
            "lines": self.lines(),
        }


def _name(user) -> str:
    return f"{user.full_name or user.username}（{user.username}）"


def preview_move(person, unit, *, colleague=None, choose: bool = True, leaving=()) -> MovePreview:
    """The preview of moving `person` to `unit` with `colleague` taking over (None and
    `choose`: the colleague choose_colleague names). Never raises: a move that may not go
    ahead has its reason in `refusal`, in the words move_person would refuse it with."""
    from django.core.exceptions import ValidationError

    old = person.unit
    work = open_work(person, old) if old is not None else []
    if colleague is None and choose and old is not None:
        colleague = choose_colleague(person, old, leaving=leaving)
    preview = MovePreview(person=person, unit=unit, work=work, colleague=colleague)
    try:
        check_move(person, unit)
        check_colleague(person=person, unit=old, colleague=colleague, needed=preview.needs_colleague)
    except ValidationError as exc:
        preview.refusal = " ".join(exc.messages)
        if colleague is None and choose and preview.needs_colleague:
            kinds = "、".join(f"{w.label}{w.count}项" for w in work if w.moves)
            preview.refusal = f"有未办结的工作（{kinds}），“{old.name}”没有担任相同角色的在岗人员可以接手，不能调动"
    return preview


def preview_leave(person, *, leaving=()) -> MovePreview:
    """The preview of disabling `person` (they left) where nobody names a colleague: the
    import and the directory sync. Their work goes to the colleague choose_colleague names;
    a departure is never refused for want of one (the directory has disabled the person
    already), the preview says the work stays in their name instead."""
    old = person.unit
    work = open_work(person, old) if old is not None else []
    colleague = choose_colleague(person, old, leaving=leaving) if old is not None else None
    preview = MovePreview(person=person, unit=None, work=work, colleague=colleague)
    if colleague is None and preview.needs_colleague:
        preview.stays = True
    return preview
