"""The issue page prints the same document as the Word file, section by section: the
texts come from the builder's own helpers (publications.docx) applied to the same
DocIssue, so the two cannot drift apart."""

from dataclasses import dataclass

from django import template

from .. import docx, pdf
from ..copies import Section, document_sections

register = template.Library()


@dataclass(frozen=True)
class Bulletin:
    mark: str  # "内部资料　注意保存"; "" for 公开
    number: str  # "第12期（总第345期）" or "（待签发，签发时编号）"
    approver: str
    approver_placement: str  # docx.approver_placement: "centre" | "left" | "own" | "none"
    office: str
    date: str  # "2026年11月27日" or "（待签发）"
    toc: tuple[str, ...]
    note: Section | None  # the issue's own text (统计通报 …), printed first
    items: tuple[Section, ...]  # the adopted items, each with its adoption
    footer_lines: tuple[tuple[str, str], ...]
    issued: tuple[str, str]
    copies: int | None


@register.simple_tag
def bulletin(document: docx.DocIssue, adoptions) -> Bulletin:
    """{% bulletin document adoptions as b %}: what the Word file prints, for the page."""
    sections = document_sections(document, adoptions)
    toc = tuple(s.item.title for s in sections) if document.toc and len(sections) >= 2 else ()
    return Bulletin(
        mark=docx.MARKS[document.confidentiality],
        number=docx.number_text(document),
        approver=document.approver,
        approver_placement=docx.approver_placement(document),
        office=document.office,
        date=docx.format_date(document.date),
        toc=toc,
        note=next((s for s in sections if s.adoption is None), None),
        items=tuple(s for s in sections if s.adoption is not None),
        footer_lines=tuple(docx.footer_lines(document)),
        issued=docx.issued_line(document),
        copies=document.copies,
    )


@register.simple_tag
def pdf_available() -> bool:
    """{% pdf_available as can_pdf %}: whether this installation can make PDFs."""
    return pdf.available()
