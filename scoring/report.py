"""The year-end 通报 (关于N年度……政务信息工作考核情况的通报), as Word and as Excel.

Pure builders: the stored final board's rows (BoardSnapshot.rows, as
scoring.actions.board_rows wrote them) in, bytes out. Nothing is recomputed, so the
通报 says what was made final, whatever happened to the rules or the ledger since.

The Word file is a bulletin of publications.docx (the same 版头, fonts, 版记 and page
numbers as every issue) with one item, the 通报's text, and the attachment table of
every unit's points and completion put before the 版记, where GB/T 9704-2012 puts
attachments.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import docx
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn

from publications.docx import DocIssue, DocItem, build_issue_docx

from .exports import workbook

ATTACHMENT_HEADER = ["排名", "单位", "考核类别", "基数", "积分", "完成率(%)", "是否完成基数", "奖项", "备注"]


@dataclass(frozen=True)
class ReportInfo:
    office: str  # the assessing office, "昆明市人民政府办公室"
    scheme: str  # the scheme's name
    year: int
    publication: str  # the masthead: the office's statistics publication, or a general one
    date: dt.date  # the day the results were made final


def title(info: ReportInfo) -> str:
    return f"关于{info.year}年度{info.office}政务信息工作考核情况的通报"


def tiers_in_order(rows: list[dict]) -> list[tuple[str, list[dict]]]:
    """Each tier with its units in rank order, tiers in the order the board awards them
    (rows are stored best first, so a tier's first appearance is its place)."""
    tiers: dict[str, list[dict]] = {}
    for row in sorted(rows, key=lambda r: (r["rank"], r["unit"])):
        if row.get("tier"):
            tiers.setdefault(row["tier"], []).append(row)
    return list(tiers.items())


def _names(rows: list[dict]) -> str:
    return "、".join(r["full_name"] or r["unit"] for r in rows)


def paragraphs(info: ReportInfo, rows: list[dict]) -> list[str]:
    """The 通报's text, one paragraph a string."""
    ranked = sorted(rows, key=lambda r: (r["rank"], r["unit"]))
    out = [
        f"根据《{info.scheme}》，{info.office}对{len(ranked)}个被考核单位{info.year}年度政务信息工作进行了考核。"
        f"考核结果经公示、申诉处理，于{info.date.year}年{info.date.month}月{info.date.day}日定稿。现将有关情况通报如下。",
        "一、获奖单位",
    ]
    tiers = tiers_in_order(ranked)
    if tiers:
        out += [f"{name}（{len(units)}个）：{_names(units)}。" for name, units in tiers]
    else:
        out.append("本年度无获奖单位。")
    reached = [r for r in ranked if r.get("reached_quota")]
    out.append("二、完成考核基数的单位")
    out.append(f"共{len(reached)}个：{_names(reached)}。" if reached else "本年度无完成考核基数的单位。")
    vetoed = [r for r in ranked if r.get("vetoed")]
    out.append("三、一票否决单位")
    if vetoed:
        for r in vetoed:
            why = "；".join(r.get("veto_reasons") or []) or "按考核方案一票否决"
            out.append(f"{r['full_name'] or r['unit']}：{why}，不参加本年度评奖。")
    else:
        out.append("本年度无一票否决单位。")
    out.append("各单位积分和完成基数情况见附件。希望受表彰的单位再接再厉，其他单位对照差距，进一步做好政务信息工作。")
    out.append(f"附件：{info.year}年度政务信息工作考核积分表")
    return out


def attachment_rows(rows: list[dict]) -> list[list]:
    ranked = sorted(rows, key=lambda r: (r["rank"], r["unit"]))
    return [
        [
            r["rank"],
            r["full_name"] or r["unit"],
            r.get("assessment_class") or "",
            r.get("quota") or "",
            r["points"],
            r.get("completion") or "",
            "是" if r.get("reached_quota") else "否",
            r.get("tier") or "",
            "一票否决" if r.get("vetoed") else "",
        ]  # fmt: skip
        for r in ranked
    ]


def build_docx(info: ReportInfo, rows: list[dict]) -> bytes:
    """The 通报 as a .docx: the bulletin layout with the attachment table before the 版记."""
    issue = DocIssue(
        publication=info.publication, office=info.office, year=info.year, number=None, total=None,
        date=info.date, confidentiality="内部", fa=("各被考核单位",), toc=False, unnumbered=True,
        items=(DocItem(title=title(info), body="\n".join(paragraphs(info, rows))),),
    )  # fmt: skip
    document = docx.Document(io.BytesIO(build_issue_docx(issue)))
    body = document.element.body
    # The 版记 is the floating table (tblpPr) at the end; the attachment goes before it.
    footer = next(t for t in body.iterfind(qn("w:tbl")) if t.find(f"{qn('w:tblPr')}/{qn('w:tblpPr')}") is not None)
    styles = {s.style_id: s for s in document.styles}
    made = []
    heading = document.add_paragraph(style=styles["GovBody"])
    heading.add_run().add_break(WD_BREAK.PAGE)
    heading.add_run("附件")
    made.append(heading)
    caption = document.add_paragraph(f"{info.year}年度政务信息工作考核积分表", style=styles["GovTitle"])
    made.append(caption)
    table = document.add_table(rows=1, cols=len(ATTACHMENT_HEADER))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ATTACHMENT_HEADER, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in attachment_rows(rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = str(value)
    made.append(table)
    for block in made:
        footer.addprevious(block._element)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def build_xlsx(info: ReportInfo, rows: list[dict]) -> bytes:
    """The attachment table as a workbook (common.spreadsheets.safe_cell on every cell)."""
    return workbook(f"{info.year}年度考核结果", ATTACHMENT_HEADER, attachment_rows(rows))


def filename(info: ReportInfo, ext: str) -> str:
    return f"{info.year}年度政务信息工作考核情况通报.{ext}"


def note_text(info: ReportInfo, rows: list[dict]) -> tuple[str, str]:
    """The 通报 as the title and text of a note issue (publications.compile_note_issue):
    the attachment table becomes one line a unit, the issue having no tables."""
    lines = paragraphs(info, rows)
    for rank, name, _class, _quota, points, completion, _reached, tier, note in attachment_rows(rows):
        extra = "".join(f"，{x}" for x in (tier, note) if x)
        done = f"，完成基数{completion}%" if completion else ""
        lines.append(f"{rank}. {name}：积分{points}{done}{extra}。")
    return title(info), "\n".join(lines)
