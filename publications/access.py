"""Who may edit, sign off and read which publication and issue.

Reading follows the distribution list ("上下有别、内外有别"): a signed issue is open to
people in the units on its 报/送/发 list and to the issuing office's leaders, editors
and issue approvers; a draft only to the office's editors and issue approvers.

A 敏感 item's own rule wins over the list (docs: README "敏感信息在刊物中"): inside an
issue a reader sees the text of an adoption only if they may read every 敏感 item it draws
on (submissions.access.can_read: the office's editors, the leaders named on the item, its
author and unit approver). Everyone else gets the issue without it and a line saying that
an item was withheld — on the page, in the Word file and in the API alike, since each of
them takes its adoptions from `issue_copy` (publications/output.py).
"""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from submissions import access as item_access
from units.access import holds
from units.models import Role, User

from .models import Adoption, Issue, IssueState, Publication

OFFICE_READERS = (Role.LEADER, Role.EDITOR, Role.ISSUE_APPROVER)


def is_editor_of(user: User, publication: Publication) -> bool:
    return user.unit_id == publication.office_id and holds(user, Role.EDITOR)


def is_approver_of(user: User, publication: Publication) -> bool:
    return user.unit_id == publication.office_id and holds(user, Role.ISSUE_APPROVER)


def can_read_issue(user: User, issue: Issue) -> bool:
    if not (user.is_authenticated and user.is_active and user.unit_id):
        return False
    publication = issue.publication
    if issue.state != IssueState.SIGNED:
        return is_editor_of(user, publication) or is_approver_of(user, publication)
    if user.unit_id == publication.office_id:
        return any(holds(user, r) for r in OFFICE_READERS)
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
    if not holds(user, Role.EDITOR):
        return Publication.objects.none()
    return Publication.objects.filter(office_id=user.unit_id, is_active=True)


def bulletins(user: User) -> QuerySet[Issue]:
    """'My bulletins': signed issues distributed to this person's unit, or issued by
    their own office when they read for it."""
    if not (user.is_authenticated and user.unit_id):
        return Issue.objects.none()
    own_office = Q(publication__office_id=user.unit_id) if any(holds(user, r) for r in OFFICE_READERS) else Q(pk=None)
    listed = Q(publication__recipients__unit_id=user.unit_id)
    return Issue.objects.filter(own_office | listed, state=IssueState.SIGNED).distinct()


def readable_issues(user: User) -> QuerySet[Issue]:
    """can_read_issue as a query: signed issues distributed to this person, and for the
    office's editors and issue approvers its drafts (used by the API's issue list)."""
    q = Q(pk__in=bulletins(user).values("pk"))
    if holds(user, Role.EDITOR) or holds(user, Role.ISSUE_APPROVER):
        q |= Q(publication__office_id=user.unit_id, state=IssueState.DRAFT)
    return Issue.objects.filter(q)


def get_publication_for_editor(user: User, pk: int) -> Publication:
    try:
        publication = Publication.objects.select_related("office").get(pk=pk)
    except (Publication.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该刊物") from None
    if not (is_editor_of(user, publication) or is_approver_of(user, publication)):
        raise Http404("没有找到该刊物")
    return publication


def get_issue_for_user(user: User, pk: int) -> Issue:
    try:
        issue = Issue.objects.select_related("publication__office", "signed_by").get(pk=pk)
    except (Issue.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该期") from None
    if not can_read_issue(user, issue):
        raise Http404("没有找到该期")
    return issue


def get_issue_for_editor(user: User, pk: int) -> Issue:
    issue = get_issue_for_user(user, pk)
    if not is_editor_of(user, issue.publication):
        raise Http404("没有找到该期")
    return issue
