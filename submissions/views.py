"""Item pages: thin views that parse a form, get the item through access.py, call one
action and redirect. Domain errors come back as plain Chinese messages."""

import re
from dataclasses import replace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from units.access import phone_for
from units.reads import record_read

from . import access, actions, pictures, queries
from .docx_import import import_docx
from .downloads import attachment_response
from .forms import ActionForm, AttachmentForm, DocxImportForm, EditorEditForm, FilterForm, ItemEditForm
from .models import AT_OFFICE, Attachment, State
from .panels import panels_for
from .uploads import UploadRejected
from .workflow import EDITOR_EDITABLE, TRANSITIONS, TransitionError

PAGE_SIZE = 30
COUNT_CAP = 1000


def _errors(exc: ValidationError | TransitionError) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _require_staff(request):
    if not access.can_write_items(request.user):
        return render(request, "403.html", {"message": "只有信息员可以撰写信息。"}, status=403)
    return None


@require_http_methods(["GET", "POST"])
def item_create(request):
    if (refused := _require_staff(request)) is not None:
        return refused
    office = request.user.unit.parent
    form = ItemEditForm(request.POST or None, office=office, initial={"signature": request.user.unit.name})
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.create_draft(author=request.user, data=form.to_data())
        except (ValidationError, TransitionError) as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, "草稿已保存。")
            return _forget_autosave(request, redirect("item_detail", item.pk))
    return render(request, "submissions/item_form.html", _form_context(request, form, office))


AUTOSAVE_COOKIE = "gi_autosaved"
_AUTOSAVE_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _forget_autosave(request, response):
    """Tell the form's script (static/js/item_form.js) that the copy it kept in this
    browser under `autosave_key` is now saved on the server, so it is not offered back.
    A cookie, because the next page the script runs on may be days away; the key is the
    script's own random one, checked here so nothing else lands in the header."""
    key = request.POST.get("autosave_key", "")
    if _AUTOSAVE_KEY.fullmatch(key):
        response.set_cookie(AUTOSAVE_COOKIE, key, max_age=30 * 24 * 3600, samesite="Lax", secure=request.is_secure())
    return response


def _form_context(request, form, office, item=None, import_form=None) -> dict:
    title, body = form["title"].value() or "", form["body"].value() or ""
    return {
        "form": form,
        "office": office,
        "item": item,
        "import_form": import_form or DocxImportForm(),
        **queries.writing_hints(
            request.user,
            title,
            body,
            form=form["form"].value() or "full",
            office_id=office.pk if office else None,
            exclude_pk=item.pk if item else None,
        ).context(),
    }


def _typed_values(form: ItemEditForm, request) -> dict:
    """What the writer has typed into the item form, as the form's initial values: the
    import posts the whole form, so the page comes back exactly as it was left (an
    unbound form, so no "请填写…" errors for fields the writer has not reached yet)."""
    values = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        if key in request.POST:
            values[name] = field.widget.value_from_datadict(request.POST, request.FILES, key)
    return values


IMPORT_REPLACE, IMPORT_KEEP = "replace", "keep"


@require_POST
def item_import(request):
    """Fill the new-item form from a Word draft; nothing is saved until the writer saves.

    Typed text is never lost: an empty form is filled, a form with a title or body asks
    first (the imported text waits in the page until the writer answers), and a failed
    import shows the form exactly as it was posted."""
    if (refused := _require_staff(request)) is not None:
        return refused
    office = request.user.unit.parent
    typed = _typed_values(ItemEditForm(office=office), request)
    if "signature" not in request.POST:
        typed["signature"] = request.user.unit.name
    import_form = DocxImportForm(request.POST, request.FILES)
    pending = None
    choice = request.POST.get("import_choice", "")
    if choice in (IMPORT_REPLACE, IMPORT_KEEP):
        import_form = DocxImportForm()
        if choice == IMPORT_REPLACE:
            imported_title = request.POST.get("imported_title", "")
            typed.update(title=imported_title or typed.get("title", ""), body=request.POST.get("imported_body", ""))
            messages.success(request, "已用 Word 文档中的标题和正文替换原有内容，请核对后保存。")
        else:
            messages.info(request, "已保留您填写的内容，未使用导入的文字。")
    elif import_form.is_valid():
        try:
            draft = import_docx(import_form.cleaned_data["docx"])
        except UploadRejected as exc:
            import_form.add_error("docx", exc.message)
        else:
            has_text = any(str(typed.get(name) or "").strip() for name in ("title", "body"))
            unchanged = (typed.get("title", ""), typed.get("body", "")) == (draft.title, draft.body)
            if has_text and not unchanged:
                pending = draft
            else:
                typed.update(title=draft.title or typed.get("title", ""), body=draft.body)
                messages.success(request, "已从 Word 文档导入标题和正文，请核对后保存。")
            for warning in draft.warnings:
                messages.warning(request, warning)
    form = ItemEditForm(initial=typed, office=office)
    context = _form_context(request, form, office, import_form=import_form)
    context["pending_import"] = pending
    return render(request, "submissions/item_form.html", context)


@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int):
    item = access.get_item_for_user(request.user, pk)
    if not access.can_edit_item(request.user, item):
        messages.error(request, "该信息当前不能修改。")
        return redirect("item_detail", item.pk)
    initial = {
        "title": item.plain_title,
        "body": item.plain_body,
        "category": item.category_id,
        "form": item.form,
        "topics": list(item.topics.all()),
        "event_date": item.event_date,
        "writers": item.writers,
        "phone": item.phone,
        "signature": item.signature,
        "confidentiality": item.confidentiality,
        "named_readers": list(item.named_readers.all()),
        "version": item.version,
    }
    form = ItemEditForm(request.POST or None, initial=initial, office=item.office, require_version=True)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_draft(
                item=item, user=request.user, data=form.to_data(), expected_version=form.cleaned_data["version"]
            )
        except (ValidationError, TransitionError) as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, "修改已保存。")
            return _forget_autosave(request, redirect("item_detail", item.pk))
    return render(request, "submissions/item_form.html", _form_context(request, form, item.office, item=item))


@require_POST
def item_check(request):
    """Live writing checks (htmx): hints and near-duplicates for the text being typed."""
    title, body = request.POST.get("title", ""), request.POST.get("body", "")
    exclude = request.POST.get("item_id") or ""
    # isdigit() alone lets "²" through to int(); isascii() keeps it to 0-9.
    exclude_pk = int(exclude) if exclude.isascii() and exclude.isdigit() else None
    found = queries.live_writing_hints(
        request.user, title, body, form=request.POST.get("form", "full"), item_pk=exclude_pk
    )
    return render(request, "submissions/_hints.html", found.context())


@require_GET
def item_detail(request, pk: int):
    """The item page: for the writer's unit its status and history; for the office's
    editors the review page with the actions they may take."""
    item = access.get_item_for_user(request.user, pk)
    if item.is_sensitive:
        record_read("read_sensitive_item", item)  # GB/T 22239 8.1.4.3: reads that matter
    is_editor = access.is_office_editor(request.user, item)
    context = {
        "item": item,
        "writer_phone": phone_for(request.user, item),
        "is_editor": is_editor,
        "editor_can_edit": is_editor and item.state in EDITOR_EDITABLE,
        "can_edit": access.can_edit_item(request.user, item),
        "transitions": actions.transitions_for(item, request.user),
        "action_form": ActionForm(initial={"version": item.version}),
        "attachment_form": AttachmentForm(),
        "attachments": item.attachments.all(),
        "can_mark_for_print": access.can_mark_for_print(request.user, item),
        "events": queries.history(item),
        "versions": queries.item_versions(item),
        "topics": item.topics.all(),
        "panels": panels_for(request, item),
        "returns": item.events.filter(action__in=["return", "send_back", "reject"])
        .select_related("actor")
        .order_by("-at"),
        **queries.writing_hints(
            request.user,
            item.plain_title,
            item.plain_body,
            form=item.form,
            office_id=item.office_id,
            exclude_pk=item.pk,
        ).context(),  # fmt: skip
    }
    return render(request, "submissions/item_detail.html", context)


@require_POST
def item_act(request, pk: int, action: str):
    item = access.get_item_for_user(request.user, pk)
    if action not in TRANSITIONS:
        raise Http404
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("item_detail", item.pk)
    try:
        actions.transition(
            item=item,
            user=request.user,
            action=action,
            expected_version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"],
        )
    except (ValidationError, TransitionError) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"已{TRANSITIONS[action].label}。")
        if item.state == State.SUBMITTED and action == "sign_off" and item.is_late:
            messages.warning(request, "该信息已超过报送时限，标记为迟报。")
    return redirect("item_detail", item.pk)


@require_http_methods(["GET", "POST"])
def item_editor_edit(request, pk: int):
    item = access.get_item_for_editor(request.user, pk)
    form = EditorEditForm(
        request.POST or None, initial={"title": item.plain_title, "body": item.plain_body, "version": item.version}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.edit_as_editor(
                item=item, user=request.user, title=d["title"], body=d["body"], expected_version=d["version"],
                note=d["note"],
            )  # fmt: skip
        except (ValidationError, TransitionError) as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, "已保存编辑修改稿，撰写人原稿已保留。")
            return redirect("item_detail", item.pk)
    return render(request, "submissions/editor_edit.html", {"item": item, "form": form})


@require_GET
def item_diff(request, pk: int):
    item = access.get_item_for_user(request.user, pk)

    def number(name: str) -> int | None:
        raw = request.GET.get(name, "")
        return int(raw) if raw.isascii() and raw.isdigit() else None  # isdigit() alone lets "²" through

    try:
        # The selectors may send anything: a version the item lacks shows the default.
        found = queries.version_diff(item, number("a"), number("b"), lenient=True)
    except queries.NoDiff as exc:
        messages.info(request, exc.message)
        return redirect("item_detail", item.pk)
    context = {
        "item": item,
        "versions": found.versions,
        "a": found.a,
        "b": found.b,
        "diff": found.html,
        "stats": {"inserted": found.inserted, "deleted": found.deleted},
    }
    return render(request, "submissions/item_diff.html", context)


@require_POST
def attachment_add(request, pk: int):
    item = access.get_item_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(form.errors["file"]))
        return redirect("item_detail", item.pk)
    try:
        actions.add_attachment(item=item, user=request.user, upload=form.cleaned_data["file"])
    except UploadRejected as exc:
        messages.error(request, f"附件未上传：{exc.message}")
    except (ValidationError, TransitionError) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "附件已上传。")
    return redirect("item_detail", item.pk)


def _get_attachment(request, pk: int) -> Attachment:
    attachment = get_object_or_404(Attachment.objects.select_related("item"), pk=pk)
    access.get_item_for_user(request.user, attachment.item_id)  # 404 unless the item is readable
    return attachment


@require_GET
def attachment_download(request, pk: int):
    """Files live outside the web root and are served only after the access check."""
    return attachment_response(_get_attachment(request, pk))


@require_POST
def attachment_delete(request, pk: int):
    attachment = _get_attachment(request, pk)
    item_pk = attachment.item_id
    try:
        actions.remove_attachment(attachment=attachment, user=request.user)
    except (ValidationError, TransitionError) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "附件已删除。")
    return redirect("item_detail", item_pk)


@require_POST
def attachment_print(request, pk: int):
    """Mark or unmark a picture 随文刊发: the receiving office's editors only (404 to
    anyone else, as if the attachment did not exist)."""
    attachment = _get_attachment(request, pk)
    if not access.can_mark_for_print(request.user, attachment.item):
        raise Http404("没有找到该附件")
    for_print = request.POST.get("for_print") == "1"
    try:
        pictures.mark_for_print(attachment=attachment, user=request.user, for_print=for_print)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已设为随文刊发，图片将印在信息正文之后。" if for_print else "已取消随文刊发。")
    return redirect("item_detail", attachment.item_id)


@require_GET
def my_items(request):
    qs = access.unit_items(request.user)
    if not access.can_see_unit_items(request.user):
        return render(request, "403.html", {"message": "“本单位信息”仅对本单位信息员、审签人和领导开放。"}, status=403)
    filter_form = FilterForm(request.GET or None)
    filters = filter_form.filters() if request.GET else queries.ItemFilters()
    counts = queries.state_counts(qs)
    listing = queries.my_items(qs, filters)
    known = _known_total(replace(filters, view=""), counts)
    if known is not None:
        # Unfiltered (or by state only), the state counts are the total: every page reachable.
        paginator = Paginator(listing, PAGE_SIZE)
        paginator.count = known
    else:
        paginator = _capped(listing, lambda: queries.my_items(qs, filters, broad=True), filters.q)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "capped": known is None and paginator.count > COUNT_CAP,
        "filter_form": filter_form,
        "counts": counts,
        "states": State.choices,
    }
    return render(request, "submissions/my_items.html", context)


@require_GET
def signoff_queue(request):
    if not access.can_sign_off_queue(request.user):
        return render(request, "403.html", {"message": "待审签列表仅对单位审签人开放。"}, status=403)
    qs = access.unit_items(request.user).filter(state=State.PENDING_SIGNOFF)
    page = Paginator(queries.my_items(qs, queries.ItemFilters()), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "submissions/signoff_queue.html", {"page": page})


def _capped(listing, broad_listing, q: str) -> Paginator:
    """A paginator over a filtered list that counts its matches only up to COUNT_CAP + 1
    (the page says "1000+" beyond). A search matching more than that is listed newest
    first, from `broad_listing()` (search.filter_text): ranking so many would read and
    sort every match before showing the first page."""
    # Only the ids: the listing's annotations (attachments, rank) would run per row.
    count = listing.order_by().values("pk")[: COUNT_CAP + 1].count()
    if q and count > COUNT_CAP:
        listing = broad_listing()
    paginator = Paginator(listing, PAGE_SIZE)
    paginator.count = count
    return paginator


def _known_total(filters: queries.ItemFilters, counts: dict[str, int]) -> int | None:
    """The number of items a desk view lists, when the cached counts already tell it."""
    narrowing = (filters.unit, filters.category, filters.topic, filters.date_from, filters.date_to, filters.late,
                 filters.confidentiality, filters.q)  # fmt: skip
    if any(narrowing):
        return None
    if filters.view == "waiting":
        states = [State.SUBMITTED, State.IN_REVIEW] if not filters.state else [filters.state]
        return sum(counts.get(s, 0) for s in states if s in (State.SUBMITTED, State.IN_REVIEW))
    if filters.state:
        return counts.get(filters.state, 0)
    return sum(counts.values())


@require_GET
def desk(request):
    """The editor's desk: everything submitted to this office, filtered and paginated;
    the number of queries does not grow with the number of items."""
    if not access.can_use_desk(request.user):
        return render(request, "403.html", {"message": "编辑台仅对编辑开放。"}, status=403)
    office = request.user.unit
    base = access.desk_items(request.user)
    filter_form = FilterForm(request.GET or None, office=office)
    filters = filter_form.filters() if request.GET else queries.ItemFilters()
    counts = queries.desk_counts(office.pk, base)
    listing = queries.desk(base, filters)
    urgent = queries.urgent(base, filters)
    paginator = Paginator(listing, PAGE_SIZE)
    known = _known_total(filters, counts)
    if known is not None:
        # The unfiltered desk's total is the sum of the cached counts: no COUNT(*) scan.
        paginator.count = max(0, known - len(urgent))
    else:
        paginator = _capped(listing, lambda: queries.desk(base, filters, broad=True), filters.q)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "urgent": urgent if page.number == 1 else [],
        "filter_form": filter_form,
        "counts": counts,
        "overdue": queries.overdue_count(base),
        "states": [(s, label) for s, label in State.choices if s in AT_OFFICE],
        "view": filters.view,
        "capped": known is None and paginator.count > COUNT_CAP,
    }
    return render(request, "submissions/desk.html", context)
