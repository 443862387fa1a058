"""A leader reads today's daily digest and writes an instruction on an item; the
department's staff find it in 待办批示 and report back with a photo; the office sees it
done and the scoreboard shows the department's bonus."""

import struct
import zlib

import pytest
from django.utils import timezone

from publications.models import Instruction, InstructionLevel, Publication, PublicationKind, Schedule
from scoring.models import InstructionRule, Scheme, SchemeUnit
from tests.publications.helpers import adopted, signed_issue

from .helpers import login as _login

pytestmark = pytest.mark.browser

TEXT = "此件很好，请市发展改革委抓紧推进滞后项目，按期反馈。"
FEEDBACK = "已召开专题会议逐项研究，12个滞后项目全部挂牌督办，明确完成时限。"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_leader_instructs_from_the_daily_digest_and_the_department_reports_back(
    live_server,
    page,
    transactional_db,
    writer,
    unit_approver,
    editor,
    issue_approver,
    leader,
    city,
    department,
    screenshot_dir,
):
    InstructionLevel.objects.get_or_create(name="市政府领导", defaults={"order": 4})
    daily = Publication.objects.create(
        office=city, name="每日要情", kind=PublicationKind.DAILY, schedule=Schedule.WORKING_DAY, points_full=5
    )
    adoption = adopted(writer, unit_approver, editor, daily, title="昆明市重大项目建设提速增效")
    issue = signed_issue(editor, issue_approver, daily, [adoption])
    item = adoption.item
    scheme = Scheme.objects.create(office=city, year=timezone.localdate().year, name="昆明市政务信息考核")
    SchemeUnit.objects.create(scheme=scheme, unit=department)
    InstructionRule.objects.create(scheme=scheme, level="市政府领导", points=3)
    base = live_server.url

    # The leader reads today's digest and instructs on its item.
    _login(page, base, leader.username)
    page.goto(f"{base}/bulletins/")
    page.click(f"#bulletins a[href='/issues/{issue.pk}/']")
    assert page.locator(".gi-masthead").inner_text().startswith("每日要情")
    with page.expect_navigation():
        page.click(f"[data-instruct='{item.pk}']")
    assert page.input_value("#id_leader_name") == leader.full_name
    page.select_option("#id_level", label="市政府领导")
    page.fill("#id_text", TEXT)
    with page.expect_navigation():
        page.click("#instruction-form button[type=submit]")
    assert "批示已保存" in page.content(), page.locator("#form-errors").inner_text()
    assert page.locator("#instruction-text").inner_text() == TEXT
    instruction = Instruction.objects.get()

    # The department's staff see it in 待办批示 and report back with a photo.
    _login(page, base, writer.username)
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("link", name="待办批示").click()
    assert page.locator("h1").inner_text().startswith("待办批示")
    row = page.locator(f"#inbox tr[data-instruction='{instruction.pk}']")
    assert "待反馈" in row.inner_text()
    with page.expect_navigation():
        row.locator("a").click()
    page.fill("#id_text", FEEDBACK)
    page.set_input_files("#id_files", files=[{"name": "督办会议.png", "mimeType": "image/png", "buffer": _png()}])
    with page.expect_navigation():
        page.click("#feedback-form button[type=submit]")
    assert "已反馈办理情况" in page.content()
    assert "督办会议.png" in page.locator("#handlers").inner_text()

    # The office sees it done; the scoreboard shows the bonus for the department.
    _login(page, base, leader.username)
    page.goto(f"{base}/instructions/")
    assert page.locator(f"tr[data-instruction='{instruction.pk}']").get_attribute("data-status") == "done"
    page.goto(f"{base}/scoring/{scheme.pk}/")
    board_row = page.locator("#board tbody tr", has_text=department.display_name)
    cells = board_row.locator("td").all_inner_texts()
    assert "3.0" in cells  # points: the 市政府领导 instruction bonus
    headers = page.locator("#board thead th").all_inner_texts()
    assert cells[headers.index("批示")] == "1"  # instructions column, found by its heading
    # The charts are drawn by the plotly bundle the app serves itself.
    page.locator("body[data-charts-ready='1']").wait_for(state="attached", timeout=15000)  # CSP: no eval
    assert page.locator("#chart-points .main-svg").count() >= 1
    page.screenshot(path=str(screenshot_dir / "scoreboard.png"), full_page=True)
