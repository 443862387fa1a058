"""Instruction pages: writing one (from the issue a leader reads), the handling units'
inbox and report back, the office's list and export, and the panel on the item page.
Thin views: objects through `access`, reads and statuses through `queries`, changes
through `actions`."""

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.downloads import file_response
from submissions import access as item_access
from submissions.uploads import UploadRejected, download_name
from submissions.workflow import TransitionError
from units.reads import record_read

from ..access import can_read_issue
from ..copies import issue_copy
from ..models import Adoption, InstructionHandler
from ..queries import leader_level
from . import access, actions, exports, queries
from .forms import FeedbackForm, InboxFilterForm, InstructionFilterForm, InstructionForm


def _error(exc) -> list[str]:
    return exc.messages if isinstance(exc, ValidationError) else [str(exc)]


def _forbidden(request, message: str):
    return render(request, "403.html", {"message": message}, status=403)


# --- Writing an instruction --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def instruction_create(request):
    """The instruction form for one item of a signed issue (?issue=…&item=…, or just
    ?item=…). With only ?issue=…, the issue's items to choose from."""
    item_pk, issue_pk = request.GET.get("item"), request.GET.get("issue")
    if not item_pk:
        if not issue_pk:
            raise Http404("请从刊物中选择要批示的信息")
        issue = access.get_issue_for_instruction(request.user, issue_pk)
        context = {"issue": issue, "adoptions": issue_copy(issue, request.user).adoptions}
        return render(request, "publications/instructions/choose_item.html", context)
    item, issue = access.get_target_for_instruction(request.user, item_pk, issue_pk)
    office = issue.publication.office
    is_leader = access.instructs_as_leader(request.user)
    initial = {**InstructionForm.defaults(timezone.localdate()), "units": [item.unit_id]}
    if is_leader:
        initial["leader_name"] = request.user.get_full_name()
        initial["level"] = leader_level(request.user)
    form = InstructionForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        units=queries.handler_units(office, item),
        leader_required=not is_leader,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            instruction = actions.make_instruction(
                item=item, issue=issue, user=request.user, leader_name=d["leader_name"], level=d["level"],
                text=d["text"], date=d["date"], deadline=d["deadline"], units=list(d["units"]),
            )  # fmt: skip
        except (ValidationError, TransitionError) as exc:
            for message in _error(exc):
                form.add_error(None, message)
        else:
            names = "、".join(h.unit.display_name for h in instruction.handler_links.select_related("unit"))
            messages.success(request, f"批示已保存，已通知承办单位：{names}。")
            return redirect("instruction_detail", instruction.pk)
    adoption = Adoption.objects.filter(issue=issue, withdrawn_at=None, sources=item).order_by("position", "pk").first()
    context = {
        "form": form,
        "item": item,
        "issue": issue,
        "adoption": adoption,
        "is_leader": is_leader,
        "query": urlencode({"issue": issue.pk, "item": item.pk}),
    }
    return render(request, "publications/instructions/form.html", context)


# --- One instruction, and the report back ------------------------------------------------


def _detail_context(request, instruction, feedback_form=None) -> dict:
    today = timezone.localdate()
    handlers = InstructionHandler.objects.select_related("unit", "feedback_by").prefetch_related("attachments")
    prefetch_related_objects([instruction], Prefetch("handler_links", queryset=handlers))
    (instruction,) = queries.with_statuses([instruction], request.user, today)
    handlers = instruction.handler_list
    mine = next((h for h in handlers if access.is_handler_member(request.user, h.unit_id)), None)
    return {
        "instruction": instruction,
        "handlers": handlers,
        "mine": mine,
        "feedback_form": feedback_form or (FeedbackForm() if mine and not mine.feedback_at else None),
        "item_title": instruction.title,
        "can_read_item": item_access.can_read(request.user, instruction.item),
        "can_read_issue": bool(instruction.issue and can_read_issue(request.user, instruction.issue)),
        "is_office": access.is_office_reader(request.user, instruction.office_id),
        "today": today,
    }


@require_GET
def instruction_detail(request, pk: int):
    instruction = access.get_instruction_for_user(request.user, pk)
    return render(request, "publications/instructions/detail.html", _detail_context(request, instruction))


@require_POST
def instruction_feedback(request, pk: int):
    """The handling unit reports back; on error the page comes back with what was typed."""
    instruction, handler = access.get_handler_for_user(request.user, pk)
    form = FeedbackForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.report_feedback(
                handler=handler, user=request.user, text=form.cleaned_data["text"], files=form.cleaned_data["files"]
            )
        except UploadRejected as exc:
            form.add_error("files", f"附件未上传：{exc.message}")
        except (ValidationError, TransitionError) as exc:
            for message in _error(exc):
                form.add_error(None, message)
        else:
            handler.refresh_from_db()
            if handler.is_late:
                messages.warning(request, "已反馈。反馈晚于期限，已标记为逾期反馈。")
            else:
                messages.success(request, "已反馈办理情况。")
            return redirect("instruction_detail", instruction.pk)
    context = _detail_context(request, instruction, feedback_form=form)
    return render(request, "publications/instructions/detail.html", context)


@require_GET
def feedback_attachment(request, pk: int):
    """Feedback files live outside the web root and are served only after the check."""
    attachment = access.get_attachment_for_user(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件不存在") from None
    record_read("download_attachment", attachment)
    # Images open in the browser, the rest download; both came from users, so sandboxed.
    return file_response(
        handle, filename=download_name(attachment.original_name, attachment.content_type),
        content_type=attachment.content_type, as_attachment=not attachment.content_type.startswith("image/"),
        sandbox=True,
    )  # fmt: skip


# --- Lists ------------------------------------------------------------------------------


@require_GET
def instruction_inbox(request):
    """待办批示: what the person's unit must report back on."""
    if not access.is_handler_member(request.user, request.user.unit_id):
        return _forbidden(request, "待办批示仅对信息员、单位审签人和领导开放。")
    today = timezone.localdate()
    form = InboxFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(queries.inbox(request.user, today=today, status=status), 20).get_page(request.GET.get("page"))
    queries.with_inbox_statuses(page, request.user, today)
    context = {"page": page, "status": status, "statuses": queries.Status.CHOICES, "today": today}
    return render(request, "publications/instructions/inbox.html", context)


def _office_list(request):
    form = InstructionFilterForm(request.GET or None)
    today = timezone.localdate()
    qs = queries.office_instructions(
        request.user.unit_id, today=today, status=form.value("status"), level=form.value("level"), q=form.value("q")
    )
    return form, qs, today


@require_GET
def instruction_list(request):
    """The office's instructions and their feedback, overdue first."""
    if not access.can_follow_office(request.user):
        return _forbidden(request, "批示办理情况仅对本单位的编辑、领导和签发人开放。")
    form, qs, today = _office_list(request)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    queries.with_statuses(page, request.user, today)
    overdue = queries.office_instructions(request.user.unit_id, today=today, status=queries.Status.OVERDUE).count()
    context = {"form": form, "page": page, "today": today, "overdue": overdue, "query": request.GET.urlencode()}
    return render(request, "publications/instructions/list.html", context)


@require_GET
def instruction_export(request):
    if not access.can_follow_office(request.user):
        return _forbidden(request, "批示办理情况仅对本单位的编辑、领导和签发人开放。")
    _, qs, today = _office_list(request)
    data = exports.export_xlsx(queries.with_statuses(qs, request.user, today))
    record_read("export", what="批示办理情况.xlsx", query=request.GET.urlencode())
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('批示办理情况.xlsx')}"
    return response


# --- The item page -----------------------------------------------------------------------


def instruction_panel(request, item) -> dict | None:
    """Instructions and their feedback on the item page (registered with
    submissions.panels); those who may instruct on it get the "写批示" link."""
    instructions = queries.item_instructions(item)
    issues = access.instructable_issues(request.user, item)
    if not instructions and not issues:
        return None
    create_url = ""
    if issues:
        create_url = f"{reverse('instruction_create')}?{urlencode({'issue': issues[0].pk, 'item': item.pk})}"
    # The panel sits on the item's own page: no titles to mask.
    queries.with_statuses(instructions, request.user, timezone.localdate(), titles=False)
    return {
        "template": "publications/instructions/_item_panel.html",
        "instructions": instructions,
        "create_url": create_url,
        "item": item,
    }
