"""From the database to the pure Word builder's input: one place that decides what an
issue prints (ordered items, sources, the 报/送/发 footer) and, for each reader, which of
its items they get (`issue_copy`: the page, the Word file and the API all start here)."""

from dataclasses import dataclass
from pathlib import PurePosixPath

from django.db.models import Prefetch

from common.tables import split_blocks
from submissions import filesealing
from submissions.models import Attachment, Confidentiality
from units.models import Unit, User

from . import access
from .docx import DocIssue, DocItem, DocPicture, title_lines
from .models import Adoption, AdoptionSource, Issue, RecipientKind

CONFIDENTIALITY_MARKS = {"public": "公开", "internal": "内部", "sensitive": "敏感"}


# An adoption is public only if every item it draws on is 公开.
NOT_PUBLIC = (Confidentiality.INTERNAL, Confidentiality.SENSITIVE)


def ordered_adoptions(issue: Issue, *, public_only: bool = False):
    qs = (
        issue.adoptions.filter(withdrawn_at=None)
        .select_related("item", "publication", "adopted_by")
        .prefetch_related(
            "sources__unit",
            # the order the editor chose the sources in, which is the order of the body
            Prefetch("source_links", AdoptionSource.objects.select_related("item__unit").order_by("pk")),
            # 随文刊发: only images (they passed the upload checks) the office's editor marked
            Prefetch(
                "source_links__item__attachments",
                Attachment.objects.filter(for_print=True, kind="image").order_by("pk"),
                to_attr="printed_pictures",
            ),
        )
    )
    if public_only:
        # Only items the writer marked 公开, and composites whose every source is 公开.
        qs = qs.exclude(sources__confidentiality__in=NOT_PUBLIC)
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


def source_units(adoption: Adoption) -> list[str]:
    """The units an adoption draws on, in the order of its body (a 综合's sources in the
    order the editor chose them), each once."""
    return list(dict.fromkeys(link.item.unit.display_name for link in adoption.source_links.all()))


def printed_pictures(adoption: Adoption | None) -> list[Attachment]:
    """The pictures printed after an adoption's body (随文刊发), those of its sources in the
    order of its body. Only for adoptions of the reader's copy: a withheld 敏感 item's
    pictures are never asked for."""
    if adoption is None:
        return []
    return [picture for link in adoption.source_links.all() for picture in link.item.printed_pictures]


def picture_caption(attachment: Attachment) -> str:
    """The caption under a printed picture: the attachment's name without its extension."""
    return PurePosixPath(attachment.original_name).stem or attachment.original_name


def _doc_pictures(adoption: Adoption) -> tuple[DocPicture, ...]:
    out = []
    for picture in printed_pictures(adoption):
        try:
            data = filesealing.read(picture)  # opened if the item is 敏感: this copy's reader may read it
        except FileNotFoundError:
            continue  # the stored file is gone: the bulletin prints without it rather than fail
        out.append(DocPicture(data=data, caption=picture_caption(picture)))
    return tuple(out)


def _source(adoption: Adoption) -> str:
    return "、".join(source_units(adoption))


def official_order(units: list[Unit]) -> dict[int, str]:
    """Each unit's place in the official order (`Unit.sort_order` at every level of the
    tree, then the id), as a sort key: a department after its office, offices in their
    official order rather than in the text order of their tree paths ("/1/10/" < "/1/9/").
    It is the stored `Unit.order_key`, so no query."""
    return {unit.pk: unit.order_key for unit in units}


def distribution(publication) -> dict[str, list[str]]:
    """The 报/送/发 lines of a publication: each line by the entries' `sort_order`, then
    free-text recipients (outside the tree), then units in their official order."""
    entries = list(publication.recipients.select_related("unit"))
    keys = official_order([r.unit for r in entries if r.unit_id])
    # At equal sort_order a name comes first: those outside the tree (省委、省政府领导,
    # 国务院办公厅) rank above the units of the office's own tree.
    entries.sort(key=lambda r: (r.sort_order, 1 if r.unit_id else 0, keys.get(r.unit_id, ""), r.name, r.pk))
    lines: dict[str, list[str]] = {k: [] for k in RecipientKind.values}
    for r in entries:
        lines[r.kind].append(r.label)
    return lines


def issue_document(issue: Issue, copy: IssueCopy) -> DocIssue:
    publication = issue.publication
    recipients = distribution(publication)
    items = tuple(
        DocItem(title=a.plain_title, body=a.plain_body, source=_source(a), form=a.form, pictures=_doc_pictures(a))
        for a in copy.adoptions
    )
    if issue.note_body:
        items = (DocItem(title=issue.note_title, body=issue.note_body), *items)
    return DocIssue(
        publication=publication.name,
        office=publication.office.name,
        year=issue.year or (issue.created_at.year),
        number=issue.number,
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


@dataclass(frozen=True)
class Section:
    """One item of the document as the page shows it, in the Word file's order and form:
    the adoption it comes from (None for the issue's own note), whether a 简讯 heading
    comes before it, and its title broken into the same lines."""

    item: DocItem
    adoption: Adoption | None
    brief_heading: bool
    title_lines: tuple[str, ...]

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.item.body.splitlines() if p.strip()]

    @property
    def blocks(self) -> list[dict]:
        """Paragraphs ({"text": …}) and simple tables ({"rows": …}), as the file prints them."""
        return [{"text": b} if isinstance(b, str) else {"rows": b} for b in split_blocks(self.paragraphs)]

    @property
    def pictures(self) -> list[dict]:
        """The pictures the file prints after the body, each {"attachment", "caption"}."""
        return [{"attachment": p, "caption": picture_caption(p)} for p in printed_pictures(self.adoption)]


def document_sections(document: DocIssue, adoptions) -> list[Section]:
    """The items of `document` paired with their `adoptions` (the copy's), grouped as the
    Word file groups them (one 简讯 heading per run of consecutive briefs)."""
    adoptions: list[Adoption | None] = list(adoptions)
    if len(document.items) > len(adoptions):
        adoptions.insert(0, None)  # the issue's note comes first
    sections, previous = [], None
    for item, adoption in zip(document.items, adoptions, strict=True):
        heading = item.form == "brief" and previous != "brief"
        sections.append(Section(item, adoption, heading, tuple(title_lines(item.title))))
        previous = item.form
    return sections
