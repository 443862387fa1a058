"""From the database to the pure Word builder's input: one place that decides what an
issue prints (ordered items, sources, the 报/送/发 footer) and, for each reader, which of
its items they get (`issue_copy`: the page, the Word file and the API all start here)."""

from dataclasses import dataclass

from units.models import User

from . import access
from .docx import DocIssue, DocItem
from .models import Adoption, Issue, RecipientKind

CONFIDENTIALITY_MARKS = {"public": "公开", "internal": "内部", "sensitive": "敏感"}


def ordered_adoptions(issue: Issue, *, public_only: bool = False):
    qs = (
        issue.adoptions.filter(withdrawn_at=None)
        .select_related("item", "publication", "adopted_by")
        .prefetch_related("sources__unit")
    )
    if public_only:
        # Only items the writer marked 公开, and composites whose every source is 公开.
        qs = qs.exclude(sources__confidentiality__in=["internal", "sensitive"])
    return qs.order_by("position", "pk")


@dataclass(frozen=True)
class IssueCopy:
    """What one reader gets of an issue: the adoptions they may read, in order, and how
    many were withheld from them (敏感 items they may not read)."""

    adoptions: tuple[Adoption, ...]
    withheld: int = 0

    @property
    def withheld_note(self) -> str:
        if not self.withheld:
            return ""
        return f"（本期另有{self.withheld}条敏感信息，仅限有权阅读的人员阅看，未在此件中显示。）"


def issue_copy(issue: Issue, reader: User) -> IssueCopy:
    """The issue as `reader` may read it (publications.access.withheld_adoptions)."""
    adoptions = list(ordered_adoptions(issue))
    withheld = access.withheld_adoptions(reader, adoptions)
    return IssueCopy(tuple(a for a in adoptions if a.pk not in withheld), len(withheld))


def complete_copy(issue: Issue) -> IssueCopy:
    """Every item: the office's file copy, made at sign-off and handed out only to readers
    from whom nothing is withheld."""
    return IssueCopy(tuple(ordered_adoptions(issue)))


def _source(adoption: Adoption) -> str:
    return "、".join(dict.fromkeys(s.unit.display_name for s in adoption.sources.all()))


def issue_document(issue: Issue, copy: IssueCopy) -> DocIssue:
    publication = issue.publication
    recipients: dict[str, list[str]] = {k: [] for k in RecipientKind.values}
    for r in publication.recipients.select_related("unit").order_by("unit__path"):
        recipients[r.kind].append(r.unit.display_name)
    items = tuple(
        DocItem(title=a.plain_title, body=a.plain_body, source=_source(a), form=a.form) for a in copy.adoptions
    )
    if issue.note_body:
        items = (DocItem(title=issue.note_title, body=issue.note_body), *items)
    return DocIssue(
        publication=publication.name,
        office=publication.office.name,
        year=issue.year or (issue.created_at.year),
        number=issue.number or 0,
        total=issue.total,
        special=issue.special,
        date=issue.signed_date,
        confidentiality=CONFIDENTIALITY_MARKS[publication.confidentiality],
        approver=str(issue.signed_by) if issue.signed_by_id else "",
        items=items,
        bao=tuple(recipients[RecipientKind.BAO]),
        song=tuple(recipients[RecipientKind.SONG]),
        fa=tuple(recipients[RecipientKind.FA]),
        extra=tuple(x for x in issue.extra_recipients.replace("、", "，").split("，") if x.strip()),
        copies=issue.copies,
        withheld_note=copy.withheld_note,
    )
