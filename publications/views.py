"""Publication and issue pages: thin views over access.py and actions.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from submissions import access as item_access
from submissions import actions as item_actions
from submissions import search
from submissions.models import Item
from submissions.workflow import TransitionError

from . import access, actions, queries
from .copies import issue_copy, issue_document
from .downloads import PdfUnavailable, issue_docx_response, issue_pdf_response, issue_picture_response
from .forms import AdoptForm, CompositeForm, SignOffForm, WithdrawForm
from .models import Adoption, CompileRun, Issue, IssueRead, IssueState
from .tasks import compile_publication


def _error(exc) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _ids(values) -> list[int]:
    """The well-formed ids among posted values. isdigit() alone lets "²" through to a
    ValueError in int(), and a number past bigint is one PostgreSQL will not compare."""
    return [int(v) for v in values if v.isascii() and v.isdigit() and 0 < int(v) < 2**63]


def _forbidden(request, message: str):
    return render(request, "403.html", {"message": message}, status=403)


# --- Adoption ----------------------------------------------------------------------


def item_panel(request, item: Item) -> dict | None:
    """The adoption panel on the item page (registered with submissions.panels)."""
    adoptions = queries.item_adoptions(item)
    is_editor = item_access.is_office_editor(request.user, item)
    chain = item_actions.forward_chain(item)
    upper = queries.upper_results(item) if chain else []
    if not adoptions and not is_editor and not chain:
        return None
    publications = access.editable_publications(request.user).filter(office_id=item.office_id)
    can_adopt = access.can_adopt(request.user, item)
    return {
        "template": "publications/_item_panel.html",
        "adoptions": adoptions,
        "is_editor": is_editor,
        "adopt_form": AdoptForm(publications=publications, initial={"version": item.version}) if can_adopt else None,
        "item": item,
        "forwards": chain,
        "upper": upper,
        "can_forward": access.can_forward(request.user, item, chain=chain),
    }


@require_POST
def adopt(request, pk: int):
    item = item_access.get_item_for_editor(request.user, pk)
    form = AdoptForm(request.POST, publications=access.editable_publications(request.user))
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("item_detail", item.pk)
    d = form.cleaned_data
    try:
        actions.adopt(
            item=item, user=request.user, publication=d["publication"], form=d["form"], title=d["title"],
            body=d["body"], expected_version=d["version"],
        )  # fmt: skip
    except (ValidationError, TransitionError) as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, f"已采用到《{d['publication'].name}》。")
    return redirect("item_detail", item.pk)


@require_POST
def withdraw(request, pk: int):
    adoption = access.get_adoption_for_editor(request.user, pk)
    form = WithdrawForm(request.POST)
    target = reverse("item_detail", args=[adoption.item_id])
    if not form.is_valid():
        messages.error(request, "请填写撤销理由。")
        return redirect(target)
    try:
        actions.withdraw_adoption(adoption=adoption, user=request.user, reason=form.cleaned_data["reason"])
    except (ValidationError, TransitionError) as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, "已撤销采用。")
    return redirect(target)


@require_POST
def external_adoption(request, pk: int):
    """Enter by hand, with evidence, that an office above (e.g. 国办) adopted this."""
    import datetime as dt

    adoption = access.get_adoption_for_editor(request.user, pk)
    target = reverse("item_detail", args=[adoption.item_id])
    try:
        day = dt.date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        messages.error(request, "请填写有效的采用日期。")
        return redirect(target)
    level = request.POST.get("level", "").strip()[:30] or "国办"
    try:
        actions.record_external_adoption(
            adoption=adoption, user=request.user, level=level, day=day, evidence=request.POST.get("evidence", "")
        )
    except (ValidationError, TransitionError) as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, f"已记录{level}采用。")
    return redirect(target)


@require_http_methods(["GET", "POST"])
def composite(request, pk: int):
    """Merge several items on the desk into one adopted composite item (综合)."""
    publication = access.get_publication_for_editor(request.user, pk)
    if not access.is_editor_of(request.user, publication):
        raise Http404
    candidates = queries.composite_candidates(request.user).select_related("unit").order_by("-submitted_at")
    q = search.cut(request.GET.get("q", ""))
    if q:
        # Each word in the title or body, as the desk finds them; a 敏感 item's text is
        # sealed, and LIKE on it matched letters of its ciphertext.
        candidates = search.filter_text(candidates, q, scan=True)
    chosen_ids = _ids(request.POST.getlist("items") + request.GET.getlist("items"))
    chosen = list(candidates.filter(pk__in=chosen_ids))
    initial = {"publication": publication}
    if chosen and request.method == "GET":
        initial["title"] = chosen[0].plain_title
        initial["body"] = "\n".join(f"{i.plain_body}（{i.unit.display_name}）" for i in chosen)
    form = CompositeForm(
        request.POST if request.method == "POST" else None,
        publications=access.editable_publications(request.user),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            adoption = actions.adopt_composite(
                items=chosen, user=request.user, publication=d["publication"], title=d["title"], body=d["body"]
            )
        except (ValidationError, TransitionError) as exc:
            form.add_error(None, _error(exc))
        else:
            messages.success(request, f"综合信息已采用到《{adoption.publication.name}》，来源 {len(chosen)} 条。")
            return redirect("publication_detail", adoption.publication_id)
    context = {"publication": publication, "form": form, "candidates": candidates[:100], "chosen": chosen, "q": q}
    return render(request, "publications/composite.html", context)


# --- Publications and issues ---------------------------------------------------------


@require_GET
def publication_list(request):
    if not access.can_list_publications(request.user):
        return _forbidden(request, "刊物管理仅对编辑和签发人开放。")
    publications = queries.office_publications(request.user)
    return render(request, "publications/publication_list.html", {"publications": publications})


def _issue_page(request, issues, *order: str):
    """A page of `issues` for the search box `q` (issue 18): the issues holding an item
    with every word, title hits first, each with `hits`, the titles of its matching items
    marked — only items this reader gets in the issue (access.withheld_adoptions, as the
    issue page). Returns the page and the query as searched."""
    q = search.cut(request.GET.get("q", ""))
    if not search.words(q):
        page = Paginator(issues.order_by(*order), 20).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        return page, q
    # The search runs once: the ids of every issue found, in order (a count and a page
    # would each run it), then the page's issues by id.
    ids = list(queries.matching_issues(issues, q, *order).values_list("pk", flat=True))
    page = Paginator(ids, 20).get_page(request.GET.get("page"))
    by_id = issues.in_bulk(page.object_list)
    page.object_list = [by_id[pk] for pk in page.object_list if pk in by_id]
    hits = queries.issue_hits(page.object_list, q)
    withheld = access.withheld_adoptions(request.user, [a for found in hits.values() for a in found])
    for issue in page.object_list:
        issue.hits = [_hit(a, q) for a in hits.get(issue.pk, []) if a.pk not in withheld]
    return page, q


def _hit(adoption, q: str) -> dict:
    """A matching item as the list shows it: its title marked, and where the title lacks a
    word, the part of the body that has it."""
    title, body = adoption.plain_title, adoption.plain_body
    in_title = all(word in title for word in search.words(q))
    return {"title": search.mark(title, q), "snippet": "" if in_title else search.snippet(body, q, width=40)}


@require_GET
def publication_detail(request, pk: int):
    publication = access.get_publication_for_editor(request.user, pk)
    # The count as a subquery, not a join: the paginator's count and a search then read
    # no adoption for it.
    n = Adoption.objects.filter(issue=OuterRef("pk")).values("issue").annotate(n=Count("*")).values("n")
    issues = publication.issues.select_related("signed_by").annotate(n=Coalesce(Subquery(n), 0))
    page, q = _issue_page(request, issues, "-created_at", "-pk")
    context = {
        "publication": publication,
        "pool": queries.pool(publication).select_related("item__unit"),
        "page": page,
        "q": q,
        "runs": publication.compile_runs.select_related("issue")[:10],
        "is_editor": access.is_editor_of(request.user, publication),
    }
    return render(request, "publications/publication_detail.html", context)


@require_POST
def issue_create(request, pk: int):
    publication = access.get_publication_for_editor(request.user, pk)
    try:
        # One transaction: when another editor takes the chosen items first, no empty
        # draft issue is left behind.
        with transaction.atomic():
            issue = actions.create_issue(
                publication=publication, user=request.user, special=bool(request.POST.get("special"))
            )
            ids = _ids(request.POST.getlist("adoptions"))
            if ids:
                adoptions = list(queries.pool(publication).filter(pk__in=ids))
                if not adoptions:
                    raise actions.PublicationError("所选信息已被编入其他期，请刷新页面后重试。")
                actions.add_to_issue(issue=issue, adoptions=adoptions, user=request.user)
    except (ValidationError, TransitionError) as exc:
        messages.error(request, _error(exc))
        return redirect("publication_detail", publication.pk)
    return redirect("issue_detail", issue.pk)


@require_POST
def compile_now(request, pk: int):
    """Compile by hand: queue the same task beat runs, then show its progress."""
    publication = access.get_publication_for_editor(request.user, pk)
    if not access.is_editor_of(request.user, publication):
        raise Http404
    from django.utils import timezone

    key = f"manual:{timezone.now():%Y%m%d%H%M%S}:{request.user.pk}"
    run = CompileRun.objects.create(publication=publication, key=key, requested_by=request.user)
    compile_publication.delay_on_commit(publication.pk, key, request.user.pk, run.pk)
    return redirect("compile_run", run.pk)


@require_GET
def compile_run(request, pk: int):
    run = access.get_compile_run_for_editor(request.user, pk)
    template = "publications/_compile_run.html" if request.htmx else "publications/compile_run.html"
    return render(request, template, {"run": run})


@require_GET
def issue_detail(request, pk: int):
    """The issue in the browser: for readers the bulletin; for the office's editors
    and approvers of a draft, the composing and sign-off page."""
    issue = access.get_issue_for_user(request.user, pk)
    publication = issue.publication
    is_editor = access.is_editor_of(request.user, publication)
    is_approver = access.is_approver_of(request.user, publication)
    actions.mark_read(issue=issue, user=request.user)
    draft = issue.state == IssueState.DRAFT
    can_compose, can_sign = access.can_compose(request.user, issue), access.can_sign(request.user, issue)
    copy = issue_copy(issue, request.user)
    context = {
        "issue": issue,
        "publication": publication,
        "document": issue_document(issue, copy),
        "adoptions": copy.adoptions,
        "pool": queries.pool(publication).select_related("item__unit") if can_compose else [],
        "is_editor": is_editor,
        "is_approver": is_approver,
        "sign_form": SignOffForm(initial={"copies": issue.copies}) if can_sign else None,
        "can_send": access.can_send_for_signoff(request.user, issue),
        "can_take_back": access.can_take_back(request.user, issue),
        "reads": queries.read_receipts(issue) if (is_editor or is_approver) and not draft else None,
    }
    return render(request, "publications/issue_detail.html", context)


def _compose(request, pk: int, act) -> HttpResponse:
    issue = access.get_issue_for_editor(request.user, pk)
    try:
        act(issue)
    except (ValidationError, TransitionError) as exc:
        messages.error(request, _error(exc))
    return redirect("issue_detail", issue.pk)


@require_POST
def issue_add(request, pk: int):
    ids = _ids(request.POST.getlist("adoptions"))

    def act(issue):
        if not ids:
            raise ValidationError("请先勾选要编入的信息。")
        adoptions = queries.pool(issue.publication).filter(pk__in=ids)
        actions.add_to_issue(issue=issue, adoptions=adoptions, user=request.user)

    return _compose(request, pk, act)


@require_POST
def issue_remove(request, pk: int):
    ids = _ids([request.POST.get("adoption", "")])

    def act(issue):
        # "abc" or a number past bigint is the page's error, not a 500; a well-formed id
        # that is not in this issue is 404.
        if not ids:
            raise ValidationError("请选择要移出本期的信息。")
        adoption = get_object_or_404(Adoption, pk=ids[0], issue=issue)
        actions.remove_from_issue(issue=issue, adoption=adoption, user=request.user)

    return _compose(request, pk, act)


@require_POST
def issue_move(request, pk: int):
    ids = _ids([request.POST.get("adoption", "")])
    direction = request.POST.get("direction", "")
    if not ids or direction not in ("up", "down"):
        raise Http404

    def act(issue):
        actions.move_in_issue(issue=issue, adoption_id=ids[0], direction=direction, user=request.user)

    return _compose(request, pk, act)


@require_POST
def issue_sign(request, pk: int):
    issue = access.get_issue_for_user(request.user, pk)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("issue_detail", issue.pk)
    try:
        actions.sign_off_issue(
            issue=issue, user=request.user, copies=form.cleaned_data["copies"],
            extra_recipients=form.cleaned_data["extra_recipients"],
        )  # fmt: skip
    except (ValidationError, TransitionError) as exc:
        messages.error(request, _error(exc))
    else:
        issue.refresh_from_db()
        messages.success(request, f"已签发：{issue.label}，已分发。")
    return redirect("issue_detail", issue.pk)


@require_POST
def issue_send(request, pk: int):
    """送签: the editor hands the composed draft to the signer."""
    issue = access.get_issue_for_editor(request.user, pk)
    try:
        actions.send_issue_for_signoff(issue=issue, user=request.user)
    except (ValidationError, TransitionError) as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, "已送签，签发人已收到通知。送签期间不能再调整本期。")
    return redirect("issue_detail", issue.pk)


@require_POST
def issue_take_back(request, pk: int):
    """撤回送签 (editor) or 退回编辑 (signer, with a reason)."""
    issue = access.get_issue_for_user(request.user, pk)
    if not access.composes_or_signs(request.user, issue.publication):
        raise Http404("没有找到该期")  # a reader of the signed issue: nothing to take back here
    try:
        actions.take_back_issue(issue=issue, user=request.user, comment=request.POST.get("comment", "")[:300])
    except (ValidationError, TransitionError) as exc:
        messages.error(request, _error(exc))
    else:
        as_editor = access.is_editor_of(request.user, issue.publication)
        messages.success(request, "已撤回送签，可以继续调整本期。" if as_editor else "已退回编辑。")
    return redirect("issue_detail", issue.pk)


@require_GET
def issue_docx(request, pk: int):
    """The Word file, only for those who may read the issue."""
    issue = access.get_issue_for_user(request.user, pk)
    return issue_docx_response(issue, request.user)


@require_GET
def issue_pdf(request, pk: int):
    """The PDF, under the same access check and withheld-copy rule as the Word file."""
    issue = access.get_issue_for_user(request.user, pk)
    try:
        return issue_pdf_response(issue, request.user)
    except PdfUnavailable as exc:
        messages.warning(request, str(exc))
        return redirect("issue_detail", issue.pk)


@require_GET
def issue_picture(request, pk: int, attachment: int):
    """A picture printed in the issue, for its readers, from the copy they get."""
    issue = access.get_issue_for_user(request.user, pk)
    return issue_picture_response(issue, request.user, attachment)


@require_GET
def my_bulletins(request):
    # bulletins() is DISTINCT over a join on the distribution list; as a subquery the list
    # and its search are ordered and cut by the issues' own index.
    issues = Issue.objects.filter(pk__in=access.bulletins(request.user).values("pk"))
    issues = issues.select_related("publication__office")
    read_ids = set(IssueRead.objects.filter(reader=request.user).values_list("issue_id", flat=True))
    page, q = _issue_page(request, issues, "-signed_at", "-pk")
    return render(request, "publications/my_bulletins.html", {"page": page, "q": q, "read_ids": read_ids})


@require_GET
def issue_signoff_queue(request):
    if not access.can_see_signoff_queue(request.user):
        return _forbidden(request, "待签发期刊仅对签发人开放。")
    issues = list(queries.signoff_queue(request.user))
    context = {
        "sent": sorted((i for i in issues if i.sent_at), key=lambda i: (i.sent_at, i.pk)),
        "composing": [i for i in issues if not i.sent_at],
    }
    return render(request, "publications/signoff_queue.html", context)


# --- Forwarding upward (转报) ----------------------------------------------------------


@require_POST
def forward(request, pk: int):
    """An editor of the receiving office forwards an adopted item to the office above."""
    item = item_access.get_item_for_editor(request.user, pk)
    try:
        copy = item_actions.create_forwarded(original=item, user=request.user, note=request.POST.get("note", "")[:200])
    except (ValidationError, TransitionError) as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, f"已转报{copy.office.name}。")
    return redirect("item_detail", item.pk)
