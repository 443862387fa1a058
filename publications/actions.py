"""Adoption, composing issues, sign-off and compiling: one function per act.

Each act runs in one transaction, refuses what the rules forbid with a Chinese message,
leaves an event on the items it touches and fires the named hooks in signals.py
inside the same transaction (scoring writes its ledger rows there).
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone

import audit
from submissions import actions as item_actions
from submissions.models import Item
from submissions.sealing import seal
from submissions.workflow import TransitionError
from units.models import Role, User
from units.notify import notify, people_with_roles

from . import access, docx, queries, signals
from .copies import complete_copy, issue_document
from .models import (
    Adoption,
    AdoptionForm,
    AdoptionSource,
    CompileRun,
    CompileStatus,
    Confidentiality,
    Issue,
    IssueRead,
    IssueState,
    Publication,
)


class PublicationError(TransitionError):
    """An act on a publication or issue that is not allowed now."""


def _require_editor(user: User, publication: Publication) -> None:
    if not access.is_editor_of(user, publication):
        raise PublicationError("只有本刊物主办单位的编辑可以进行此操作。")


def _check_adoptable(item: Item, publication: Publication, form: str) -> None:
    if item.office_id != publication.office_id:
        raise PublicationError("只能采用报送给本单位的信息。")
    if not publication.is_active:
        raise PublicationError("该刊物已停用。")
    if form == AdoptionForm.BRIEF and not publication.allows_briefs:
        raise PublicationError(f"《{publication.name}》不采用简讯。")
    if item.is_sensitive and publication.confidentiality != Confidentiality.SENSITIVE:
        raise PublicationError("敏感信息只能采用到密级标识为“敏感”的刊物。")


def _stored(text: str, sensitive: bool) -> str:
    return seal(text) if sensitive else text


@transaction.atomic
def adopt(
    *,
    item: Item,
    user: User,
    publication: Publication,
    form: str = AdoptionForm.FULL,
    title: str = "",
    body: str = "",
    expected_version: int | None = None,
) -> Adoption:
    """Adopt an item into a publication; the text may be shortened (e.g. for a brief)."""
    _require_editor(user, publication)
    if form == AdoptionForm.COMPOSITE:
        raise PublicationError("综合信息请使用“合并采用”。")
    _check_adoptable(item, publication, form)
    title = (title or item.plain_title).strip()
    body = (body if body.strip() else item.plain_body).strip()
    if not title:
        raise ValidationError("请填写采用标题。")
    if (
        Adoption.objects.filter(item=item, publication=publication, withdrawn_at=None)
        .exclude(form="composite")
        .exists()
    ):
        raise PublicationError(f"该信息已被《{publication.name}》采用。")
    item_actions.record_adoption(
        item=item,
        user=user,
        note=f"《{publication.name}》{AdoptionForm(form).label}",
        expected_version=expected_version,
    )
    try:
        with transaction.atomic():
            adoption = Adoption.objects.create(
                publication=publication, item=item, form=form, adopted_by=user,
                title=_stored(title, item.is_sensitive), body=_stored(body, item.is_sensitive),
            )  # fmt: skip
    except IntegrityError:
        raise PublicationError(f"该信息已被《{publication.name}》采用。") from None
    AdoptionSource.objects.create(adoption=adoption, item=item)
    signals.adoption_made.send(sender=Adoption, adoption=adoption, user=user)
    _notify_adoption(adoption, [item], user)
    return adoption


@transaction.atomic
def adopt_composite(*, items: Iterable[Item], user: User, publication: Publication, title: str, body: str) -> Adoption:
    """Merge several units' items into one adopted text (综合); every source is linked."""
    items = list(items)
    _require_editor(user, publication)
    if len(items) < 2:
        raise ValidationError("综合信息至少需要两条来源信息。")
    if not title.strip() or not body.strip():
        raise ValidationError("请填写综合信息的标题和正文。")
    for item in items:
        _check_adoptable(item, publication, AdoptionForm.COMPOSITE)
    sensitive = any(i.is_sensitive for i in items)
    adoption = Adoption.objects.create(
        publication=publication, item=items[0], form=AdoptionForm.COMPOSITE, adopted_by=user,
        title=_stored(title.strip(), sensitive), body=_stored(body.strip(), sensitive),
    )  # fmt: skip
    for item in items:
        AdoptionSource.objects.create(adoption=adoption, item=item)
        item_actions.record_adoption(item=item, user=user, note=f"《{publication.name}》综合采用")
    signals.adoption_made.send(sender=Adoption, adoption=adoption, user=user)
    _notify_adoption(adoption, items, user)
    return adoption


def _notify_adoption(adoption: Adoption, items: list[Item], user: User) -> None:
    for item in items:
        recipients = [item.author, *people_with_roles(item.unit, [Role.STAFF, Role.UNIT_APPROVER, Role.LEADER])]
        title = "（敏感信息）" if item.is_sensitive else item.plain_title
        notify(
            recipients=recipients,
            verb="adopted",
            title=f"采用通知：{title}",
            body=f"{adoption.publication.office.display_name}《{adoption.publication.name}》"
            f"以{adoption.get_form_display()}采用。",
            url=reverse("item_detail", args=[item.pk]),
        )


@transaction.atomic
def withdraw_adoption(*, adoption: Adoption, user: User, reason: str) -> Adoption:
    """Undo an adoption that is not yet in a signed issue (scoring writes a reversal)."""
    _require_editor(user, adoption.publication)
    if adoption.withdrawn_at:
        raise PublicationError("该采用已撤销。")
    if adoption.issue_id and adoption.issue.is_signed:
        raise PublicationError("该信息所在的期已签发，不能撤销采用。")
    if not reason.strip():
        raise ValidationError("请填写撤销理由。")
    fields = {"withdrawn_at": timezone.now(), "withdrawn_by": user, "issue": None}
    Adoption.objects.filter(pk=adoption.pk).update(**fields)
    audit.record(action="withdraw_adoption", obj=adoption, actor=user, changes=audit.changes_of(adoption, fields))
    adoption.refresh_from_db()
    for item in adoption.sources.all():
        still = item.contributed_adoptions.filter(withdrawn_at=None).exists()
        item_actions.record_withdrawal(item=item, user=user, note=reason.strip(), still_adopted=still)
    signals.adoption_withdrawn.send(sender=Adoption, adoption=adoption, user=user, reason=reason.strip())
    return adoption


@transaction.atomic
def record_external_adoption(*, adoption: Adoption, user: User, level: str, day, evidence: str):
    """Enter, with evidence, that an office above the system adopted this item."""
    from .models import ExternalAdoption

    _require_editor(user, adoption.publication)
    if adoption.withdrawn_at:
        raise PublicationError("该采用已撤销。")
    if not evidence.strip():
        raise ValidationError("请填写上级采用的依据（如刊物名称和期号）。")
    if ExternalAdoption.objects.filter(adoption=adoption, level=level).exists():
        raise PublicationError(f"已记录过{level}采用。")
    external = ExternalAdoption.objects.create(
        adoption=adoption, level=level, date=day, evidence=evidence.strip(), recorded_by=user
    )
    for item in adoption.sources.all():
        item_actions.record_adoption(item=item, user=user, note=f"{level}采用：{evidence.strip()}")
    signals.external_adoption_recorded.send(sender=ExternalAdoption, external=external, user=user)
    return external


# --- Issues -----------------------------------------------------------------------


def _require_draft(issue: Issue) -> None:
    if issue.state != IssueState.DRAFT:
        raise PublicationError("该期已签发，不能再修改。")
    if issue.sent_at is not None:
        raise PublicationError("本期已送签，请先撤回送签再修改。")


def _lock_issue(issue: Issue) -> Issue:
    """Re-read the issue under a row lock: composing acts of two editors queue up."""
    return Issue.objects.select_for_update().select_related("publication").get(pk=issue.pk)


@transaction.atomic
def create_issue(*, publication: Publication, user: User | None, special: bool = False, key: str = "") -> Issue:
    """A new draft issue of `publication`; only its editors, or the system (`user` None:
    the scheduled compile)."""
    if user is not None:
        _require_editor(user, publication)
    return Issue.objects.create(
        publication=publication, special=special, created_by=user, compile_key=key, copies=publication.default_copies
    )


@transaction.atomic
def compile_note_issue(*, publication: Publication, user: User, key: str, title: str, body: str) -> tuple[Issue, bool]:
    """A draft issue whose text is not adopted items (a 采用情况通报), one per `key`:
    compiling the same key again rewrites the draft's text instead of making another.
    Returns the issue and whether it was made now. A signed one is never rewritten."""
    _require_editor(user, publication)
    # Under the publication's lock two editors compiling the same period get one draft.
    Publication.objects.select_for_update().get(pk=publication.pk)
    existing = Issue.objects.filter(publication=publication, compile_key=key).first()
    if existing is None:
        issue = create_issue(publication=publication, user=user, key=key)
        Issue.objects.filter(pk=issue.pk).update(note_title=title, note_body=body)
        issue.refresh_from_db()
        return issue, True
    if existing.state != IssueState.DRAFT:
        raise PublicationError(f"《{publication.name}》“{title}”已签发（{existing.label}），不能重新生成。")
    if existing.sent_at is not None:
        raise PublicationError(f"《{publication.name}》“{title}”已送签，请先撤回送签再重新生成。")
    fields = {"note_title": title, "note_body": body}
    changes = audit.changes_of(existing, fields)
    Issue.objects.filter(pk=existing.pk).update(version=F("version") + 1, **fields)
    if changes:
        audit.record(action="recompile_note", obj=existing, actor=user, changes=changes)
    existing.refresh_from_db()
    return existing, False


@transaction.atomic
def add_to_issue(*, issue: Issue, adoptions: Iterable[Adoption], user: User | None) -> Issue:
    issue = _lock_issue(issue)
    if user is not None:
        _require_editor(user, issue.publication)
    _require_draft(issue)
    last = issue.adoptions.aggregate(n=Max("position"))["n"] or 0
    for adoption in adoptions:
        if adoption.publication_id != issue.publication_id or adoption.withdrawn_at:
            raise PublicationError("只能编入本刊物已采用的信息。")
        last += 1
        # The filter makes "not yet in an issue" part of the write, so two editors cannot
        # put one adoption into two issues.
        if not Adoption.objects.filter(pk=adoption.pk, issue=None).update(issue=issue, position=last):
            raise PublicationError("该信息已编入其他期。")
        audit.record(
            action="add_to_issue", obj=adoption, actor=user,
            changes={"issue": [None, issue.pk], "position": [adoption.position, last]},
        )  # fmt: skip
    _touch(issue)
    return issue


@transaction.atomic
def remove_from_issue(*, issue: Issue, adoption: Adoption, user: User) -> Issue:
    issue = _lock_issue(issue)
    _require_editor(user, issue.publication)
    _require_draft(issue)
    if adoption.issue_id != issue.pk:
        raise PublicationError("该信息不在本期中。")
    Adoption.objects.filter(pk=adoption.pk).update(issue=None, position=0)
    audit.record(
        action="remove_from_issue", obj=adoption, actor=user,
        changes={"issue": [issue.pk, None], "position": [adoption.position, 0]},
    )  # fmt: skip
    _renumber(issue)
    _touch(issue)
    return issue


@transaction.atomic
def reorder_issue(*, issue: Issue, order: list[int], user: User) -> Issue:
    """Put the issue's adoptions in the given order (ids); the order is kept everywhere."""
    issue = _lock_issue(issue)
    _require_editor(user, issue.publication)
    _require_draft(issue)
    current = list(issue.adoptions.order_by("position", "pk").values_list("pk", flat=True))
    if sorted(order) != sorted(current):
        raise PublicationError("排序已过期，请刷新页面后重试。")
    for position, pk in enumerate(order, start=1):
        Adoption.objects.filter(pk=pk).update(position=position)
    if list(order) != current:  # one entry for the issue: the order of its adoptions (ids)
        audit.record(action="reorder", obj=issue, actor=user, changes={"order": [current, list(order)]})
    _touch(issue)
    return issue


def move_in_issue(*, issue: Issue, adoption_id: int, direction: str, user: User) -> Issue:
    order = list(issue.adoptions.order_by("position", "pk").values_list("pk", flat=True))
    if adoption_id not in order:
        raise PublicationError("该信息不在本期中。")
    i = order.index(adoption_id)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]
    return reorder_issue(issue=issue, order=order, user=user)


def _renumber(issue: Issue) -> None:
    for position, pk in enumerate(issue.adoptions.order_by("position", "pk").values_list("pk", flat=True), start=1):
        Adoption.objects.filter(pk=pk).update(position=position)


def _touch(issue: Issue) -> None:
    Issue.objects.filter(pk=issue.pk).update(version=F("version") + 1)


@transaction.atomic
def send_issue_for_signoff(*, issue: Issue, user: User) -> Issue:
    """送签: an editor hands a composed draft to the office's issue approvers, who are
    notified and see it in 待签发. Composing stops until it is taken back or signed."""
    issue = _lock_issue(issue)
    _require_editor(user, issue.publication)
    if issue.is_sent:
        raise PublicationError("本期已送签，正在等待签发。")
    _require_draft(issue)
    count = issue.adoptions.count()
    if not count and not issue.note_body:
        raise PublicationError("本期还没有编入信息，不能送签。")
    fields = {"sent_at": timezone.now(), "sent_by": user}
    changes = audit.changes_of(issue, fields)
    Issue.objects.filter(pk=issue.pk).update(version=F("version") + 1, **fields)
    issue.refresh_from_db()
    publication = issue.publication
    audit.record(action="send_issue_for_signoff", obj=issue, actor=user, changes=changes,
                 unit=publication.office_id, object_repr=f"{publication.name}草稿 #{issue.pk}")  # fmt: skip
    size = f"{count} 条" if count else "统计正文"
    notify(
        recipients=people_with_roles(publication.office, [Role.ISSUE_APPROVER]),
        verb="issue_sent",
        title=f"送签：《{publication.name}》草稿 #{issue.pk}（{size}），请签发",
        body=f"{user}送签。",
        url=reverse("issue_detail", args=[issue.pk]),
    )
    return issue


@transaction.atomic
def take_back_issue(*, issue: Issue, user: User, comment: str = "") -> Issue:
    """Undo 送签: an editor takes the draft back to change it (撤回送签), or an issue
    approver returns it to the editors (退回编辑, with a reason). The other side is told."""
    issue = _lock_issue(issue)
    publication = issue.publication
    as_editor = access.is_editor_of(user, publication)
    if not (as_editor or access.is_approver_of(user, publication)):
        raise PublicationError("只有本刊物主办单位的编辑或签发人可以进行此操作。")
    if issue.state != IssueState.DRAFT:
        raise PublicationError("该期已签发，不能撤回。")
    if issue.sent_at is None:
        raise PublicationError("本期尚未送签。")
    comment = comment.strip()
    if not as_editor and not comment:
        raise ValidationError("请填写退回理由。")
    sender = issue.sent_by
    fields = {"sent_at": None, "sent_by": None}
    changes = audit.changes_of(issue, fields)
    Issue.objects.filter(pk=issue.pk).update(version=F("version") + 1, **fields)
    issue.refresh_from_db()
    act = "撤回送签" if as_editor else "退回编辑"
    audit.record(action="take_back_issue", obj=issue, actor=user, changes={**changes, "comment": [None, comment]},
                 unit=publication.office_id, object_repr=f"{publication.name}草稿 #{issue.pk}")  # fmt: skip
    if as_editor:
        recipients = people_with_roles(publication.office, [Role.ISSUE_APPROVER])
    else:
        recipients = [sender] if sender else people_with_roles(publication.office, [Role.EDITOR])
    notify(
        recipients=[p for p in recipients if p.pk != user.pk],
        verb="issue_taken_back",
        title=f"{act}：《{publication.name}》草稿 #{issue.pk}",
        body=f"{user}{act}。" + (f"理由：{comment}" if comment else ""),
        url=reverse("issue_detail", args=[issue.pk]),
    )
    return issue


@transaction.atomic
def sign_off_issue(*, issue: Issue, user: User, copies: int | None = None, extra_recipients: str = "") -> Issue:
    """签发: number the issue, lock it, publish its items and distribute it.

    Numbers are taken under a row lock on the publication: two sign-offs at once get
    consecutive numbers, never the same one, and nothing is skipped.
    """
    publication = Publication.objects.select_for_update().get(pk=issue.publication_id)
    issue = _lock_issue(issue)
    if not access.is_approver_of(user, publication):
        raise PublicationError("只有本刊物主办单位的签发人可以签发。")
    if issue.state != IssueState.DRAFT:  # sent (送签) or not: the signer may sign a draft
        raise PublicationError("该期已签发，不能再修改。")
    adoptions = list(issue.adoptions.select_related("item").prefetch_related("sources").order_by("position", "pk"))
    if not adoptions and not issue.note_body:
        raise PublicationError("本期还没有编入信息，不能签发。")
    now = timezone.now()
    today = timezone.localdate(now)
    numbered = Issue.objects.filter(publication=publication, state=IssueState.SIGNED)
    number = (numbered.filter(year=today.year, special=issue.special).aggregate(n=Max("number"))["n"] or 0) + 1
    total = None
    if not issue.special:
        total = (numbered.filter(special=False).aggregate(n=Max("total"))["n"] or publication.total_start) + 1
    fields = dict(
        state=IssueState.SIGNED, year=today.year, number=number, total=total, signed_by=user, signed_at=now,
        signed_date=today, copies=copies if copies is not None else issue.copies,
        extra_recipients=extra_recipients.strip() or issue.extra_recipients,
    )  # fmt: skip
    changes = audit.changes_of(issue, fields)
    Issue.objects.filter(pk=issue.pk).update(version=F("version") + 1, **fields)
    issue.refresh_from_db()
    audit.record(action="sign_off_issue", obj=issue, actor=user, changes=changes, unit=publication.office_id,
                 object_repr=f"{publication.name}{issue.label}")  # fmt: skip
    # One instance per item: an item drawn on by two adoptions of the issue (its own and a
    # composite) is published twice, and the second move must see the first's version.
    items: dict[int, Item] = {}
    for adoption in adoptions:
        for source in adoption.sources.all():
            item = items.setdefault(source.pk, source)
            item_actions.record_publication(item=item, user=user, note=f"《{publication.name}》{issue.label}")
    document = issue_document(issue, complete_copy(issue))
    issue.docx.save(docx.issue_filename(document), ContentFile(docx.build_issue_docx(document)), save=False)
    Issue.objects.filter(pk=issue.pk).update(docx=issue.docx.name)
    signals.issue_signed.send(sender=Issue, issue=issue, user=user)
    _notify_readers(issue)
    return issue


def _notify_readers(issue: Issue) -> None:
    publication = issue.publication
    unit_ids = list(publication.recipients.values_list("unit_id", flat=True))
    readers = User.objects.filter(
        Q(unit_id__in=unit_ids) | Q(unit_id=publication.office_id, role_grants__role=Role.LEADER), is_active=True
    ).distinct()
    notify(
        recipients=readers,
        verb="issue_signed",
        title=f"新刊：《{publication.name}》{issue.label}",
        url=reverse("issue_detail", args=[issue.pk]),
    )


def mark_read(*, issue: Issue, user: User) -> None:
    """Record the first time a recipient opens a signed issue (read receipts). The
    issuing office's editors and issue approvers made the issue: their opening it is
    not reading it, so only its leaders count there."""
    if not issue.is_signed:
        return
    if user.unit_id == issue.publication.office_id and not user.has_role(Role.LEADER):
        return
    IssueRead.objects.get_or_create(issue=issue, reader=user)


# --- Compiling (by beat or by hand) ------------------------------------------------


def compile_issue(*, publication: Publication, key: str, user: User | None = None, run: CompileRun | None = None):
    """Gather every adoption of `publication` not yet in an issue into one draft issue.

    Idempotent: the key (e.g. "daily:2026-11-27") is unique per publication, so running
    twice, or on two workers at once, gives one issue; everything happens in one
    transaction, so a crash leaves no half issue and loses no item (the adoptions stay in
    the pool for the next run).
    """
    run = run or CompileRun.objects.create(publication=publication, key=key, requested_by=user)
    try:
        with transaction.atomic():
            Publication.objects.select_for_update().get(pk=publication.pk)
            # Under the lock: a run already finished (delivered twice, or resumed after a
            # worker died while another worker finished it) is left as it is.
            status = CompileRun.objects.filter(pk=run.pk).values_list("status", flat=True).first()
            if status in (CompileStatus.DONE, CompileStatus.EMPTY, CompileStatus.SKIPPED):
                run.refresh_from_db()
                return run
            existing = Issue.objects.filter(publication=publication, compile_key=key).first()
            if existing is not None:
                _finish(run, CompileStatus.SKIPPED, f"{key} 已编成一期，未重复编辑。", existing)
                return run
            waiting = list(queries.pool(publication).select_for_update())
            CompileRun.objects.filter(pk=run.pk).update(total=len(waiting))
            if not waiting:
                _finish(run, CompileStatus.EMPTY, "没有新采用的信息，本次未出刊。")
                return run
            issue = create_issue(publication=publication, user=user, key=key)
            add_to_issue(issue=issue, adoptions=waiting, user=user)
            CompileRun.objects.filter(pk=run.pk).update(done=len(waiting))
            _finish(run, CompileStatus.DONE, f"已编入 {len(waiting)} 条信息，等待签发。", issue)
            _notify_compiled(issue, len(waiting))
    except Exception as exc:
        _finish(run, CompileStatus.FAILED, f"编辑失败：{exc}"[:300])
        raise
    return run


def _finish(run: CompileRun, status: str, message: str, issue: Issue | None = None) -> None:
    CompileRun.objects.filter(pk=run.pk).update(status=status, message=message, issue=issue, finished_at=timezone.now())
    run.refresh_from_db()


def _notify_compiled(issue: Issue, count: int) -> None:
    publication = issue.publication
    notify(
        recipients=people_with_roles(publication.office, [Role.EDITOR, Role.ISSUE_APPROVER]),
        verb="issue_compiled",
        title=f"《{publication.name}》已自动编辑成期（{count} 条），待签发",
        url=reverse("issue_detail", args=[issue.pk]),
    )


__all__ = [
    "PublicationError",
    "add_to_issue",
    "adopt",
    "adopt_composite",
    "compile_issue",
    "compile_note_issue",
    "create_issue",
    "mark_read",
    "move_in_issue",
    "remove_from_issue",
    "reorder_issue",
    "send_issue_for_signoff",
    "sign_off_issue",
    "take_back_issue",
    "withdraw_adoption",
]
