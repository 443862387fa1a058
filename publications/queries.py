"""Reads that the pages and the API share: the pool, the publications with their counts,
the sign-off queue, read receipts and the results of forwarded items upstairs.

Who may see them is decided in access.py; these functions take an already permitted
object or person and only read.
"""

from django.db import connection
from django.db.models import BooleanField, Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When

from submissions import access as item_access
from submissions import actions as item_actions
from submissions import search
from submissions.models import Confidentiality, Item
from submissions.sealing import FERNET_PREFIX, SM4_PREFIX
from submissions.workflow import ADOPTABLE
from units.models import Role, User

from .models import (
    Adoption,
    AdoptionForm,
    AdoptionSource,
    Instruction,
    InstructionLevel,
    Issue,
    IssueRead,
    IssueState,
    Publication,
)


def pool(publication: Publication) -> QuerySet[Adoption]:
    """Adopted items of a publication not yet in any issue of it, oldest first."""
    return Adoption.objects.filter(publication=publication, issue=None, withdrawn_at=None).order_by("adopted_at", "pk")


def with_counts(queryset: QuerySet[Publication]) -> QuerySet[Publication]:
    """Publications with `pool_count` (adoptions waiting for an issue) and `draft_count`
    (issues not yet signed)."""
    return queryset.select_related("office").annotate(
        pool_count=Count("adoptions", filter=Q(adoptions__issue=None, adoptions__withdrawn_at=None), distinct=True),
        draft_count=Count("issues", filter=Q(issues__state=IssueState.DRAFT), distinct=True),
    )


def office_publications(user: User) -> QuerySet[Publication]:
    """The active publications of this person's office, with their counts (the caller
    has checked access.can_list_publications)."""
    return with_counts(Publication.objects.filter(office_id=user.unit_id, is_active=True)).order_by("sort_order", "pk")


def signoff_queue(user: User) -> QuerySet[Issue]:
    """Draft issues of this person's office that have something in them (adopted items
    or a statistics text), oldest first."""
    return (
        Issue.objects.filter(publication__office_id=user.unit_id, state=IssueState.DRAFT)
        .select_related("publication", "sent_by")
        .annotate(n=Count("adoptions"))
        .filter(Q(n__gt=0) | ~Q(note_body=""))
        .order_by("created_at", "pk")
    )


def sent_for_signoff(user: User) -> QuerySet[Issue]:
    """The drafts of this person's office sent to the signer (送签) and waiting: 待签发,
    the longest waiting first."""
    return signoff_queue(user).filter(sent_at__isnull=False).order_by("sent_at", "pk")


def sent_count(user: User) -> int:
    """How many issues wait for this person's office's signer (the signer's home count)."""
    return Issue.objects.filter(
        publication__office_id=user.unit_id, state=IssueState.DRAFT, sent_at__isnull=False
    ).count()


def composite_candidates(user: User) -> QuerySet[Item]:
    """Items on this editor's desk that may go into a composite (综合): the states from
    which the table lets an item be adopted (submissions.workflow.ADOPTABLE)."""
    return item_access.desk_items(user).filter(state__in=ADOPTABLE)


def read_receipts(issue: Issue) -> dict:
    """领导阅批: every leader on the distribution list — of the recipient units and of
    the issuing office — as read (when) or not yet, and any other recipient who read it.
    Editors and approvers of the office are not readers (actions.mark_read)."""
    publication = issue.publication
    unit_ids = [publication.office_id, *publication.recipients.values_list("unit_id", flat=True)]
    leaders = list(
        User.objects.filter(
            unit_id__in=unit_ids, is_active=True, role_grants__role=Role.LEADER, role_grants__unit=F("unit")
        )
        .select_related("unit")
        .distinct()
        .order_by("unit__order_key", "pk")
    )
    read_at = dict(IssueRead.objects.filter(issue=issue).values_list("reader_id", "first_read_at"))
    for leader in leaders:
        leader.read_at = read_at.get(leader.pk)
    leader_ids = {u.pk for u in leaders}
    others = (
        IssueRead.objects.filter(issue=issue, reader__unit_id__in=unit_ids)
        .exclude(reader_id__in=leader_ids)
        .exclude(reader__unit_id=publication.office_id)
        .select_related("reader__unit")
        .order_by("first_read_at")
    )
    return {
        "leaders": leaders,
        "read": sum(1 for u in leaders if u.read_at),
        "unread": sum(1 for u in leaders if not u.read_at),
        "others": list(others),
    }


def upper_results(item: Item) -> list[Adoption]:
    """Adoptions of the item's forwarded copies at upper levels (flow back)."""
    chain = item_actions.forward_chain(item)
    if not chain:
        return []
    return list(
        Adoption.objects.filter(sources__in=chain, withdrawn_at=None)
        .select_related("publication__office", "issue")
        .prefetch_related("external_adoptions")
        .order_by("adopted_at")
    )


def originals(item: Item) -> list[Item]:
    """The items `item` was forwarded from, nearest first (city copy → department item)."""
    found = []
    current = item.forwarded_from
    while current is not None and len(found) < 6:
        found.append(current)
        current = current.forwarded_from
    return found


def item_adoptions(item: Item) -> list[Adoption]:
    """Every adoption that draws on the item, in the order they were made (its page's panel)."""
    return list(
        Adoption.objects.filter(sources=item)
        .select_related("publication", "issue")
        .prefetch_related("external_adoptions")
        .order_by("adopted_at")
    )


def leader_level(user: User) -> str:
    """The instruction level the form preselects for this leader: the level an
    administrator gave them (InstructionLevel.leaders), else the one they used last, if
    it is still on the list; "" when neither is known."""
    own = InstructionLevel.objects.filter(leaders=user).order_by("order", "pk").values_list("name", flat=True).first()
    if own:
        return own
    last = (
        Instruction.objects.filter(leader=user).order_by("-created_at", "-pk").values_list("level", flat=True).first()
    )
    if last and InstructionLevel.objects.filter(name=last).exists():
        return last
    return ""


# --- Search in issues (issue 18) ------------------------------------------------------
#
# A reader reads an adoption's own text (the editor may have cut or reworded it), so that
# is what must hold the words. On PostgreSQL the gram index of items narrows the adoptions
# first: only those drawing on an item with every word's grams (search.candidate_item_ids)
# have their own text tested, so no other body is read. The price: a word the editor
# wrote into an adopted text that none of its items holds is found on SQLite (a plain
# scan) and not on PostgreSQL; indexing the adopted texts themselves would need a gram
# table of adoptions. An adoption drawing on a 敏感 item never matches, for anyone: the
# index has no 敏感 rows, and the adoption's text is sealed like its item's — no
# substring test ever runs on a ciphertext.


def _draws_on_sensitive() -> Exists:
    return Exists(
        AdoptionSource.objects.filter(adoption=OuterRef("pk"), item__confidentiality=Confidentiality.SENSITIVE)
    )


def _sealed(*fields: str) -> Q:
    # An adoption's text is sealed when it is made (actions.adopt), and neither sealed nor
    # opened when its item's 敏感 changes later: a text still sealed stays out, whatever
    # its sources are now.
    sealed = Q()
    for field in fields:
        for prefix in (SM4_PREFIX, FERNET_PREFIX):
            sealed |= Q(**{f"{field}__startswith": prefix})
    return sealed


def matching_adoptions(adoptions: QuerySet[Adoption], q: str) -> QuerySet[Adoption]:
    """The adoptions of `adoptions` (not withdrawn) whose title or body holds every word of
    `q`; none that draws on a 敏感 item. `adoptions` itself when `q` has no word."""
    if not search.words(q):
        return adoptions
    if connection.vendor == "postgresql":
        # Only adoptions drawing on an item with the words' grams (the index, read once)
        # have their own text read: the tests are a CASE, whose conditions PostgreSQL
        # takes in order (as plain conditions, the planner would run the cheap-looking
        # LIKE on the body of every adoption first). A single item found in the index is
        # not 敏感 (it has no row there); a composite's other sources may be.
        drawing = AdoptionSource.objects.filter(item_id__in=search.candidate_item_ids(q)).values("adoption_id")
        tests = [
            When(~Q(pk__in=drawing), then=False),
            When(Q(form=AdoptionForm.COMPOSITE) & Q(_draws_on_sensitive()), then=False),
        ]
    else:
        tests = [When(_draws_on_sensitive(), then=False)]
    return _with_text(adoptions, q, tests)


def _with_text(adoptions: QuerySet[Adoption], q: str, tests: list[When]) -> QuerySet[Adoption]:
    """`adoptions` not withdrawn that pass none of `tests` (each a reason to leave one out)
    and whose text, not sealed, holds every word of `q`: in this order, in one CASE."""
    tests = [*tests, When(_sealed("title", "body"), then=False), When(search.text_q(q), then=True)]
    hit = Case(*tests, default=Value(False), output_field=BooleanField())
    return adoptions.filter(withdrawn_at=None).alias(search_hit=hit).filter(search_hit=True)


def matching_issues(issues: QuerySet[Issue], q: str, *order: str) -> QuerySet[Issue]:
    """The issues of `issues` holding an adoption that matches `q` (matching_adoptions), or
    whose own note (a statistics text) holds every word; those with a title hit (an
    adoption's title or the note's title holding every word) first, then `order`."""
    if not search.words(q):
        return issues.order_by(*order)
    inside = matching_adoptions(Adoption.objects.filter(issue=OuterRef("pk")), q)
    note = search.text_q(q, "note_title", "note_body")
    # For the order only, among issues found: a title of the issue holding the words,
    # read from the titles alone (short), never a sealed one nor a 敏感 item's.
    titled = Adoption.objects.filter(search.title_q(q), issue=OuterRef("pk"), withdrawn_at=None).exclude(
        _sealed("title")
    )
    title_hit = Q(Exists(titled.filter(~_draws_on_sensitive()))) | search.title_q(q, "note_title")
    rank = Case(When(title_hit, then=Value(True)), default=Value(False), output_field=BooleanField())
    return issues.filter(Q(Exists(inside)) | note).alias(search_title_hit=rank).order_by("-search_title_hit", *order)


def issue_hits(issues, q: str) -> dict[int, list[Adoption]]:
    """The adoptions of each of `issues` (a page of them) whose text holds every word, in
    the issue's order, with their sources (for access.withheld_adoptions); none drawing on
    a 敏感 item. Tested on the page's own adoptions alone (a few dozen), without the
    index narrowing, which would be computed again for them. Two queries whatever the page."""
    hits: dict[int, list[Adoption]] = {}
    if not search.words(q):
        return hits
    # The items only for their 敏感 mark: their texts stay unread.
    items = Item.objects.defer("title", "body")
    adoptions = (
        _with_text(Adoption.objects.filter(issue__in=[i.pk for i in issues]), q, [])
        .select_related("item")
        .defer("item__title", "item__body")
        .prefetch_related(Prefetch("sources", items))
        .order_by("issue", "position", "pk")
    )
    for adoption in adoptions:
        if not any(source.is_sensitive for source in adoption.sources.all()):
            hits.setdefault(adoption.issue_id, []).append(adoption)
    return hits
