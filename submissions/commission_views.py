"""Commission (约稿) and monthly-progress pages: thin views over commissions.py.

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

from units.access import holds
from units.models import Role

from . import access, checks, commissions, queries
from .commission_forms import CommissionFilterForm, CommissionForm, parse_month
from .forms import ItemEditForm
from .models import ItemForm
from .workflow import TransitionError

PAGE_SIZE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _errors(exc: ValidationError | TransitionError) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _refuse(request, message: str):
    return render(request, "403.html", {"message": message}, status=403)


@require_GET
def commission_list(request):
    if not holds(request.user, Role.EDITOR):
        return _refuse(request, "约稿管理仅对编辑开放。")
    now = timezone.now()
    qs = commissions.office_commissions(request.user).select_related("created_by")
    filter_form = CommissionFilterForm(request.GET or None)
    if q := filter_form.value("q"):
        qs = qs.filter(topic__contains=q)
    status = filter_form.value("status")
    if status == "open":
        qs = qs.filter(deadline__gt=now)
    elif status == "closed":
        qs = qs.filter(deadline__lte=now)
    page = Paginator(qs.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = commissions.attach_counts(page.object_list, now=now)
    context = {"page": page, "rows": rows, "filter_form": filter_form}
    return render(request, "submissions/commissions/list.html", context)


@require_http_methods(["GET", "POST"])
def commission_create(request):
    if not holds(request.user, Role.EDITOR):
        return _refuse(request, "只有编辑可以发布约稿。")
    office = request.user.unit
    form = CommissionForm(request.POST or None, office=office)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            commission = commissions.issue_commission(
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
    commission = commissions.get_commission_for_editor(request.user, pk)
    now = timezone.now()
    rows = commissions.commission_targets(commission, now=now)
    is_open = commission.deadline > now
    # Before the deadline nobody is "missing" yet; after it nobody is "pending".
    shown = [commissions.ON_TIME, commissions.LATE, commissions.PENDING if is_open else commissions.MISSING]
    counts = [(s, commissions.STATUS_LABELS[s], sum(1 for r in rows if r.status == s)) for s in shown]
    context = {"commission": commission, "rows": rows, "counts": counts, "is_open": is_open}
    return render(request, "submissions/commissions/detail.html", context)


@require_GET
def commission_inbox(request):
    if not commissions.can_use_inbox(request.user):
        return _refuse(request, "约稿通知仅对约稿对象单位的信息员、审签人和领导开放。")
    now = timezone.now()
    show_closed = request.GET.get("show") == "closed"
    qs = commissions.inbox(request.user)
    if show_closed:
        qs = qs.filter(deadline__lte=now).order_by("-deadline", "-pk")
    else:
        qs = qs.filter(deadline__gt=now).order_by("deadline", "pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # The unit's answering items this person may read, drafts included, for one page.
    answers: dict[int, list] = {}
    readable = access.unit_items(request.user).filter(commission__in=[c.pk for c in page.object_list])
    for item in readable.order_by("created_at", "pk"):
        answers.setdefault(item.commission_id, []).append(item)
    for c in page.object_list:
        c.answers = answers.get(c.pk, [])
        c.status = commissions.answer_status(c.answered_at, c.deadline, now)
        c.status_label = commissions.STATUS_LABELS[c.status]
    context = {"page": page, "show_closed": show_closed, "can_answer": holds(request.user, Role.STAFF)}
    return render(request, "submissions/commissions/inbox.html", context)


@require_http_methods(["GET", "POST"])
def commission_answer(request, pk: int):
    """The writer's new-item form, preselected to answer the commission."""
    commission = commissions.get_commission_to_answer(request.user, pk)
    unit = request.user.unit
    if unit.parent_id != commission.office_id:
        messages.error(request, "本单位已不再向该约稿单位报送信息，无法回复此约稿。")
        return redirect("commission_inbox")
    form = ItemEditForm(request.POST or None, office=unit.parent, initial={"signature": unit.name})
    if request.method == "POST" and form.is_valid():
        try:
            item = commissions.answer_commission(author=request.user, commission=commission, data=form.to_data())
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
        "duplicates": queries.duplicate_hints(request.user, title, body, office_id=unit.parent_id),
    }
    return render(request, "submissions/commissions/answer.html", context)


@require_GET
def progress_status(request):
    """一月一报: each child unit's progress report for a month; exportable."""
    if not holds(request.user, Role.EDITOR):
        return _refuse(request, "月度工作进展报送情况仅对编辑开放。")
    office = request.user.unit
    year, month, _ = parse_month(request.GET.get("month"))
    report = commissions.progress_status(office, year, month)
    if request.GET.get("export") == "xlsx":
        response = HttpResponse(commissions.progress_xlsx(report, office), content_type=XLSX)
        filename = quote(f"{office.display_name}{report.label}工作进展报送情况.xlsx")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
        return response
    status = request.GET.get("status", "")
    rows = [r for r in report.rows if r.status == status] if status in commissions.STATUS_LABELS else report.rows
    context = {
        "report": report,
        "rows": rows,
        "month_value": f"{year}-{month:02d}",
        "status": status,
        "labels": commissions.STATUS_LABELS,
        "counts": report.counts,
    }
    return render(request, "submissions/commissions/progress.html", context)
