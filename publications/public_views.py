"""Public (公开) publications: signed issues with only their 公开 items, on pages
without login and in an Atom feed."""

from django.contrib.auth.decorators import login_not_required
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_GET

from submissions import search

from . import queries
from .copies import NOT_PUBLIC, ordered_adoptions
from .models import Adoption, Issue, IssueState, Publication


def _public_issues(publication: Publication):
    """Signed issues that carry at least one 公开 item: an issue of internal items only
    would show an empty page in the archive and an empty entry in the feed."""
    return _with_public_items(publication.issues.filter(state=IssueState.SIGNED)).order_by("-signed_at")


def _with_public_items(issues):
    public = Adoption.objects.filter(issue=OuterRef("pk"), withdrawn_at=None).exclude(
        sources__confidentiality__in=NOT_PUBLIC
    )
    return issues.filter(Exists(public))


def _public_adoptions(publications):
    """The items the archive shows of `publications` (public and active ones): those of
    their signed issues that public_issue lists (ordered_adoptions(public_only=True): not
    withdrawn, every source 公开). Nothing else may be found by its text."""
    return Adoption.objects.filter(
        issue__state=IssueState.SIGNED, issue__publication__in=publications, withdrawn_at=None
    ).exclude(sources__confidentiality__in=NOT_PUBLIC)


def _search(request, publications) -> tuple[str, object]:
    """The search box of the archive (issue 18): the query as searched, and a page of the
    public items holding every word, title hits first, then the newest issues, each with
    `marked_title` and `marked_snippet`. (q, None) when there is no word to search."""
    q = search.cut(request.GET.get("q", ""))
    if not search.words(q):
        return q, None
    found = queries.matching_adoptions(_public_adoptions(publications), q)
    found = search.ranked(found, q, "-issue__signed_at", "-issue_id", "position", "pk")
    # The search runs once: the ids of every item found, in order (a count and a page
    # would each run it), then the page's items by id.
    page = Paginator(list(found.values_list("pk", flat=True)), 20).get_page(request.GET.get("page"))
    by_id = Adoption.objects.select_related("issue__publication__office").in_bulk(page.object_list)
    page.object_list = [by_id[pk] for pk in page.object_list]
    for adoption in page.object_list:
        adoption.marked_title = search.mark(adoption.plain_title, q)
        adoption.marked_snippet = search.snippet(adoption.plain_body, q)
    return q, page


def _archive():
    return Publication.objects.filter(is_public=True, is_active=True)


@login_not_required
@require_GET
def public_index(request):
    publications = _archive().select_related("office")
    q, results = _search(request, _archive())
    context = {"publications": publications, "q": q, "results": results}
    return render(request, "publications/public_index.html", context)


@login_not_required
@require_GET
def public_publication(request, pk: int):
    publication = get_object_or_404(_archive(), pk=pk)
    q, results = _search(request, [publication])
    issues = Paginator(_public_issues(publication), 20)
    page = issues.get_page(request.GET.get("page")) if results is None else results
    context = {"publication": publication, "page": page, "q": q, "results": results}
    return render(request, "publications/public_publication.html", context)


@login_not_required
@require_GET
def public_issue(request, pk: int):
    issue = get_object_or_404(
        _with_public_items(Issue.objects.select_related("publication__office")),
        pk=pk, state=IssueState.SIGNED, publication__is_public=True, publication__is_active=True,
    )  # fmt: skip
    adoptions = ordered_adoptions(issue, public_only=True)
    return render(request, "publications/public_issue.html", {"issue": issue, "adoptions": adoptions})


class PublicFeed(Feed):
    feed_type = Atom1Feed
    login_required = False  # read by LoginRequiredMiddleware, as login_not_required sets it

    def get_object(self, request, pk: int):
        return get_object_or_404(Publication, pk=pk, is_public=True, is_active=True)

    def title(self, obj: Publication) -> str:
        return f"{obj.office.name}《{obj.name}》"

    def link(self, obj: Publication) -> str:
        return reverse("public_publication", args=[obj.pk])

    def subtitle(self, obj: Publication) -> str:
        return f"{obj.name}已签发各期的公开信息"

    def items(self, obj: Publication):
        return _public_issues(obj).select_related("publication")[:30]

    def item_title(self, item: Issue) -> str:
        return f"{item.publication.name} {item.label}"

    def item_description(self, item: Issue) -> str:
        return "；".join(a.plain_title for a in ordered_adoptions(item, public_only=True))

    def item_link(self, item: Issue) -> str:
        return reverse("public_issue", args=[item.pk])

    def item_pubdate(self, item: Issue):
        return item.signed_at
