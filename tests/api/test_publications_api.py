"""The publications part of the API: for each endpoint what a user does, a refused
outsider (404, as if missing) and bad input (400), plus the domain's refusals (409)."""

import datetime as dt
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from publications import actions, queries
from publications.instructions import actions as ins
from publications.models import (
    Adoption,
    ExternalAdoption,
    FeedbackAttachment,
    InstructionHandler,
    InstructionLevel,
    Issue,
    IssueRead,
    Publication,
    PublicationKind,
    Recipient,
    RecipientKind,
    Schedule,
)
from submissions.models import Item, State
from tests.publications.helpers import adopted, signed_issue
from tests.submissions.helpers import submitted

TEXT = "请市发展改革委认真总结经验做法，进一步加快项目建设进度。"
FEEDBACK = "已召开专题会议研究落实，12个滞后项目已全部挂牌督办。"


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def bulletin(city, department, province):
    """The city's 政务信息 (briefs allowed): 报 the province, 发 the department."""
    publication = Publication.objects.create(
        office=city, name="政务信息", kind=PublicationKind.GENERAL, schedule=Schedule.REGULAR,
        allows_briefs=True, points_full=5, points_brief=3,
    )  # fmt: skip
    Recipient.objects.create(publication=publication, unit=province, kind=RecipientKind.BAO)
    Recipient.objects.create(publication=publication, unit=department, kind=RecipientKind.FA)
    return publication


@pytest.fixture
def daily(city):
    return Publication.objects.create(
        office=city, name="每日要情", kind=PublicationKind.DAILY, schedule=Schedule.WORKING_DAY, points_full=5
    )


@pytest.fixture
def item(writer, unit_approver):
    return submitted(writer, unit_approver)


@pytest.fixture
def adoption(writer, unit_approver, editor, bulletin):
    return adopted(writer, unit_approver, editor, bulletin)


@pytest.fixture
def draft_issue(editor, bulletin, adoption):
    issue = actions.create_issue(publication=bulletin, user=editor)
    return actions.add_to_issue(issue=issue, adoptions=[adoption], user=editor)


@pytest.fixture
def published(writer, unit_approver, editor, issue_approver, bulletin):
    """An item of the department in a signed issue of 政务信息 (another than `adoption`'s)."""
    adoption = adopted(writer, unit_approver, editor, bulletin)
    issue = signed_issue(editor, issue_approver, bulletin, [adoption])
    adoption.item.refresh_from_db()
    return adoption.item, issue


@pytest.fixture
def levels(db):
    for order, name in enumerate(["省政府领导", "市政府领导"]):
        InstructionLevel.objects.get_or_create(name=name, defaults={"order": order})


@pytest.fixture
def instruction(leader, published, department, levels):
    item, issue = published
    today = timezone.localdate()
    return ins.make_instruction(
        item=item, issue=issue, user=leader, leader_name="", level="市政府领导", text=TEXT, date=today,
        deadline=today + dt.timedelta(days=7), units=[department],
    )  # fmt: skip


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def post(user, url: str, data: dict | None = None):
    return api_for(user).post(url, data or {}, format="json")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert body["code"] == code and body["message"], body
    return body


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


# --- items/{id}/adopt/ --------------------------------------------------------------------------


def test_editor_adopts_an_item_as_a_shortened_brief(editor, item, bulletin):
    url = reverse("api-item-adopt", args=[item.pk])
    data = {
        "publication": bulletin.pk,
        "form": "brief",
        "body": "全市重大项目完成投资486.3亿元。",
        "version": item.version,
    }
    response = post(editor, url, data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["form"], body["body"], body["title"]) == ("brief", data["body"], item.plain_title)
    assert body["publication"] == {"id": bulletin.pk, "name": "政务信息"} and body["items"] == [item.pk]
    assert body["source"] == item.unit.display_name and body["issue"] is None
    item.refresh_from_db()
    assert item.state == State.ADOPTED and item.plain_body != data["body"]  # the item itself is untouched


def test_editor_of_another_city_cannot_adopt(outsider, item, bulletin):
    response = post(outsider, reverse("api-item-adopt", args=[item.pk]), {"publication": bulletin.pk})
    assert_error(response, 404, "not_found")
    assert not Adoption.objects.exists()


def test_adopt_refuses_bad_input_and_illegal_moves(editor, item, bulletin, daily):
    url = reverse("api-item-adopt", args=[item.pk])
    body = assert_error(post(editor, url, {"form": "poem"}), 400, "invalid")
    assert {"publication", "form"} <= set(body["errors"])
    assert_error(post(editor, url, {"publication": bulletin.pk, "form": "composite"}), 400, "invalid")
    # 每日要情 takes no briefs: the action's own refusal, in its own words.
    refused = assert_error(post(editor, url, {"publication": daily.pk, "form": "brief"}), 409, "conflict")
    assert "不采用简讯" in refused["message"]
    assert_error(post(editor, url, {"publication": bulletin.pk, "version": item.version + 5}), 409, "conflict")
    assert post(editor, url, {"publication": bulletin.pk}).status_code == 201
    assert "已被" in assert_error(post(editor, url, {"publication": bulletin.pk}), 409, "conflict")["message"]


# --- items/{id}/forward/ ------------------------------------------------------------------------


def test_editor_forwards_an_adopted_item_to_the_province(editor, adoption, province):
    response = post(editor, reverse("api-item-forward", args=[adoption.item_id]), {"note": "请省政府办公厅参阅"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["office"]["id"] == province.pk and body["forwarded_from"] == adoption.item_id
    assert Item.objects.get(pk=body["id"]).state == State.SUBMITTED


def test_forward_is_refused_to_an_outsider_for_bad_input_and_before_adoption(editor, outsider, adoption, item):
    url = reverse("api-item-forward", args=[adoption.item_id])
    assert_error(post(outsider, url), 404, "not_found")
    assert_error(post(editor, url, {"note": "长" * 201}), 400, "invalid")
    assert_error(post(editor, reverse("api-item-forward", args=[item.pk])), 409, "conflict")
    assert post(editor, url).status_code == 201
    assert_error(post(editor, url), 409, "conflict")  # forwarded once only


# --- adoptions/{id}/ ------------------------------------------------------------------------------


def test_editor_reads_withdraws_and_records_an_external_adoption(editor, adoption, writer, unit_approver, bulletin):
    api = api_for(editor)
    assert api.get(reverse("api-adoption-detail", args=[adoption.pk])).json()["id"] == adoption.pk
    external = post(
        editor, reverse("api-adoption-external", args=[adoption.pk]),
        {"date": timezone.localdate().isoformat(), "evidence": "国办《每日要情》2026年第88期"},
    )  # fmt: skip
    assert external.status_code == 201 and external.json()["level"] == "国办"
    other = adopted(writer, unit_approver, editor, bulletin, title="我市民间投资增速回升")
    withdrawn = post(editor, reverse("api-adoption-withdraw", args=[other.pk]), {"reason": "与另一条重复"})
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    assert_error(post(editor, reverse("api-adoption-withdraw", args=[other.pk]), {"reason": "再撤"}), 409, "conflict")


def test_adoption_endpoints_refuse_outsiders_and_bad_input(editor, outsider, adoption):
    for name in ("api-adoption-withdraw", "api-adoption-external"):
        assert_error(post(outsider, reverse(name, args=[adoption.pk]), {"reason": "x"}), 404, "not_found")
    assert_error(api_for(outsider).get(reverse("api-adoption-detail", args=[adoption.pk])), 404, "not_found")
    assert_error(post(editor, reverse("api-adoption-withdraw", args=[adoption.pk]), {}), 400, "invalid")
    bad_date = {"date": "二〇二六年", "evidence": "国办"}
    assert_error(post(editor, reverse("api-adoption-external", args=[adoption.pk]), bad_date), 400, "invalid")
    assert not ExternalAdoption.objects.exists() and Adoption.objects.get(pk=adoption.pk).withdrawn_at is None


# --- publications/ ---------------------------------------------------------------------------------


def test_editor_lists_and_reads_the_offices_publications_with_their_pool(editor, adoption, bulletin, daily):
    api = api_for(editor)
    listed = {p["name"]: p for p in api.get(reverse("api-publication-list")).json()["results"]}
    assert set(listed) == {"政务信息", "每日要情"}
    assert (listed["政务信息"]["pool_count"], listed["政务信息"]["draft_count"]) == (1, 0)
    assert api.get(reverse("api-publication-detail", args=[bulletin.pk])).json()["pool_count"] == 1
    pool = api.get(reverse("api-publication-pool", args=[bulletin.pk])).json()
    assert pool["count"] == 1 and pool["results"][0]["id"] == adoption.pk


def test_publications_are_hidden_from_outsiders_and_writers(outsider, writer, bulletin):
    assert api_for(outsider).get(reverse("api-publication-list")).json()["results"] == []
    assert api_for(writer).get(reverse("api-publication-list")).json()["results"] == []
    for name in ("api-publication-detail", "api-publication-pool"):
        assert_error(api_for(outsider).get(reverse(name, args=[bulletin.pk])), 404, "not_found")
    assert_error(api_for(outsider).get(reverse("api-publication-detail", args=["abc"])), 404, "not_found")


def test_publication_list_queries_stay_flat(editor, city, django_assert_max_num_queries):
    for n in range(15):
        Publication.objects.create(office=city, name=f"刊物{n}", kind=PublicationKind.INTERNAL)
    with django_assert_max_num_queries(6):
        assert api_for(editor).get(reverse("api-publication-list")).json()["count"] == 15


def test_editor_merges_items_into_a_composite(editor, writer, unit_approver, bulletin):
    first, second = submitted(writer, unit_approver), submitted(writer, unit_approver, title="我市民间投资增速回升")
    response = post(
        editor, reverse("api-publication-composite", args=[bulletin.pk]),
        {"items": [first.pk, second.pk], "title": "我市投资增长态势良好", "body": "综合两条信息。"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["form"], body["item"], sorted(body["items"])) == ("composite", first.pk, [first.pk, second.pk])


def test_composite_refuses_outsiders_and_bad_input(editor, outsider, item, bulletin):
    url = reverse("api-publication-composite", args=[bulletin.pk])
    assert_error(post(outsider, url, {"items": [item.pk], "title": "x", "body": "y"}), 404, "not_found")
    assert_error(post(editor, url, {"items": [item.pk], "title": "x", "body": "y"}), 400, "invalid")  # one source
    unknown = assert_error(post(editor, url, {"items": [item.pk, 10**9], "title": "x", "body": "y"}), 400, "invalid")
    assert "items" in unknown["errors"]
    assert_error(post(editor, url, {"items": "all"}), 400, "invalid")


# --- issues/ -----------------------------------------------------------------------------------------


def test_editor_creates_an_issue_from_the_pool(editor, bulletin, adoption):
    response = post(editor, reverse("api-issue-list"), {"publication": bulletin.pk, "adoptions": [adoption.pk]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["label"], body["can_compose"], body["can_sign_off"]) == (
        "draft", "（待签发）", True, False
    )  # fmt: skip
    assert [a["id"] for a in body["adoptions"]] == [adoption.pk]


def test_create_issue_refuses_outsiders_and_bad_input_without_leaving_a_draft(editor, outsider, bulletin, daily):
    url = reverse("api-issue-list")
    assert_error(post(outsider, url, {"publication": bulletin.pk}), 404, "not_found")
    assert_error(post(editor, url, {}), 400, "invalid")
    assert_error(post(editor, url, {"publication": bulletin.pk, "adoptions": ["一"]}), 400, "invalid")
    other = Adoption.objects.none()
    assert not other.exists()
    body = assert_error(post(editor, url, {"publication": daily.pk, "adoptions": [10**9]}), 400, "invalid")
    assert "adoptions" in body["errors"]
    assert not Issue.objects.exists()


def test_issue_list_shows_drafts_to_the_office_and_signed_issues_to_their_readers(
    editor, writer, outsider, issue_approver, bulletin, published, draft_issue
):
    _, signed = published
    issues = reverse("api-issue-list")
    assert {i["id"] for i in api_for(editor).get(issues).json()["results"]} == {signed.pk, draft_issue.pk}
    assert {i["id"] for i in api_for(issue_approver).get(issues).json()["results"]} == {signed.pk, draft_issue.pk}
    assert [i["id"] for i in api_for(writer).get(issues).json()["results"]] == [signed.pk]
    assert api_for(outsider).get(issues).json()["results"] == []
    drafts = api_for(editor).get(issues, {"state": "draft", "publication": bulletin.pk}).json()["results"]
    assert [(i["id"], i["adoption_count"]) for i in drafts] == [(draft_issue.pk, 1)]
    assert_error(api_for(editor).get(issues, {"state": "lost"}), 400, "invalid")
    assert_error(api_for(editor).get(issues, {"publication": "政务信息"}), 400, "invalid")


def test_issue_list_queries_stay_flat(editor, bulletin, django_assert_max_num_queries):
    for _ in range(12):
        actions.create_issue(publication=bulletin, user=editor)
    with django_assert_max_num_queries(6):
        assert api_for(editor).get(reverse("api-issue-list")).json()["count"] == 12


def test_reader_reads_a_signed_issue_and_leaves_a_read_receipt(writer, outsider, published, draft_issue):
    _, issue = published
    body = api_for(writer).get(reverse("api-issue-detail", args=[issue.pk])).json()
    assert body["state"] == "signed" and body["number"] == 1 and body["can_compose"] is False
    assert [a["title"] for a in body["adoptions"]] == ["昆明市重大项目建设提速增效"]
    assert IssueRead.objects.filter(issue=issue, reader=writer).exists()
    assert_error(api_for(outsider).get(reverse("api-issue-detail", args=[issue.pk])), 404, "not_found")
    assert_error(api_for(writer).get(reverse("api-issue-detail", args=[draft_issue.pk])), 404, "not_found")


def test_editor_adds_removes_and_reorders(editor, writer, unit_approver, bulletin, adoption, draft_issue):
    second = adopted(writer, unit_approver, editor, bulletin, title="我市民间投资增速回升")
    added = post(editor, reverse("api-issue-add", args=[draft_issue.pk]), {"adoptions": [second.pk]})
    assert [a["id"] for a in added.json()["adoptions"]] == [adoption.pk, second.pk]
    reordered = post(editor, reverse("api-issue-reorder", args=[draft_issue.pk]), {"order": [second.pk, adoption.pk]})
    assert [a["id"] for a in reordered.json()["adoptions"]] == [second.pk, adoption.pk]
    removed = post(editor, reverse("api-issue-remove", args=[draft_issue.pk]), {"adoption": second.pk})
    assert [a["id"] for a in removed.json()["adoptions"]] == [adoption.pk]
    assert list(queries.pool(bulletin)) == [second]


def test_composing_refuses_outsiders_bad_input_and_stale_orders(
    editor, outsider, issue_approver, adoption, draft_issue
):
    for name, data in [("api-issue-add", {"adoptions": [adoption.pk]}), ("api-issue-remove", {"adoption": adoption.pk}),
                       ("api-issue-reorder", {"order": [adoption.pk]})]:  # fmt: skip
        assert_error(post(outsider, reverse(name, args=[draft_issue.pk]), data), 404, "not_found")
        assert_error(post(issue_approver, reverse(name, args=[draft_issue.pk]), data), 404, "not_found")
        assert_error(post(editor, reverse(name, args=[draft_issue.pk]), {}), 400, "invalid")
    assert_error(post(editor, reverse("api-issue-add", args=[draft_issue.pk]), {"adoptions": [10**9]}), 400, "invalid")
    # Already in this issue, or an order that leaves one out: the action's refusal.
    assert_error(post(editor, reverse("api-issue-add", args=[draft_issue.pk]), {"adoptions": [adoption.pk]}), 409,
                 "conflict")  # fmt: skip
    stale = assert_error(post(editor, reverse("api-issue-reorder", args=[draft_issue.pk]), {"order": []}), 409,
                         "conflict")  # fmt: skip
    assert "排序已过期" in stale["message"]


def test_issue_approver_signs_off_with_copies(issue_approver, draft_issue):
    response = post(issue_approver, reverse("api-issue-sign-off", args=[draft_issue.pk]),
                    {"copies": 120, "extra_recipients": "市委办公室"})  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["number"], body["copies"], body["extra_recipients"]) == ("signed", 1, 120, "市委办公室")
    assert body["signed_by"] == str(issue_approver)


def test_sign_off_refuses_outsiders_editors_bad_input_and_a_second_time(editor, outsider, issue_approver, draft_issue):
    url = reverse("api-issue-sign-off", args=[draft_issue.pk])
    assert_error(post(outsider, url), 404, "not_found")
    assert "签发人" in assert_error(post(editor, url), 409, "conflict")["message"]
    assert_error(post(issue_approver, url, {"copies": 0}), 400, "invalid")
    assert_error(post(issue_approver, url, {"extra_recipients": "单" * 301}), 400, "invalid")
    assert post(issue_approver, url).status_code == 200
    assert_error(post(issue_approver, url), 409, "conflict")


def test_the_word_file_follows_the_reading_rules(writer, editor, outsider, published, draft_issue):
    _, issue = published
    response = api_for(writer).get(reverse("api-issue-docx", args=[issue.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert b"".join(response.streaming_content)[:2] == b"PK"
    draft = api_for(editor).get(reverse("api-issue-docx", args=[draft_issue.pk]), HTTP_ACCEPT="application/json")
    # Both the stored file and one built for the draft are streamed (common.downloads).
    assert draft.status_code == 200 and b"".join(draft.streaming_content)[:2] == b"PK"
    assert draft["X-Content-Type-Options"] == "nosniff" and draft["Content-Disposition"].startswith("attachment")
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    missing = api_for(outsider).get(reverse("api-issue-docx", args=[issue.pk]), HTTP_ACCEPT=docx)
    assert_error(missing, 404, "not_found")
    assert missing["Content-Type"] == "application/json"
    assert_error(api_for(writer).get(reverse("api-issue-docx", args=[draft_issue.pk])), 404, "not_found")


def test_the_pdf_follows_the_reading_rules_and_says_when_it_cannot_be_made(
    writer, editor, outsider, published, draft_issue, monkeypatch
):
    _, issue = published
    url = reverse("api-issue-pdf", args=[issue.pk])
    response = api_for(writer).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"
    assert response["Content-Disposition"].startswith("attachment")
    missing = api_for(outsider).get(url, HTTP_ACCEPT="application/pdf")
    assert_error(missing, 404, "not_found")
    assert missing["Content-Type"] == "application/json"
    assert_error(api_for(writer).get(reverse("api-issue-pdf", args=[draft_issue.pk])), 404, "not_found")

    monkeypatch.setenv("PATH", "/nonexistent")  # a server where LibreOffice is not installed
    # no PDF can be made: JSON that says so and points to the Word file, as the page does
    body = assert_error(api_for(editor).get(reverse("api-issue-pdf", args=[draft_issue.pk])), 503, "pdf_unavailable")
    assert "LibreOffice" in body["message"] and "Word" in body["message"]


# --- Instructions ----------------------------------------------------------------------------------


def test_leader_instructs_on_a_published_item_and_sees_it_on_the_item(leader, published, department, levels):
    item, issue = published
    url = reverse("api-item-instructions", args=[item.pk])
    response = post(leader, url, {"issue": issue.pk, "level": "市政府领导", "text": TEXT, "units": [department.pk]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["leader_name"] == leader.get_full_name() and body["status"] == "waiting"
    assert body["deadline"] == (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    assert [h["unit"]["id"] for h in body["handlers"]] == [department.pk]
    listed = api_for(leader).get(url).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]


def test_instructing_refuses_outsiders_and_bad_input(leader, outsider, editor, published, department, levels):
    item, issue = published
    url = reverse("api-item-instructions", args=[item.pk])
    good = {"issue": issue.pk, "level": "市政府领导", "text": TEXT, "units": [department.pk]}
    assert_error(post(outsider, url, good), 404, "not_found")
    assert_error(api_for(outsider).get(url), 404, "not_found")
    assert_error(post(leader, url, {**good, "text": ""}), 400, "invalid")
    assert_error(post(leader, url, {**good, "level": "村委会"}), 400, "invalid")  # the action's own check
    assert_error(post(leader, url, {**good, "units": [10**9]}), 400, "invalid")
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    assert "晚于今天" in assert_error(post(leader, url, {**good, "date": future}), 400, "invalid")["message"]
    # An editor records a leader's written instruction, but must name the leader.
    assert_error(post(editor, url, good), 400, "invalid")
    assert post(editor, url, {**good, "leader_name": "张市长"}).status_code == 201


def test_handling_unit_reports_back_with_a_file(writer, instruction):
    inbox = api_for(writer).get(reverse("api-instruction-inbox")).json()
    assert [(r["instruction"]["id"], r["status"]) for r in inbox["results"]] == [(instruction.pk, "waiting")]
    photo = SimpleUploadedFile("现场照片.png", _png(), content_type="image/png")
    response = api_for(writer).post(
        reverse("api-instruction-feedback", args=[instruction.pk]), {"text": FEEDBACK, "files": [photo]},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    [handler] = response.json()["handlers"]
    assert (handler["status"], handler["feedback"], handler["is_late"]) == ("done", FEEDBACK, False)
    assert [a["name"] for a in handler["attachments"]] == ["现场照片.png"]
    assert FeedbackAttachment.objects.count() == 1


def test_feedback_refuses_outsiders_bad_input_and_a_second_report(writer, outsider, leader, instruction):
    url = reverse("api-instruction-feedback", args=[instruction.pk])
    assert_error(post(outsider, url, {"text": FEEDBACK}), 404, "not_found")
    assert_error(post(leader, url, {"text": FEEDBACK}), 404, "not_found")  # sees it, but does not handle it
    assert_error(post(writer, url, {"text": ""}), 400, "invalid")
    fake = SimpleUploadedFile("报告.pdf", b"not a pdf at all", content_type="application/pdf")
    rejected = api_for(writer).post(url, {"text": FEEDBACK, "files": [fake]}, format="multipart")
    assert_error(rejected, 400, "invalid_upload")
    assert InstructionHandler.objects.get(instruction=instruction).feedback_at is None
    assert post(writer, url, {"text": FEEDBACK}).status_code == 200
    assert_error(post(writer, url, {"text": "再报一次"}), 409, "conflict")


def test_office_lists_its_instructions_with_filters(editor, outsider, writer, instruction):
    url = reverse("api-instruction-list")
    body = api_for(editor).get(url).json()
    assert [i["id"] for i in body["results"]] == [instruction.pk]
    assert body["results"][0]["item"]["title"] == "昆明市重大项目建设提速增效"
    assert api_for(editor).get(url, {"status": "done"}).json()["results"] == []
    assert api_for(editor).get(url, {"level": "市政府领导", "q": "项目"}).json()["count"] == 1
    assert api_for(outsider).get(url).json()["results"] == []
    assert api_for(writer).get(url).json()["results"] == []  # handles it, but does not follow the office
    assert_error(api_for(editor).get(url, {"status": "lost"}), 400, "invalid")


def test_instruction_detail_and_inbox_refuse_outsiders_and_bad_filters(writer, outsider, instruction):
    assert api_for(writer).get(reverse("api-instruction-detail", args=[instruction.pk])).json()["text"] == TEXT
    assert_error(api_for(outsider).get(reverse("api-instruction-detail", args=[instruction.pk])), 404, "not_found")
    assert api_for(outsider).get(reverse("api-instruction-inbox")).json()["results"] == []
    assert_error(api_for(writer).get(reverse("api-instruction-inbox"), {"status": "soon"}), 400, "invalid")


def test_instruction_list_queries_stay_flat(editor, leader, published, department, levels,
                                            django_assert_max_num_queries):  # fmt: skip
    item, issue = published
    today = timezone.localdate()
    for _ in range(8):
        ins.make_instruction(
            item=item, issue=issue, user=leader, leader_name="", level="市政府领导", text=TEXT, date=today,
            deadline=today + dt.timedelta(days=7), units=[department],
        )  # fmt: skip
    with django_assert_max_num_queries(8):
        assert api_for(editor).get(reverse("api-instruction-list")).json()["count"] == 8


def test_unauthenticated_calls_get_401(bulletin):
    response = APIClient().get(reverse("api-issue-list"))
    assert_error(response, 401, "not_authenticated")


@pytest.mark.parametrize(
    "name",
    ["api-adoption-detail", "api-publication-detail", "api-publication-pool", "api-issue-detail", "api-issue-docx",
     "api-issue-pdf", "api-instruction-detail", "api-item-instructions"],
)  # fmt: skip
def test_malformed_and_unknown_ids_answer_404_in_the_one_shape(editor, name):
    for pk in ("abc", "-1", str(10**30)):
        assert_error(api_for(editor).get(reverse(name, args=[pk])), 404, "not_found")


@pytest.mark.parametrize("name", ["api-publication-list", "api-issue-list", "api-instruction-list",
                                  "api-instruction-inbox"])  # fmt: skip
def test_a_page_that_does_not_exist_answers_404(editor, bulletin, name):
    assert_error(api_for(editor).get(reverse(name), {"page": "abc"}), 404, "not_found")
    assert_error(api_for(editor).get(reverse(name), {"page": 99}), 404, "not_found")


def test_pool_pages_are_checked_too(editor, bulletin, adoption):
    url = reverse("api-publication-pool", args=[bulletin.pk])
    assert api_for(editor).get(url, {"page_size": 1}).json()["count"] == 1
    assert_error(api_for(editor).get(url, {"page": 2}), 404, "not_found")
