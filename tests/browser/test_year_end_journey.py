"""The year-end journey (issue 19) in a real Chromium: the office opens the 公示 → the
department's approver appeals an adoption that earned nothing, with a file → the office
accepts it → the 公示 ends and the results are made final → the 通报 downloads, and its
first page names the tiers (read with python-docx)."""

import datetime as dt
from decimal import Decimal

import docx
import pytest
from django.utils import timezone

from publications.models import Publication, PublicationKind
from scoring.models import Appeal, AppealStatus, AwardTier, Scheme, SchemeUnit, Stage
from tests.publications.helpers import adopted
from tests.submissions.pdf_files import minimal_pdf

from .helpers import login

pytestmark = pytest.mark.browser


def test_publicity_appeal_accept_finalise_and_download_the_report(
    live_server, page, transactional_db, writer, unit_approver, editor, issue_approver, city, department, tmp_path,
    screenshot_dir,
):  # fmt: skip
    # A publication the scheme has no rule for: its adoption earns nothing until appealed.
    unscored = Publication.objects.create(office=city, name="内部参阅", kind=PublicationKind.SPECIAL_REPORT)
    adoption = adopted(writer, unit_approver, editor, unscored, title="全市营商环境改革情况")
    scheme = Scheme.objects.create(office=city, year=timezone.localdate().year, name="昆明市政务信息工作考核")
    SchemeUnit.objects.create(scheme=scheme, unit=department, quota=Decimal("5"))
    AwardTier.objects.create(scheme=scheme, name="特等奖", count=1, order=0)
    base = live_server.url
    closing = f"{base}/scoring/{scheme.pk}/closing/"

    login(page, base, issue_approver.username)
    page.goto(closing)
    page.fill("#open-form input[name=days]", "5")
    with page.expect_navigation():
        page.click("#open-form button")
    assert "已开始公示" in page.content() and page.locator("#stage").inner_text() == "公示中"

    login(page, base, unit_approver.username)
    page.goto(closing)
    page.select_option("#appeal-form select[name=subject]", f"adoption:{adoption.pk}")
    page.fill("#appeal-form textarea[name=reason]", "该信息被《内部参阅》采用，未计分。")
    pdf = tmp_path / "采用证明.pdf"
    pdf.write_bytes(minimal_pdf())
    page.set_input_files("#appeal-form input[name=files]", str(pdf))
    with page.expect_navigation():
        page.click("#appeal-form button")
    assert "申诉已提交" in page.content()
    appeal = Appeal.objects.get(scheme=scheme)
    assert page.locator(f"#appeal-{appeal.pk}").get_by_text("采用证明.pdf").count() == 1

    login(page, base, issue_approver.username)
    page.goto(closing)
    row = page.locator(f"#appeal-{appeal.pk}")
    row.locator(f"input[name=a{appeal.pk}-outcome][value=accept]").check()
    row.locator(f"input[name=a{appeal.pk}-points]").fill("5")
    row.locator(f"textarea[name=a{appeal.pk}-decision]").fill("经核实属实，补记5分。")
    with page.expect_navigation():
        row.locator("button").click()
    assert "已采纳申诉并记入更正分" in page.content()
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.ACCEPTED

    # Five working days pass.
    Scheme.objects.filter(pk=scheme.pk).update(publicity_ends_on=timezone.localdate() - dt.timedelta(days=1))
    page.goto(closing)
    with page.expect_navigation():
        page.click("#finalise-form button")
    assert page.locator("#stage").inner_text() == "已定稿"
    assert Scheme.objects.get(pk=scheme.pk).stage == Stage.FINAL
    page.screenshot(path=str(screenshot_dir / "year_end_final.png"), full_page=True)

    with page.expect_download() as info:
        page.click("#report-docx")
    path = tmp_path / "report.docx"
    info.value.save_as(path)
    assert info.value.suggested_filename == f"{scheme.year}年度政务信息工作考核情况通报.docx"
    # The first page: everything before the first page break (the attachment starts a page).
    first_page = []
    for paragraph in docx.Document(str(path)).paragraphs:
        if 'w:type="page"' in paragraph._p.xml or "pageBreakBefore" in paragraph._p.xml:
            break
        first_page.append(paragraph.text)
    text = "\n".join(first_page)
    assert f"关于{scheme.year}年度" in text and "政务信息工作考核情况的通报" in text
    assert f"特等奖（1个）：{department.name}。" in text
