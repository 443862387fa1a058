"""Scoreboards, unit ledgers, exports, adjustments and recomputation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from units.reads import record_read

from . import access, actions, exports, queries
from .forms import AdjustForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    record_read("export", what=filename)  # every scoring export comes through here
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@require_GET
def scheme_list(request):
    schemes = access.visible_schemes(request.user)
    if len(schemes) == 1:
        return redirect("scheme_board", schemes[0].pk)
    return render(request, "scoring/scheme_list.html", {"schemes": schemes})


@require_GET
def board(request, pk: int):
    scheme = access.get_scheme_for_board(request.user, pk)
    result = queries.scoreboard(scheme)
    by_class = request.GET.get("group") == "class"
    rows = (
        sorted(result.rows, key=lambda r: (str(r.unit.assessment_class or ""), r.class_rank))
        if by_class
        else result.rows
    )
    today = timezone.localdate()
    # The trend stops at the current month of a running year rather than run flat into the future.
    months = today.month if scheme.year == today.year else 12
    chart = {
        "units": [r.unit.display_name for r in result.rows],
        "points": [float(r.points) for r in result.rows],
        "quota": [float(r.quota) if r.quota is not None else None for r in result.rows],
        "months": [f"{m}月" for m in range(1, months + 1)],
        "trend": {r.unit.display_name: [float(x) for x in r.monthly[:months]] for r in result.rows},
    }
    context = {
        "scheme": scheme,
        "board": result,
        "rows": rows,
        "by_class": by_class,
        "chart": chart,
        "can_manage": access.can_manage(request.user, scheme),
        "period_form": _period_form(request.user, scheme, today),
    }
    context.update(_history(request.user, scheme, [r.unit for r in result.rows], {scheme.pk: result}))
    return render(request, "scoring/board.html", context)


def _history(user, scheme, units, boards=None) -> dict:
    """The last five years side by side, as far as this person may see them."""
    columns = queries.history(access.history_schemes(user, scheme), boards)
    return {"history_columns": columns, "history_rows": queries.history_table(columns, units)}


def _period_form(user, scheme, today):
    """The 通报 period picker, for those who may compile it: the statistics
    publication's editors."""
    from publications.access import is_editor_of
    from publications.models import PublicationKind

    from .forms import PeriodForm

    publication = scheme.office.publications.filter(kind=PublicationKind.STATISTICS, is_active=True).first()
    if publication is None or not is_editor_of(user, publication):
        return None
    return PeriodForm(year=scheme.year, today=today)


@require_GET
def board_export(request, pk: int):
    scheme = access.get_scheme_for_board(request.user, pk)
    return _xlsx(exports.scoreboard_xlsx(queries.scoreboard(scheme)), f"{scheme.name}积分榜.xlsx")


@require_http_methods(["GET", "POST"])
def unit_ledger(request, pk: int, unit_pk: int):
    scheme, unit = access.get_scheme_and_unit_for_ledger(request.user, pk, unit_pk)
    can_manage = access.can_manage(request.user, scheme)
    form = AdjustForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise Http404
        if form.is_valid():
            try:
                actions.adjust(
                    scheme=scheme, unit=unit, points=form.cleaned_data["points"], reason=form.cleaned_data["reason"],
                    user=request.user,
                )  # fmt: skip
            except (ValidationError, actions.YearLocked) as exc:
                form.add_error(None, "；".join(_messages_of(exc)))
            else:
                messages.success(request, "已记入手工调整。")
                return redirect("unit_ledger", scheme.pk, unit.pk)
    filters = _ledger_filters(request, scheme)
    page = Paginator(queries.unit_ledger(scheme, unit, **filters), 50).get_page(request.GET.get("page"))
    page.object_list = access.link_ledger_acts(request.user, access.name_ledger_items(request.user, page.object_list))
    total = queries.unit_total(scheme, unit)
    row = next((r for r in queries.scoreboard(scheme).rows if r.unit.pk == unit.pk), None) if can_manage else None
    context = {
        "scheme": scheme,
        "unit": unit,
        "page": page,
        "total": total,
        "row": row,
        "form": form if can_manage else None,
        "filters": filters,
        "filter_label": _filter_label(scheme, filters),
        "filtered_total": sum(e.points for e in queries.unit_ledger(scheme, unit, **filters)) if filters else None,
    }
    context.update(_history(request.user, scheme, [unit]))
    return render(request, "scoring/unit_ledger.html", context)


def _ledger_filters(request, scheme) -> dict:
    """?source=… and ?publication=… from a number on the board; anything else is ignored."""
    from .models import Source

    filters = {}
    source = request.GET.get("source", "")
    if source in queries.LEDGER_FILTERS or source in Source.values:
        filters["source"] = source
    publication = request.GET.get("publication", "")
    if publication.isdigit() and scheme.office.publications.filter(pk=int(publication)).exists():
        filters["publication_id"] = int(publication)
    return filters


def _filter_label(scheme, filters) -> str:
    from .models import Source

    parts = []
    if filters.get("source") == "penalty":
        parts.append("扣分（含冲正）")
    elif filters.get("source"):
        parts.append(Source(filters["source"]).label)
    if filters.get("publication_id"):
        parts.append(f"《{scheme.office.publications.get(pk=filters['publication_id']).name}》")
    return "、".join(parts)


@require_GET
def unit_ledger_export(request, pk: int, unit_pk: int):
    scheme, unit = access.get_scheme_and_unit_for_ledger(request.user, pk, unit_pk)
    entries = access.name_ledger_items(request.user, queries.unit_ledger(scheme, unit))
    return _xlsx(exports.ledger_xlsx(unit.display_name, entries), f"{unit.name}积分台账.xlsx")


@require_POST
def recompute(request, pk: int):
    scheme = access.get_scheme_for_board(request.user, pk)
    if not access.can_manage(request.user, scheme):
        raise Http404
    from .models import Stage

    board_differences = None
    if scheme.stage == Stage.FINAL:
        # A final year is only compared with its stored board; nothing is written.
        differences, board_differences = actions.recompute_report(scheme)
    else:
        differences = actions.recompute(scheme=scheme, user=request.user)
    context = {
        "scheme": scheme,
        "differences": access.name_ledger_items(request.user, differences),
        "report_only": board_differences is not None,
        "board_differences": board_differences or [],
    }
    return render(request, "scoring/recompute.html", context)


@require_POST
def statistics_bulletin(request, pk: int):
    """Compile the 采用情况通报 of the chosen period as the period's one draft issue of
    the office's statistics publication (compiling again brings that draft up to date)."""
    from publications.actions import PublicationError
    from publications.models import PublicationKind

    from .forms import PeriodForm
    from .statistics import compile_statistics, parse_period

    scheme = access.get_scheme_for_board(request.user, pk)
    if not access.is_office_reader(request.user, scheme):
        raise Http404
    publication = scheme.office.publications.filter(kind=PublicationKind.STATISTICS, is_active=True).first()
    if publication is None:
        messages.error(request, "本单位尚未设置“采用情况通报”刊物，请管理员在管理后台添加。")
        return redirect("scheme_board", scheme.pk)
    today = timezone.localdate()
    form = PeriodForm(request.POST, year=scheme.year, today=today)
    period = parse_period(form.cleaned_data["period"], scheme.year, today) if form.is_valid() else None
    if period is None:
        messages.error(request, "请选择已开始的统计期间（月、季度或年初至今）。")
        return redirect("scheme_board", scheme.pk)
    try:
        issue, made = compile_statistics(scheme=scheme, publication=publication, user=request.user, period=period)
    except PublicationError as exc:
        messages.error(request, str(exc))
        return redirect("scheme_board", scheme.pk)
    if made:
        messages.success(request, f"已生成{period.label}采用情况通报草稿，待签发。")
    else:
        messages.success(request, f"已按最新数据更新{period.label}采用情况通报草稿（未另建新稿）。")
    return redirect("issue_detail", issue.pk)


# --- The year-end assessment: 公示, 申诉, 定稿, unlock -----------------------------------------


def _closing_context(request, scheme, **forms_given) -> dict:
    from .forms import AppealForm, DecideAppealForm, OpenPublicityForm, UnlockForm
    from .models import AppealStatus, SnapshotKind, Stage

    user = request.user
    decider = access.is_closing_decider(user, scheme)
    final = actions.latest_snapshot(scheme, SnapshotKind.FINAL)
    publicity = actions.latest_snapshot(scheme, SnapshotKind.PUBLICITY)
    shown = final if scheme.stage in (Stage.FINAL, Stage.REOPENED) and final else publicity
    appeals = list(access.visible_appeals(user, scheme).prefetch_related("attachments"))
    today = timezone.localdate()
    appeal_open = scheme.stage == Stage.PUBLICITY and scheme.publicity_ends_on and today <= scheme.publicity_ends_on
    appeal_form = forms_given.get("appeal_form")
    if appeal_form is None and appeal_open and access.can_appeal(user, scheme):
        appeal_form = AppealForm(
            entries=queries.unit_ledger(scheme, user.unit), adoptions=queries.unscored_adoptions(scheme, user.unit)
        )
    decide_forms = forms_given.get("decide_forms", {})
    for appeal in appeals:
        appeal.suggested = actions.suggested_points(appeal) if decider else None
        if appeal.pk in decide_forms:  # a refused decision comes back with its errors
            appeal.form = decide_forms[appeal.pk]
        elif decider and appeal.status == AppealStatus.PENDING:
            appeal.form = DecideAppealForm(prefix=f"a{appeal.pk}", initial={"points": appeal.suggested})
    return {
        "scheme": scheme,
        "snapshot": shown,
        "publicity": publicity,
        "final": final,
        "changes": scheme.stage_changes.select_related("by"),
        "appeals": appeals,
        "pending": sum(a.status == AppealStatus.PENDING for a in appeals),
        "appeal_open": appeal_open,
        "appeal_form": appeal_form,
        "open_form": (forms_given.get("open_form") or OpenPublicityForm())
        if decider and scheme.stage == Stage.RUNNING
        else None,
        "can_finalise": decider and scheme.stage in (Stage.PUBLICITY, Stage.REOPENED),
        # What an editor may propose now: the act the stage allows next.
        "proposable": (
            ("open_publicity" if scheme.stage == Stage.RUNNING else "finalise")
            if access.can_propose_closing(user, scheme) and scheme.stage != Stage.FINAL
            else ""
        ),
        "unlock_form": (forms_given.get("unlock_form") or UnlockForm())
        if access.can_unlock(user, scheme) and scheme.stage == Stage.FINAL
        else None,
        "is_office": access.is_office_reader(user, scheme),
        "own_unit_id": user.unit_id if access.is_assessed_member(user, scheme) else None,
        "today": today,
        "errors": forms_given.get("errors", []),
    }


def _closing_page(request, scheme, status=200, **forms_given):
    context = _closing_context(request, scheme, **forms_given)
    return render(request, "scoring/closing.html", context, status=status)


def _messages_of(exc) -> list[str]:
    return exc.messages if isinstance(exc, ValidationError) else [str(exc)]


@require_GET
def closing(request, pk: int):
    """The year-end page: the 公示 or final board, the appeals, and the acts this person may take."""
    return _closing_page(request, access.get_scheme_for_closing(request.user, pk))


@require_POST
def open_publicity(request, pk: int):
    from submissions.workflow import TransitionError

    from .forms import OpenPublicityForm

    scheme = access.get_scheme_for_closing(request.user, pk)
    if not access.is_closing_decider(request.user, scheme):
        raise Http404
    form = OpenPublicityForm(request.POST)
    if form.is_valid():
        try:
            actions.open_publicity(scheme=scheme, user=request.user, days=form.cleaned_data["days"])
        except (ValidationError, TransitionError) as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
        else:
            scheme.refresh_from_db()
            messages.success(request, f"已开始公示，公示至{scheme.publicity_ends_on:%Y年%-m月%-d日}。")
            return redirect("scheme_closing", scheme.pk)
    return _closing_page(request, scheme, status=400, open_form=form)


@require_POST
def propose_closing(request, pk: int):
    """An editor proposes opening the 公示 or making the results final."""
    from submissions.workflow import TransitionError

    scheme = access.get_scheme_for_closing(request.user, pk)
    if not access.can_propose_closing(request.user, scheme):
        raise Http404
    act = request.POST.get("act", "")
    try:
        actions.propose(scheme=scheme, user=request.user, act=act, note=request.POST.get("note", "")[:200])
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "提议已送签发人和管理员审定。")
    return redirect("scheme_closing", scheme.pk)


@require_POST
def file_appeal(request, pk: int):
    from submissions.uploads import UploadRejected
    from submissions.workflow import TransitionError

    from .forms import AppealForm

    scheme = access.get_scheme_for_closing(request.user, pk)
    if not access.can_appeal(request.user, scheme):
        raise Http404
    unit = request.user.unit
    form = AppealForm(
        request.POST, request.FILES, entries=queries.unit_ledger(scheme, unit),
        adoptions=queries.unscored_adoptions(scheme, unit),
    )  # fmt: skip
    if form.is_valid():
        try:
            actions.file_appeal(
                scheme=scheme, user=request.user, reason=form.cleaned_data["reason"], files=form.cleaned_data["files"],
                **form.subject_ids(),
            )  # fmt: skip
        except UploadRejected as exc:
            form.add_error("files", f"附件未上传：{exc.message}")
        except (ValidationError, TransitionError) as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
        else:
            messages.success(request, "申诉已提交，考核单位处理后将通知本单位。")
            return redirect("scheme_closing", scheme.pk)
    return _closing_page(request, scheme, status=400, appeal_form=form)


@require_POST
def decide_appeal(request, pk: int):
    from submissions.workflow import TransitionError

    from .forms import DecideAppealForm

    appeal = access.get_appeal_for_user(request.user, pk, decide=True)
    form = DecideAppealForm(request.POST, prefix=f"a{appeal.pk}")
    if form.is_valid():
        accept = form.cleaned_data["outcome"] == "accept"
        try:
            actions.decide_appeal(
                appeal=appeal, user=request.user, accept=accept, decision=form.cleaned_data["decision"],
                points=form.cleaned_data["points"] if accept else None,
            )  # fmt: skip
        except (ValidationError, TransitionError) as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
        else:
            messages.success(request, "已采纳申诉并记入更正分。" if accept else "已作出不予采纳的决定。")
            return redirect("scheme_closing", appeal.scheme_id)
    return _closing_page(request, appeal.scheme, status=400, decide_forms={appeal.pk: form})


@require_POST
def finalise(request, pk: int):
    from submissions.workflow import TransitionError

    scheme = access.get_scheme_for_closing(request.user, pk)
    if not access.is_closing_decider(request.user, scheme):
        raise Http404
    try:
        actions.finalise(scheme=scheme, user=request.user)
    except (ValidationError, TransitionError) as exc:
        return _closing_page(request, scheme, status=400, errors=_messages_of(exc))
    messages.success(request, f"{scheme.year}年度考核结果已定稿，该年度积分已锁定。")
    return redirect("scheme_closing", scheme.pk)


@require_POST
def unlock(request, pk: int):
    from submissions.workflow import TransitionError

    from .forms import UnlockForm

    scheme = access.get_scheme_for_closing(request.user, pk)
    if not access.can_unlock(request.user, scheme):
        raise Http404
    form = UnlockForm(request.POST)
    if form.is_valid():
        try:
            actions.unlock(scheme=scheme, user=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, TransitionError) as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
        else:
            messages.success(request, "已解锁，该年度可更正积分；更正后请重新定稿。")
            return redirect("scheme_closing", scheme.pk)
    return _closing_page(request, scheme, status=400, unlock_form=form)


@require_GET
def appeal_attachment(request, pk: int):
    """Appeal files live outside the web root and are served only after the check."""
    from common.downloads import file_response
    from submissions.uploads import download_name

    attachment = access.get_appeal_attachment_for_user(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件不存在") from None
    record_read("download_attachment", attachment)
    return file_response(
        handle, filename=download_name(attachment.original_name, attachment.content_type),
        content_type=attachment.content_type, as_attachment=not attachment.content_type.startswith("image/"),
        sandbox=True,
    )  # fmt: skip


def report_info(scheme, snapshot):
    """What the 通报's 版头 says: the office's 采用情况通报 publication if it has one."""
    from publications.models import PublicationKind

    from .report import ReportInfo

    publication = scheme.office.publications.filter(kind=PublicationKind.STATISTICS, is_active=True).first()
    return ReportInfo(
        office=scheme.office.name, scheme=scheme.name, year=scheme.year,
        publication=publication.name if publication else "政务信息工作通报",
        date=timezone.localdate(snapshot.created_at),
    )  # fmt: skip


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_response(scheme, snapshot, ext: str):
    """The year-end 通报 as .docx or .xlsx, from the stored final board (pages and API)."""
    from common.downloads import file_response

    from . import report

    info = report_info(scheme, snapshot)
    if ext == "docx":
        content, content_type = report.build_docx(info, snapshot.rows), DOCX
    else:
        content, content_type = report.build_xlsx(info, snapshot.rows), XLSX
    record_read("export", what=report.filename(info, ext))
    return file_response(content, filename=report.filename(info, ext), content_type=content_type)


@require_GET
def final_report(request, pk: int, ext: str):
    """关于N年度……政务信息工作考核情况的通报, for whoever may read the final board."""
    scheme, snapshot = access.get_final_board(request.user, pk)
    return report_response(scheme, snapshot, ext)


@require_POST
def final_report_issue(request, pk: int):
    """Issue the 通报 in the office's 采用情况通报 publication, as the year's one draft
    (compiling again brings that draft up to date; a signed one is never rewritten)."""
    from publications.actions import PublicationError, compile_note_issue
    from publications.models import PublicationKind

    from .report import note_text

    scheme, snapshot = access.get_final_board(request.user, pk)
    if not access.is_office_reader(request.user, scheme):
        raise Http404
    publication = scheme.office.publications.filter(kind=PublicationKind.STATISTICS, is_active=True).first()
    if publication is None:
        messages.error(request, "本单位尚未设置“采用情况通报”刊物，请管理员在管理后台添加。")
        return redirect("scheme_closing", scheme.pk)
    title, body = note_text(report_info(scheme, snapshot), snapshot.rows)
    try:
        issue, made = compile_note_issue(
            publication=publication, user=request.user, key=f"assessment:{scheme.pk}", title=title, body=body
        )
    except PublicationError as exc:
        messages.error(request, str(exc))
        return redirect("scheme_closing", scheme.pk)
    messages.success(request, "已生成考核情况通报草稿，待签发。" if made else "已按定稿结果更新考核情况通报草稿。")
    return redirect("issue_detail", issue.pk)
