"""Who may edit, sign off and read which publication and issue.

Reading follows the distribution list ("上下有别、内外有别"): a signed issue is open to
people in the units on its 报/送/发 list and to the issuing office's leaders, editors
and issue approvers; a draft only to the office's editors and issue approvers.

A 敏感 item's own rule wins over the list (docs: README "敏感信息在刊物中"): inside an
issue a reader sees the text of an adoption only if they may read every 敏感 item it draws
on (submissions.access.can_read: the office's editors, the leaders named on the item, its
author and unit approver). Everyone else gets the issue without it and a line saying that
an item was withheld — on the page, in the Word file and in the API alike, since each of
them takes its adoptions from `issue_copy` (publications/copies.py).

Every decision the pages and the API make about publications is a named function here;
the role checks (`holds`) stay inside this module.
"""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from submissions import access as item_access
from submissions.models import Item
from submissions.workflow import ADOPTABLE, ADOPTED_STATES
from units.access import holds
from units.models import Role, User

from .models import Adoption, CompileRun, Issue, IssueState, Publication

OFFICE_READERS = (Role.LEADER, Role.EDITOR, Role.ISSUE_APPROVER)


def is_editor_of(user: User, publication: Publication) -> bool:
    """An editor of the publication's office: adopts into it, composes its issues."""
    return user.unit_id == publication.office_id and holds(user, Role.EDITOR)


def is_approver_of(user: User, publication: Publication) -> bool:
    """An issue approver of the publication's office: signs its issues off."""
    return user.unit_id == publication.office_id and holds(user, Role.ISSUE_APPROVER)


def composes_or_signs(user: User, publication: Publication) -> bool:
    """An editor or issue approver of the publication's office: the people who handle its
    drafts (and may ask to take a sent one back)."""
    return is_editor_of(user, publication) or is_approver_of(user, publication)


def reads_for_office(user: User) -> bool:
    """A leader, editor or issue approver: reads the signed issues of their own office."""
    return any(holds(user, r) for r in OFFICE_READERS)


def can_list_publications(user: User) -> bool:
    """The publications pages and list are for editors and issue approvers (of their
    own office's publications)."""
    return holds(user, Role.EDITOR) or holds(user, Role.ISSUE_APPROVER)


def can_see_signoff_queue(user: User) -> bool:
    """The queue of issues waiting for sign-off is for issue approvers."""
    return holds(user, Role.ISSUE_APPROVER)


def can_adopt(user: User, item: Item) -> bool:
    """May this person adopt the item now: an editor of the office it was sent to, while
    the transition table lets it be adopted (the act checks the same, and the
    publication). The page shows the adoption form on this."""
    return item_access.is_office_editor(user, item) and item.state in ADOPTABLE


def can_forward(user: User, item: Item, *, chain: list[Item]) -> bool:
    """May this editor forward (转报) the item to the office above now: adopted here,
    not forwarded yet (`chain`: its forwarded copies), and there is an office above."""
    return (
        item_access.is_office_editor(user, item)
        and not chain
        and item.state in ADOPTED_STATES
        and user.unit.parent_id is not None
    )


def can_compose(user: User, issue: Issue) -> bool:
    """May this person add, remove and reorder the issue's items: an editor of its
    office, while it is a draft not sent to the signer (送签)."""
    return issue.state == IssueState.DRAFT and not issue.sent_at and is_editor_of(user, issue.publication)


def can_send_for_signoff(user: User, issue: Issue) -> bool:
    """May this person send the draft to the signer (送签): an editor of its office,
    while it is a draft not sent yet (send_issue_for_signoff also wants it not empty)."""
    return can_compose(user, issue)


def can_take_back(user: User, issue: Issue) -> bool:
    """May this person undo 送签: an editor of the office (撤回送签) or an issue approver
    (退回编辑), while the sent draft is not signed."""
    publication = issue.publication
    return issue.is_sent and (is_editor_of(user, publication) or is_approver_of(user, publication))


def can_sign(user: User, issue: Issue) -> bool:
    """May this person sign the issue off: an issue approver of its office, while it is
    a draft (sign_off_issue checks the same)."""
    return issue.state == IssueState.DRAFT and is_approver_of(user, issue.publication)


def can_read_issue(user: User, issue: Issue) -> bool:
    """A draft: the office's editors and issue approvers. A signed issue: the office's
    readers (reads_for_office) and everyone in a unit on its distribution list."""
    if not (user.is_authenticated and user.is_active and user.unit_id):
        return False
    publication = issue.publication
    if issue.state != IssueState.SIGNED:
        return is_editor_of(user, publication) or is_approver_of(user, publication)
    if user.unit_id == publication.office_id:
        return reads_for_office(user)
    return publication.recipients.filter(unit_id=user.unit_id).exists()


def withheld_adoptions(user: User, adoptions: Iterable[Adoption]) -> set[int]:
    """The ids of the adoptions among `adoptions` whose text this person may not read: those
    that draw on a 敏感 item they may not read. `sources` should be prefetched."""
    adoptions = list(adoptions)
    drawn = {a.pk: [a.item, *a.sources.all()] for a in adoptions}
    sensitive = {i.pk: i for items in drawn.values() for i in items if i.is_sensitive}
    if not sensitive:
        return set()
    readable = item_access.readable_item_ids(user, sensitive.values())
    return {pk for pk, items in drawn.items() if any(i.pk in sensitive and i.pk not in readable for i in items)}


def editable_publications(user: User) -> QuerySet[Publication]:
    """The active publications this person may adopt into (their office's, as editor)."""
    if not holds(user, Role.EDITOR):
        return Publication.objects.none()
    return Publication.objects.filter(office_id=user.unit_id, is_active=True)


def bulletins(user: User) -> QuerySet[Issue]:
    """'My bulletins': signed issues distributed to this person's unit, or issued by
    their own office when they read for it."""
    if not (user.is_authenticated and user.unit_id):
        return Issue.objects.none()
    own_office = Q(publication__office_id=user.unit_id) if reads_for_office(user) else Q(pk=None)
    listed = Q(publication__recipients__unit_id=user.unit_id)
    return Issue.objects.filter(own_office | listed, state=IssueState.SIGNED).distinct()


def readable_issues(user: User) -> QuerySet[Issue]:
    """can_read_issue as a query: signed issues distributed to this person, and for the
    office's editors and issue approvers its drafts (used by the API's issue list)."""
    q = Q(pk__in=bulletins(user).values("pk"))
    if can_list_publications(user):
        q |= Q(publication__office_id=user.unit_id, state=IssueState.DRAFT)
    return Issue.objects.filter(q)


def get_publication_for_editor(user: User, pk: int) -> Publication:
    """A publication of this person's office, for its editors and issue approvers; 404
    for any other and for a missing one."""
    try:
        publication = Publication.objects.select_related("office").get(pk=pk)
    except (Publication.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该刊物") from None
    if not (is_editor_of(user, publication) or is_approver_of(user, publication)):
        raise Http404("没有找到该刊物")
    return publication


def get_issue_for_user(user: User, pk: int) -> Issue:
    """An issue this person may read (can_read_issue), or 404."""
    try:
        issue = Issue.objects.select_related("publication__office", "signed_by", "sent_by").get(pk=pk)
    except (Issue.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该期") from None
    if not can_read_issue(user, issue):
        raise Http404("没有找到该期")
    return issue


def get_issue_for_editor(user: User, pk: int) -> Issue:
    """An issue this person may read and whose publication they edit, or 404."""
    issue = get_issue_for_user(user, pk)
    if not is_editor_of(user, issue.publication):
        raise Http404("没有找到该期")
    return issue


def get_adoption_for_editor(user: User, pk, *, detail: bool = False) -> Adoption:
    """An adoption into a publication this person edits, or 404 (missing, malformed id
    and forbidden alike). `detail` loads what showing it needs (its item, adopter and
    source units)."""
    queryset = Adoption.objects.select_related("publication", "issue")
    if detail:
        queryset = queryset.select_related("adopted_by", "item").prefetch_related("sources__unit")
    try:
        adoption = queryset.get(pk=int(pk))
    except (Adoption.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("没有找到该采用记录") from None
    if not is_editor_of(user, adoption.publication):
        raise Http404("没有找到该采用记录")
    return adoption


def get_compile_run_for_editor(user: User, pk: int) -> CompileRun:
    """A compile run of a publication this person may open (get_publication_for_editor), or 404."""
    try:
        run = CompileRun.objects.select_related("publication", "issue").get(pk=pk)
    except (CompileRun.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该编辑任务") from None
    get_publication_for_editor(user, run.publication_id)
    return run
