"""Emergency pages: report an emergency (首报), the case with its reports, later reports
(续报/终报) and the office's list of cases with late reports counted.

The reports are items: they are sent for sign-off and signed off on the item page, whose
ordinary acts reach emergencies.actions.after_transition through the after-transition hook.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from .. import checks
from .. import queries as item_queries
from ..models import ItemForm, ReportKind
from ..workflow import TransitionError
from . import access, actions, queries
from .forms import CaseFilterForm, EmergencyStartForm, FollowUpForm

PAGE_SIZE = 30


def _errors(exc: ValidationError | TransitionError) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _known_form(value) -> str:
    # The form as posted may be anything; the checks know only the real ones.
    return value if value in ItemForm.values else ItemForm.FULL


def _form_context(request, form, office, case=None) -> dict:
    title, body = form["title"].value() or "", form["body"].value() or ""
    return {
        "form": form,
        "office": office,
        "case": case,
        "hints": checks.run_checks(title, body, form=_known_form(form["form"].value())),
        "duplicates": item_queries.duplicate_hints(request.user, title, body, office_id=office.pk),
    }


@require_http_methods(["GET", "POST"])
def emergency_create(request):
    """A staff member reports an emergency: the case and its first report as a draft."""
    if not access.can_report_emergency(request.user):
        return render(request, "403.html", {"message": "只有信息员可以报告突发事件。"}, status=403)
    office = request.user.unit.parent
    form = EmergencyStartForm(request.POST or None, office=office, initial={"signature": request.user.unit.name})
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.start_case(author=request.user, data=form.to_data(), case=form.case_data())
        except ValidationError as exc:
            form.add_error(None, exc)
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            deadline = timezone.localtime(item.emergency_case.written_deadline)
            messages.success(request, f"首报草稿已保存。书面报告时限为 {deadline:%m月%d日 %H:%M}，请尽快提交审签。")
            return redirect("item_detail", item.pk)
    return render(request, "submissions/emergencies/form.html", _form_context(request, form, office))


@require_GET
def emergency_case(request, pk: int):
    """One case: its grade and times, and its reports in order with their states."""
    case = access.get_case_for_user(request.user, pk)
    reports = queries.case_reports(request.user, case)
    first = next((r.item for r in reports if r.item.report_kind == ReportKind.FIRST), None)
    written_at = first.first_submitted_at if first else None
    context = {
        "case": case,
        "reports": reports,
        "written_at": written_at,
        # Until the written report is in, everyone watching the case sees the time left.
        "timer": queries.timer(case.written_deadline) if written_at is None and not case.closed_at else None,
        "can_add": access.can_add_report(request.user, case),
        "is_editor": access.is_case_editor(request.user, case),
    }
    return render(request, "submissions/emergencies/case.html", context)


@require_http_methods(["GET", "POST"])
def emergency_followup(request, pk: int):
    """The case's staff add a follow-up (续报) or the final report (终报) as a draft."""
    case = access.get_case_for_user(request.user, pk)
    if not access.can_write_reports(request.user, case):
        return render(request, "403.html", {"message": "只有事件报送单位的信息员可以续报。"}, status=403)
    if case.closed_at is not None:
        messages.error(request, "该突发事件已终报结案，不能再添加报告。")
        return redirect("emergency_case", case.pk)
    kind = request.GET.get("kind") if request.GET.get("kind") in ReportKind.values else ReportKind.FOLLOW_UP
    form = FollowUpForm(
        request.POST or None, office=case.office, initial={"signature": request.user.unit.name, "kind": kind}
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.add_report(
                case=case, author=request.user, data=form.to_data(), kind=form.cleaned_data["kind"]
            )
        except (ValidationError, TransitionError) as exc:
            form.add_error(None, _errors(exc))
        else:
            label = queries.report_label(item.report_kind, item.report_seq)
            messages.success(request, f"{label}草稿已保存，请提交审签。")
            return redirect("item_detail", item.pk)
    return render(request, "submissions/emergencies/form.html", _form_context(request, form, case.office, case))


@require_GET
def emergency_list(request):
    """The office's cases (open first) for its editors, the unit's own for its staff,
    with late first reports counted per unit for the current year."""
    if not access.can_see_emergencies(request.user):
        message = "突发事件仅对编辑和本单位信息员、审签人、领导开放。"
        return render(request, "403.html", {"message": message}, status=403)
    filter_form = CaseFilterForm(request.GET or None)
    listing = queries.listed_cases(request.user, filter_form)
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for case in page:
        case.timer = queries.timer(case.written_deadline, now) if case.written_at is None else None
    year = timezone.localdate().year
    context = {
        "page": page,
        "filter_form": filter_form,
        "year": year,
        "late_counts": queries.late_counts(access.cases_for_user(request.user), year),
        "can_report": access.can_report_emergency(request.user),
        "is_editor": access.is_receiving_editor(request.user),
    }
    return render(request, "submissions/emergencies/list.html", context)
