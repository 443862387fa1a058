"""Who may see and manage which scheme, scoreboard and unit ledger.

The assessing office's leaders, editors and administrators see everything of its
schemes; people in an assessed unit always see their own unit's ledger, and the whole
scoreboard only when the scheme makes it public to assessed units.
"""

from collections.abc import Iterable

from django.http import Http404

from submissions import access as item_access
from units.access import can_manage_unit, holds
from units.models import Role, Unit, User

from .models import Scheme

OFFICE_ROLES = (Role.LEADER, Role.EDITOR, Role.SYSTEM_ADMIN, Role.ISSUE_APPROVER)


def holds_office_role(user: User) -> bool:
    """True when the person is a leader, editor, administrator or issue approver of
    their own unit: the roles that read everything of the schemes their office runs."""
    return any(holds(user, r) for r in OFFICE_ROLES)


def is_office_reader(user: User, scheme: Scheme) -> bool:
    """The assessing office's leaders, editors, administrators and issue approvers read
    everything of its scheme."""
    return user.unit_id == scheme.office_id and holds_office_role(user)


def can_manage(user: User, scheme: Scheme) -> bool:
    """Manual adjustments and recomputation: administrators of the assessing office."""
    return bool(user.unit_id == scheme.office_id or user.is_superuser) and can_manage_unit(user, scheme.office)


def is_assessed_member(user: User, scheme: Scheme) -> bool:
    """True when the person works in one of the units the scheme assesses."""
    return bool(user.unit_id) and scheme.scheme_units.filter(unit_id=user.unit_id).exists()


def can_view_board(user: User, scheme: Scheme) -> bool:
    """The scoreboard: the assessing office's readers; assessed units only while the
    scheme makes it public to them."""
    return is_office_reader(user, scheme) or (scheme.public_to_assessed and is_assessed_member(user, scheme))


def can_view_ledger(user: User, scheme: Scheme, unit: Unit) -> bool:
    """A unit's ledger: the office's readers, the unit's own people, and every assessed
    unit while the scheme is public to them."""
    if is_office_reader(user, scheme):
        return True
    if user.unit_id == unit.pk and user.is_active:
        return True
    return scheme.public_to_assessed and is_assessed_member(user, scheme)


def name_ledger_items(user: User, entries: Iterable) -> list:
    """The entries (ledger rows, or anything with an `item`), each with `item_label` and
    `item_readable`: a ledger is open to the whole unit (and to every assessed unit while
    public), but an entry names its item only as far as submissions.access lets this
    person read it. Page, export and API use this, so none reads an item's title itself."""
    entries = list(entries)
    readable = item_access.readable_item_ids(user, (e.item for e in entries if e.item is not None))
    for e in entries:
        e.item_readable = e.item is not None and e.item.pk in readable
        e.item_label = item_access.item_label(e.item, readable=e.item_readable) if e.item is not None else ""
    return entries


def visible_schemes(user: User):
    """The schemes the person's office runs (for its readers) and those assessing their unit."""
    own = Scheme.objects.filter(office_id=user.unit_id) if holds_office_role(user) else None
    assessed = Scheme.objects.filter(scheme_units__unit_id=user.unit_id)
    qs = assessed if own is None else (own | assessed)
    return qs.distinct().select_related("office").order_by("-year", "office__order_key")


def get_scheme_for_board(user: User, pk: int) -> Scheme:
    """The scheme `pk` if the person may see its scoreboard; 404 otherwise."""
    scheme = _get(pk)
    if not can_view_board(user, scheme):
        raise Http404("没有找到该考核方案")
    return scheme


def get_scheme_and_unit_for_ledger(user: User, pk: int, unit_pk: int) -> tuple[Scheme, Unit]:
    """The scheme `pk` and its assessed unit `unit_pk` if the person may read that unit's
    ledger; 404 otherwise (an unassessed unit looks the same as a forbidden one)."""
    scheme = _get(pk)
    unit = scheme.assessed_units.filter(pk=unit_pk).first()
    if unit is None or not can_view_ledger(user, scheme, unit):
        raise Http404("没有找到该单位的台账")
    return scheme, unit


def _get(pk: int) -> Scheme:
    try:
        return Scheme.objects.select_related("office").get(pk=pk)
    except (Scheme.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该考核方案") from None


# --- The year-end assessment: 公示, 申诉, 定稿, unlock -------------------------------------------


def is_closing_editor(user: User, scheme: Scheme) -> bool:
    """The assessing office's editors: they prepare the year's close and see the appeals."""
    return user.unit_id == scheme.office_id and holds(user, Role.EDITOR)


def is_closing_decider(user: User, scheme: Scheme) -> bool:
    """Who decides the year's close — opens the 公示, decides appeals, makes the results
    final: the assessing office's issue approver, or an administrator of it."""
    return (user.unit_id == scheme.office_id and holds(user, Role.ISSUE_APPROVER)) or can_manage(user, scheme)


def can_propose_closing(user: User, scheme: Scheme) -> bool:
    """The assessing office's editors propose the year-end acts (opening the 公示,
    making the results final) to those who decide them; they decide nothing themselves."""
    from submissions.access import edits_for_office

    return edits_for_office(user, scheme.office_id) and not is_closing_decider(user, scheme)


def can_unlock(user: User, scheme: Scheme) -> bool:
    """Only the system administrator reopens a finalised year: an administrator of the
    assessing office (or above it), with a reason."""
    return can_manage(user, scheme)


def can_view_closing(user: User, scheme: Scheme) -> bool:
    """The 公示 and final boards are shown to the office's readers and to every assessed
    unit, whatever the scheme's setting for the running board."""
    return is_office_reader(user, scheme) or is_assessed_member(user, scheme)


def can_appeal(user: User, scheme: Scheme) -> bool:
    """A unit's approver appeals for their own unit, if the scheme assesses it."""
    return is_assessed_member(user, scheme) and holds(user, Role.UNIT_APPROVER)


def get_scheme_for_closing(user: User, pk: int) -> Scheme:
    """The scheme `pk` if the person may see its year-end page; 404 otherwise."""
    scheme = _get(pk)
    if not can_view_closing(user, scheme):
        raise Http404("没有找到该考核方案")
    return scheme


def visible_appeals(user: User, scheme: Scheme):
    """All appeals of the scheme for the office's readers; a unit's own otherwise."""
    from .models import Appeal

    qs = Appeal.objects.filter(scheme=scheme).select_related(
        "unit", "filed_by", "decided_by", "entry", "adoption__publication", "correction"
    )
    if is_office_reader(user, scheme):
        return qs
    return qs.filter(unit_id=user.unit_id)


def get_appeal_for_user(user: User, pk: int, *, decide: bool = False):
    """The appeal `pk` if the person may read it (the office's readers, the appealing
    unit), or with `decide` if they may decide it; 404 otherwise."""
    from .models import Appeal

    try:
        appeal = Appeal.objects.select_related("scheme__office", "unit", "entry", "adoption__publication").get(pk=pk)
    except (Appeal.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该申诉") from None
    scheme = appeal.scheme
    allowed = (
        is_closing_decider(user, scheme)
        if decide
        else is_office_reader(user, scheme) or (user.unit_id == appeal.unit_id and user.is_active)
    )
    if not allowed:
        raise Http404("没有找到该申诉")
    return appeal


def get_appeal_attachment_for_user(user: User, pk: int):
    """An appeal's attachment, for those who may read the appeal; 404 otherwise."""
    from .models import AppealAttachment

    try:
        attachment = AppealAttachment.objects.get(pk=pk)
    except (AppealAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该附件") from None
    get_appeal_for_user(user, attachment.appeal_id)
    return attachment


def get_final_board(user: User, pk: int):
    """The scheme `pk` and its stored final board, for those who see the year-end page
    (the office's readers and every assessed unit), once the year is final; 404 before
    that, while it is reopened, or for anyone else. The 通报 is made from this board only."""
    from .models import BoardSnapshot, SnapshotKind, Stage

    scheme = get_scheme_for_closing(user, pk)
    snapshot = (
        BoardSnapshot.objects.filter(scheme=scheme, kind=SnapshotKind.FINAL).order_by("-created_at", "-pk").first()
    )
    if scheme.stage != Stage.FINAL or snapshot is None:
        raise Http404("该年度考核结果尚未定稿")
    return scheme, snapshot


def history_schemes(user: User, scheme: Scheme, years: int = 5) -> list[Scheme]:
    """The office's schemes of the last `years` years up to `scheme`'s, those the person
    may see: a final year for whoever sees its year-end page, another year for whoever
    sees its running board. The reader of a unit's ledger gets no more than that."""
    from .models import Stage

    schemes = Scheme.objects.filter(
        office_id=scheme.office_id, year__gt=scheme.year - years, year__lte=scheme.year
    ).select_related("office")
    office = user.unit_id == scheme.office_id and holds_office_role(user)
    assessed_in = set(
        Scheme.objects.filter(pk__in=[s.pk for s in schemes], scheme_units__unit_id=user.unit_id).values_list(
            "pk", flat=True
        )
    )
    shown = []
    for s in schemes:
        member = s.pk in assessed_in
        if office or (member and (s.stage == Stage.FINAL or s.public_to_assessed)):
            shown.append(s)
    return sorted(shown, key=lambda s: s.year)


def link_ledger_acts(user: User, entries: Iterable) -> list:
    """Each entry (already through name_ledger_items) gets `act_label` and `act_url`: the
    act that wrote it — the adoption and its issue, the instruction, the appeal, the
    manual adjustment with who made it — linked only where this person may open it, in a
    fixed number of queries whatever the number of entries."""
    from django.urls import reverse
    from django.utils import timezone

    from publications import access as publication_access
    from publications.instructions import access as instruction_access
    from publications.models import Instruction

    entries = list(entries)
    issue_ids = {e.adoption.issue_id for e in entries if e.adoption_id and e.adoption.issue_id}
    readable_issues = (
        set(publication_access.readable_issues(user).filter(pk__in=issue_ids).values_list("pk", flat=True))
        if issue_ids
        else set()
    )
    instruction_ids = {
        int(ref) for e in entries for kind, _, ref in [(e.source_ref or "").partition(":")]
        if kind == "instruction" and ref.isdigit()
    }  # fmt: skip
    # An instruction may be the office above's, flowing back to the lower office's scheme.
    instruction_offices = (
        dict(Instruction.objects.filter(pk__in=instruction_ids).values_list("pk", "office_id"))
        if instruction_ids
        else {}
    )
    office_reader: dict[int, bool] = {}
    for e in entries:
        e.act_label, e.act_url = "", ""
        kind, _, ref = (e.source_ref or "").partition(":")
        if e.source == "manual":
            who = e.created_by or "系统"
            e.act_label = f"{who}于{timezone.localtime(e.created_at):%Y-%m-%d %H:%M}手工调整"
        elif kind == "appeal" and ref.isdigit():
            e.act_label = f"申诉第{ref}号"
            if office_reader.setdefault(e.scheme_id, is_office_reader(user, e.scheme)) or user.unit_id == e.unit_id:
                e.act_url = reverse("scheme_closing", args=[e.scheme_id]) + f"#appeal-{ref}"
        elif kind == "instruction" and ref.isdigit():
            e.act_label = f"批示第{ref}号"
            # The instruction page decides for itself; the link is offered to its office's
            # readers and to whoever may read the item, who may see it (instructions.access.can_view).
            office_id = instruction_offices.get(int(ref))
            if office_id and (e.item_readable or instruction_access.is_office_reader(user, office_id)):
                e.act_url = reverse("instruction_detail", args=[int(ref)])
        elif e.adoption_id:
            adoption = e.adoption
            e.act_label = f"《{adoption.publication.name}》采用"
            if adoption.issue_id:
                e.act_label += f"，编入{adoption.issue.label}" if adoption.issue.number else "，已编入待签发的期"
                if adoption.issue_id in readable_issues:
                    e.act_url = reverse("issue_detail", args=[adoption.issue_id])
            elif e.item_readable:
                e.act_url = reverse("item_detail", args=[e.item_id])
        elif e.reverses_id:
            e.act_label = f"冲正{e.reverses.date:%Y-%m-%d}的记录"
    return entries
