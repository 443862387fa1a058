"""Commission (约稿) and monthly-progress pages: thin views over the package's access,
actions, queries and exports.

The answer page reuses the writer's ItemEditForm and writing checks; only the form's
target differs, so that the new draft is linked to the commission in the same act.
"""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from units.reads import record_read

from .. import checks
from .. import queries as item_queries
from ..forms import ItemEditForm
from ..models import ItemForm
from ..workflow import TransitionError
from . import access, actions, exports, queries
from .forms import CommissionFilterForm, CommissionForm, parse_month

PAGE_SIZE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _errors(exc: ValidationError | TransitionError) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _refuse(request, message: str):
    return render(request, "403.html", {"message": message}, status=403)


@require_GET
def commission_list(request):
    if not access.can_issue_commission(request.user):
        return _refuse(request, "约稿管理仅对编辑开放。")
    now = timezone.now()
    filter_form = CommissionFilterForm(request.GET or None)
    qs = queries.office_listing(request.user, q=filter_form.value("q"), status=filter_form.value("status"), now=now)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = queries.attach_counts(page.object_list, now=now)
    context = {"page": page, "rows": rows, "filter_form": filter_form}
    return render(request, "submissions/commissions/list.html", context)


@require_http_methods(["GET", "POST"])
def commission_create(request):
    if not access.can_issue_commission(request.user):
        return _refuse(request, "只有编辑可以发布约稿。")
    office = request.user.unit
    form = CommissionForm(request.POST or None, office=office)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            commission = actions.issue_commission(
                user=request.user, topic=d["topic"], requirements=d["requirements"], deadline=d["deadline"],
                units=d["targets"],
            )  # fmt: skip
        except (ValidationError, TransitionError) as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, f"约稿已发布，已通知 {len(d['targets'])} 个单位。")
            return redirect("commission_detail", commission.pk)
    has_targets = form.fields["targets"].queryset.exists()
    return render(
        request, "submissions/commissions/form.html", {"form": form, "office": office, "has_targets": has_targets}
    )


@require_GET
def commission_detail(request, pk: int):
    commission = access.get_commission_for_editor(request.user, pk)
    now = timezone.now()
    rows = queries.commission_targets(commission, now=now)
    is_open = commission.deadline > now
    # Before the deadline nobody is "missing" yet; after it nobody is "pending".
    shown = [queries.ON_TIME, queries.LATE, queries.PENDING if is_open else queries.MISSING]
    counts = [(s, queries.STATUS_LABELS[s], sum(1 for r in rows if r.status == s)) for s in shown]
    context = {"commission": commission, "rows": rows, "counts": counts, "is_open": is_open}
    return render(request, "submissions/commissions/detail.html", context)


@require_GET
def commission_inbox(request):
    if not access.can_use_inbox(request.user):
        return _refuse(request, "约稿通知仅对约稿对象单位的信息员、审签人和领导开放。")
    now = timezone.now()
    show_closed = request.GET.get("show") == "closed"
    status = queries.CLOSED if show_closed else queries.OPEN
    page = Paginator(queries.inbox_listing(request.user, status=status, now=now), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    queries.attach_answers(request.user, queries.attach_inbox_status(page.object_list, now=now))
    context = {"page": page, "show_closed": show_closed, "can_answer": access.can_answer(request.user)}
    return render(request, "submissions/commissions/inbox.html", context)


@require_http_methods(["GET", "POST"])
def commission_answer(request, pk: int):
    """The writer's new-item form, preselected to answer the commission."""
    commission = access.get_commission_to_answer(request.user, pk)
    unit = request.user.unit
    if unit.parent_id != commission.office_id:
        messages.error(request, "本单位已不再向该约稿单位报送信息，无法回复此约稿。")
        return redirect("commission_inbox")
    form = ItemEditForm(request.POST or None, office=unit.parent, initial={"signature": unit.name})
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.answer_commission(author=request.user, commission=commission, data=form.to_data())
        except (ValidationError, TransitionError) as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, "约稿回复草稿已保存，提交审签并报送后计为已回复。")
            return redirect("item_detail", item.pk)
    title, body, kind = form["title"].value() or "", form["body"].value() or "", form["form"].value()
    context = {
        "form": form,
        "office": unit.parent,
        "commission": commission,
        "is_late": commission.deadline <= timezone.now(),
        "hints": checks.run_checks(title, body, form=kind if kind in ItemForm.values else ItemForm.FULL),
        "duplicates": item_queries.duplicate_hints(request.user, title, body, office_id=unit.parent_id),
    }
    return render(request, "submissions/commissions/answer.html", context)


@require_GET
def progress_status(request):
    """一月一报: each child unit's progress report for a month; exportable."""
    if not access.can_follow_progress(request.user):
        return _refuse(request, "月度工作进展报送情况仅对编辑开放。")
    office = request.user.unit
    year, month, _ = parse_month(request.GET.get("month"))
    report = queries.progress_status(office, year, month)
    if request.GET.get("export") == "xlsx":
        response = HttpResponse(exports.progress_xlsx(report, office), content_type=XLSX)
        record_read("export", what=f"月度工作进展报送情况 {year}-{month:02d}")
        filename = quote(f"{office.display_name}{report.label}工作进展报送情况.xlsx")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
        return response
    status = request.GET.get("status", "")
    rows = [r for r in report.rows if r.status == status] if status in queries.STATUS_LABELS else report.rows
    context = {
        "report": report,
        "rows": rows,
        "month_value": f"{year}-{month:02d}",
        "status": status,
        "labels": queries.STATUS_LABELS,
        "counts": report.counts,
    }
    return render(request, "submissions/commissions/progress.html", context)
