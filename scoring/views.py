"""Scoreboards, unit ledgers, exports, adjustments and recomputation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import access, actions, exports, queries
from .forms import AdjustForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

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
    return render(request, "scoring/board.html", context)


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
            except ValidationError as exc:
                form.add_error(None, "；".join(exc.messages))
            else:
                messages.success(request, "已记入手工调整。")
                return redirect("unit_ledger", scheme.pk, unit.pk)
    page = Paginator(queries.unit_ledger(scheme, unit), 50).get_page(request.GET.get("page"))
    page.object_list = access.name_ledger_items(request.user, page.object_list)
    total = queries.unit_total(scheme, unit)
    row = next((r for r in queries.scoreboard(scheme).rows if r.unit.pk == unit.pk), None) if can_manage else None
    context = {
        "scheme": scheme,
        "unit": unit,
        "page": page,
        "total": total,
        "row": row,
        "form": form if can_manage else None,
    }
    return render(request, "scoring/unit_ledger.html", context)


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
    differences = access.name_ledger_items(request.user, actions.recompute(scheme=scheme, user=request.user))
    return render(request, "scoring/recompute.html", {"scheme": scheme, "differences": differences})


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
