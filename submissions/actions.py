"""Every change to an item: one function per act.

Each act checks the transition table and the actor's role, updates the item with an
optimistic version check (two editors at once: the second gets a clear message,
nothing is overwritten), writes an event row and notifies, all in one transaction.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

import audit
from units.models import Notification, Role, Unit, User
from units.notify import notify, people_with_roles

from . import checks, filesealing, fingerprint, hooks, queries, uploads
from .models import (
    Attachment,
    Category,
    Confidentiality,
    Fingerprint,
    Item,
    ItemEvent,
    ItemForm,
    ItemVersion,
    State,
    Topic,
    VersionKind,
)
from .sealing import is_sealed, seal
from .timeliness import deadline_for, is_late, penalise_late
from .workflow import EDITOR_EDITABLE, TRANSITIONS, WRITER_EDITABLE, Transition, TransitionError, check

SECRET_REFUSAL = checks.SECRET_REFUSAL
SENSITIVE_NEEDS_READER = "敏感信息请至少选择一位可阅读的领导。"
SENSITIVE_NO_LEADERS = "接收单位尚未设置领导账号，暂不能报送敏感信息，请联系管理员。"


class ConcurrentChange(TransitionError):
    """Someone else changed the item since this person loaded it."""


@dataclass
class ItemData:
    """An item's fields as the writer fills them in (the page form, the API, a script)."""

    title: str
    body: str
    category: Category
    topics: list[Topic] = field(default_factory=list)
    form: str = ItemForm.FULL
    event_date: dt.date | None = None
    writers: str = ""
    phone: str = ""
    signature: str = ""
    confidentiality: str = Confidentiality.INTERNAL
    named_readers: list[User] = field(default_factory=list)


def _refuse_secrets(title: str, body: str) -> None:
    """Refuse state-secret material (涉密) for every caller, page or not, saying whether
    the marking stands in the title or in the body."""
    found = [
        (where, markers)
        for where, text in (("标题", title), ("正文", body))
        if (markers := checks.find_secret_markers(text))
    ]
    if found:
        places = "；".join(f"{where}中发现标识：{'、'.join(markers)}" for where, markers in found)
        raise ValidationError(f"{SECRET_REFUSAL}（{places}）")


def _stored(text: str, confidentiality: str) -> str:
    return seal(text) if confidentiality == Confidentiality.SENSITIVE else text


def _require_role(user: User, item: Item, role: str, scope: str) -> None:
    unit_id = item.unit_id if scope == "unit" else item.office_id
    if not (user.is_active and user.unit_id == unit_id and user.has_role(role)):
        raise TransitionError("您没有权限进行此操作。")


def _save(item: Item, expected_version: int, *, actor: User | None, act: str, **fields) -> Item:
    """Write `fields` only if nobody changed the item since `expected_version`; the
    change goes into the audit record as the act `act` of `actor`."""
    fields["updated_at"] = timezone.now()
    changed = Item.objects.filter(pk=item.pk, version=expected_version).update(version=F("version") + 1, **fields)
    if not changed:
        raise ConcurrentChange("该信息刚刚已被他人修改或处理，请刷新页面查看最新内容后再操作。")
    changes = audit.changes_of(item, fields)
    for name, value in fields.items():
        setattr(item, name, value)
    item.version = expected_version + 1
    audit.record(action=act, obj=item, actor=actor, changes=changes)
    return item


def _event(item: Item, actor: User, action: str, from_state: str, to_state: str, comment: str = "") -> ItemEvent:
    if from_state != to_state:
        # The office's cached desk counts are stale from the moment this commits.
        office_id = item.office_id
        transaction.on_commit(lambda: queries.bump_desk(office_id))
    return ItemEvent.objects.create(
        item=item,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        actor_unit_id=actor.unit_id,
        comment=comment,
    )


def _item_url(item: Item) -> str:
    return reverse("item_detail", args=[item.pk])


def _text_fields(data: ItemData) -> dict:
    return {
        "title": _stored(data.title.strip(), data.confidentiality),
        "body": _stored(data.body.strip(), data.confidentiality),
        "category": data.category,
        "form": data.form,
        "event_date": data.event_date,
        "writers": data.writers,
        "phone": data.phone,
        "signature": data.signature,
        "confidentiality": data.confidentiality,
    }


def _validate(data: ItemData, office: Unit) -> None:
    """The rules of an item's fields for every caller, page form or not: a 敏感 item
    nobody but its editors could read would go unread, so it needs a named leader."""
    if not data.title.strip():
        raise ValidationError("请填写标题。")
    _refuse_secrets(data.title, data.body)
    if any(t.office_id != office.pk for t in data.topics):
        raise ValidationError("主题标签不属于接收单位。")
    if any(not r.has_role(Role.LEADER) or r.unit_id != office.pk for r in data.named_readers):
        raise ValidationError("可阅读敏感信息的只能是接收单位的领导。")
    if data.confidentiality == Confidentiality.SENSITIVE and not data.named_readers:
        has_leaders = queries.office_leaders(office).exists()
        raise ValidationError(SENSITIVE_NEEDS_READER if has_leaders else SENSITIVE_NO_LEADERS)


@transaction.atomic
def create_draft(*, author: User, data: ItemData) -> Item:
    """A staff member starts an item for their unit; it goes to the unit's parent office."""
    unit = author.unit
    if unit is None or not author.has_role(Role.STAFF):
        raise TransitionError("只有信息员可以撰写信息。")
    if unit.parent_id is None:
        raise TransitionError("本单位没有上级单位，无法报送信息。")
    _validate(data, unit.parent)
    item = Item.objects.create(unit=unit, office_id=unit.parent_id, author=author, **_text_fields(data))
    if not item.signature:
        item.signature = unit.name
        item.save(update_fields=["signature"])
    item.topics.set(data.topics)
    item.named_readers.set(data.named_readers if data.confidentiality == Confidentiality.SENSITIVE else [])
    _event(item, author, "create", "", State.DRAFT)
    return item


@transaction.atomic
def update_draft(*, item: Item, user: User, data: ItemData, expected_version: int) -> Item:
    """The writer's unit edits a draft or a returned item. No version is kept: versions
    are what left the unit (one per submission) and what editors changed."""
    if item.state not in WRITER_EDITABLE:
        raise TransitionError(f"该信息当前为“{item.get_state_display()}”状态，不能修改。")
    _require_role(user, item, Role.STAFF, "unit")
    _validate(data, item.office)
    turns_sensitive = not item.is_sensitive and data.confidentiality == Confidentiality.SENSITIVE
    turns_ordinary = item.is_sensitive and data.confidentiality != Confidentiality.SENSITIVE
    _save(item, expected_version, actor=user, act="edit", **_text_fields(data))
    item.topics.set(data.topics)
    item.named_readers.set(data.named_readers if data.confidentiality == Confidentiality.SENSITIVE else [])
    if turns_sensitive:
        _seal_history(item)
    if turns_sensitive or turns_ordinary:
        filesealing.after_commit_sync(item.pk)  # its files are sealed or opened once this commits
    _event(item, user, "edit", item.state, item.state)
    return item


def _seal_history(item: Item) -> None:
    """An item made 敏感 after it left the unit once (returned for revision): the versions
    it already has are sealed like the item, and its duplicate keys go, so no earlier copy
    of the text stays readable in the database."""
    for version in item.versions.all():
        if not is_sealed(version.title):
            version.title, version.body = seal(version.plain_title), seal(version.plain_body)
            version.save(update_fields=["title", "body"])
    item.fingerprints.all().delete()
    # File names of its attachments, written when it was not yet 敏感, go the same way.
    item.events.filter(action__in=("attach", "detach")).update(comment=SENSITIVE_ATTACHMENT_NOTE)
    # And the in-app notifications that named it ("退回修改：<title>"): they now name it as
    # every new one does. (An e-mail already sent cannot be called back.)
    for note in Notification.objects.filter(url=_item_url(item)):
        label = note.title.split("：", 1)[0] if "：" in note.title else ""
        note.title = f"{label}：（敏感信息）" if label else "（敏感信息）"
        note.save(update_fields=["title"])


@transaction.atomic
def edit_as_editor(*, item: Item, user: User, title: str, body: str, expected_version: int, note: str = "") -> Item:
    """An editor of the receiving office edits the text; the writer's version is kept."""
    if item.state not in EDITOR_EDITABLE:
        raise TransitionError(f"该信息当前为“{item.get_state_display()}”状态，不能编辑。")
    _require_role(user, item, Role.EDITOR, "office")
    if not title.strip():
        raise ValidationError("请填写标题。")
    _refuse_secrets(title, body)
    from_state = item.state
    to_state = State.IN_REVIEW if from_state == State.SUBMITTED else from_state
    stored_title, stored_body = (
        _stored(title.strip(), item.confidentiality),
        _stored(body.strip(), item.confidentiality),
    )
    _save(item, expected_version, actor=user, act="editor_edit", title=stored_title, body=stored_body, state=to_state)
    _snapshot(item, user, VersionKind.EDITOR, note or "编辑修改")
    _event(item, user, "editor_edit", from_state, to_state, note)
    return item


def _snapshot(item: Item, user: User, kind: str, note: str) -> ItemVersion:
    last = item.versions.aggregate(n=Max("number"))["n"] or 0
    return ItemVersion.objects.create(
        item=item, number=last + 1, kind=kind, title=item.title, body=item.body, created_by=user, note=note
    )


def _fingerprint(item: Item) -> None:
    # Sensitive items are left out: a duplicate hint would show their title to others.
    item.fingerprints.all().delete()
    if item.is_sensitive:
        return
    keys = fingerprint.band_keys(f"{item.plain_title}\n{item.plain_body}")
    Fingerprint.objects.bulk_create([Fingerprint(item=item, key=k) for k in set(keys)])


@transaction.atomic
def transition(*, item: Item, user: User, action: str, expected_version: int, comment: str = "") -> Item:
    """Take one act of the transition table on `item`."""
    t: Transition = check(action, item.state)
    _require_role(user, item, t.role, t.scope)
    comment = comment.strip()
    if t.needs_comment and not comment:
        raise ValidationError(f"请填写{t.comment_label}。")
    from_state = item.state
    fields: dict = {"state": t.target}
    first_sign_off = action == "sign_off" and item.first_submitted_at is None
    if action == "sign_off":
        _refuse_secrets(item.plain_title, item.plain_body)
        now = timezone.now()
        fields.update(signed_off_by=user, signed_off_at=now, submitted_at=now)
        if first_sign_off:
            # Lateness is decided once, by the first submission: a revision sent back
            # after a return must not turn an on-time item into 迟报.
            deadline = deadline_for(item.category.deadline_rule, item.category.deadline_days, item.event_date)
            fields.update(first_submitted_at=now, deadline=deadline, is_late=is_late(deadline, timezone.localdate(now)))
    _save(item, expected_version, actor=user, act=action, **fields)
    _event(item, user, action, from_state, t.target, comment)
    if action == "sign_off":
        resubmission = item.versions.exists()
        _snapshot(item, user, VersionKind.WRITER, "修改后重新报送" if resubmission else "首次报送")
        _fingerprint(item)
    _notify_after(item, user, t, comment)
    hooks.after_transition(item, user, action)  # e.g. an emergency's first report is timed (hooks.py)
    if first_sign_off and item.is_late:
        penalise_late(item=item, user=user)
    return item


def _notify_after(item: Item, actor: User, t: Transition, comment: str) -> None:
    title = item.plain_title if not item.is_sensitive else "（敏感信息）"
    url = _item_url(item)
    if t.action == "send_for_signoff":
        notify(recipients=people_with_roles(item.unit, [Role.UNIT_APPROVER]), verb="signoff_requested",
               title=f"待审签：{title}", body=f"{actor} 提交了信息，请审签。", url=url)  # fmt: skip
    elif t.action in ("sign_off", "send_back"):
        body = f"{actor}：{t.label}" + (f"。意见：{comment}" if comment else "")
        notify(recipients=[item.author], verb=t.action, title=f"{t.label}：{title}", body=body, url=url)
    elif t.action in ("return", "reject", "hold"):
        recipients = [item.author, *people_with_roles(item.unit, [Role.STAFF, Role.UNIT_APPROVER])]
        body = f"{item.office.display_name}编辑 {actor}：{t.label}" + (
            f"。{t.comment_label}：{comment}" if comment else ""
        )
        notify(recipients=recipients, verb=t.action, title=f"{t.label}：{title}", body=body, url=url)


def add_attachment(*, item: Item, user: User, upload) -> Attachment:
    """Attach a checked file while the writer's unit may still edit the item.

    The file is written first and removed again if the database part fails, so a
    failed upload leaves neither a row nor a stray file.
    """
    if item.state not in WRITER_EDITABLE:
        raise TransitionError("信息报送后不能再添加附件。")
    _require_role(user, item, Role.STAFF, "unit")
    kind = uploads.sniff(upload, name=upload.name)
    attachment = Attachment(
        item=item,
        original_name=upload.name[:200],
        kind=kind.key,
        content_type=kind.content_type,
        size=upload.size,
        uploaded_by=user,
    )
    # Stored under a generated name with the extension of what the content really is;
    # a 敏感 item's file sealed (filesealing.py).
    stored = upload
    if item.is_sensitive:
        upload.seek(0)
        stored = ContentFile(filesealing.seal_bytes(upload.read()))
    attachment.file.save(f"upload{kind.extension}", stored, save=False)
    try:
        with transaction.atomic():
            attachment.save()
            _event(item, user, "attach", item.state, item.state, _attachment_note(item, upload.name[:200]))
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


SENSITIVE_ATTACHMENT_NOTE = "（敏感信息附件）"


def _attachment_note(item: Item, name: str) -> str:
    # A 敏感 item's file names tell as much as its title, and event rows are not sealed:
    # the row says that a file came or went, not which.
    return SENSITIVE_ATTACHMENT_NOTE if item.is_sensitive else name


@transaction.atomic
def remove_attachment(*, attachment: Attachment, user: User) -> None:
    """Delete an attachment while the writer's unit may still edit the item; the file
    goes only once the deletion is committed."""
    item = attachment.item
    if item.state not in WRITER_EDITABLE:
        raise TransitionError("信息报送后不能再删除附件。")
    _require_role(user, item, Role.STAFF, "unit")
    name, storage = attachment.file.name, attachment.file.storage
    attachment.delete()
    _event(item, user, "detach", item.state, item.state, _attachment_note(item, attachment.original_name))
    transaction.on_commit(lambda: storage.delete(name))


def transitions_for(item: Item, user: User) -> list[Transition]:
    """The acts this person may take on the item now (for the buttons on its page)."""
    from .workflow import available

    roles = {"unit": frozenset(), "office": frozenset()}
    if user.unit_id == item.unit_id:
        roles["unit"] = user.role_set
    if user.unit_id == item.office_id:
        roles["office"] = user.role_set
    return available(item.state, roles)


__all__ = [
    "SENSITIVE_NEEDS_READER",
    "SENSITIVE_NO_LEADERS",
    "TRANSITIONS",
    "ConcurrentChange",
    "ItemData",
    "TransitionError",
    "add_attachment",
    "create_draft",
    "edit_as_editor",
    "remove_attachment",
    "transition",
    "transitions_for",
    "update_draft",
]


# --- Hooks for the publications app: adoption and publication move the item too. ---


def _move(item: Item, user: User, action: str, *, note: str, expected_version: int | None, stay: bool = False) -> Item:
    """One move of the table's publication acts (adopt, publish, unadopt): the same state,
    role and version checks and the same guarded save as `transition`. `stay` keeps the
    item where it is (another adoption still draws on it)."""
    t = check(action, item.state, direct=False)
    _require_role(user, item, t.role, t.scope)
    from_state = item.state
    to_state = from_state if stay else t.target_from(from_state)
    # Without a version from the caller, the one read in this transaction: a change made
    # since by someone else is refused, not overwritten.
    version = item.version if expected_version is None else expected_version
    _save(item, version, actor=user, act=action, state=to_state)
    _event(item, user, action, from_state, to_state, note)
    return item


def record_adoption(*, item: Item, user: User, note: str, expected_version: int | None = None) -> Item:
    """Mark an item adopted (once or again); called inside the adoption's transaction.

    A published item stays published when adopted into a second publication.
    """
    return _move(item, user, "adopt", note=note, expected_version=expected_version)


def record_publication(*, item: Item, user: User, note: str, expected_version: int | None = None) -> Item:
    """Mark an item published: the issue it is in was signed off (by `user`, the
    office's issue approver)."""
    return _move(item, user, "publish", note=note, expected_version=expected_version)


def record_withdrawal(
    *, item: Item, user: User, note: str, still_adopted: bool, expected_version: int | None = None
) -> Item:
    """An adoption was withdrawn; with no adoption left the item returns to review."""
    return _move(item, user, "unadopt", note=note, expected_version=expected_version, stay=still_adopted)


@transaction.atomic
def create_forwarded(*, original: Item, user: User, note: str = "") -> Item:
    """转报: an editor of the office that received `original` sends it on to the parent
    office as this office's own submission, linked to the original; the forwarding
    editor's sign-off is recorded as the office's."""
    office = user.unit
    if not (user.is_active and office is not None and original.office_id == office.pk and user.has_role(Role.EDITOR)):
        raise TransitionError("只有接收该信息的单位的编辑可以转报。")
    if office.parent_id is None:
        raise TransitionError("本单位没有上级单位，请在系统外报送（如国办），并在采用记录中登记结果。")
    if original.state not in (State.ADOPTED, State.PUBLISHED):
        raise TransitionError("只有已采用的信息可以转报上级。")
    if Item.objects.filter(forwarded_from=original).exists():
        raise TransitionError("该信息已转报过上级。")
    now = timezone.now()
    title, body = original.plain_title, original.plain_body
    deadline = deadline_for(original.category.deadline_rule, original.category.deadline_days, original.event_date)
    forwarded = Item.objects.create(
        unit=office, office_id=office.parent_id, author=user, forwarded_from=original,
        title=_stored(title, original.confidentiality), body=_stored(body, original.confidentiality),
        category=original.category, form=original.form, event_date=original.event_date, writers=original.writers,
        phone=original.phone, signature=office.name, confidentiality=original.confidentiality,
        state=State.SUBMITTED, signed_off_by=user, signed_off_at=now, submitted_at=now, first_submitted_at=now,
        deadline=deadline, is_late=is_late(deadline, timezone.localdate(now)),
        emergency_case=None, report_kind=original.report_kind,
    )  # fmt: skip
    _event(forwarded, user, "forward_in", "", State.SUBMITTED, note or f"转报自{original.unit.name}")
    _event(original, user, "forward", original.state, original.state, note or f"转报{office.parent.name}")
    _snapshot(forwarded, user, VersionKind.WRITER, f"转报自{original.unit.display_name}")
    _fingerprint(forwarded)
    notify(
        recipients=people_with_roles(office.parent, [Role.EDITOR]),
        verb="submitted", title=f"收到转报信息：{'（敏感信息）' if original.is_sensitive else title}",
        url=_item_url(forwarded),
    )  # fmt: skip
    return forwarded


def forward_chain(item: Item) -> list[Item]:
    """The copies of `item` forwarded upward, nearest first (city → province → …)."""
    chain = []
    current = item
    while True:
        nxt = Item.objects.filter(forwarded_from=current).select_related("office").first()
        if nxt is None or len(chain) > 5:
            return chain
        chain.append(nxt)
        current = nxt
