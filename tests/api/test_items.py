"""Items over the API: listing (desk and the unit's items), reading, writing drafts,
attachments, versions, diff, history and the writing check."""

import datetime as dt
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from submissions import actions
from submissions.checks import SECRET_REFUSAL
from submissions.models import Attachment, Category, Item, ItemEvent, State, Topic
from tests.factories import UserFactory
from tests.submissions.helpers import BODY, act, category, draft, submitted
from tests.submissions.pdf_files import minimal_pdf
from units.models import Role


def api_for(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def titles(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


def png() -> bytes:
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
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


LIST = reverse("api-item-list")


def detail(item) -> str:
    return reverse("api-item-detail", args=[item.pk])


# --- Listing --------------------------------------------------------------------------


def test_writer_lists_unit_items_and_editor_lists_the_desk(writer, unit_approver, editor):
    sent = submitted(writer, unit_approver, title="已报送的信息")
    draft(writer, title="本单位的草稿")
    assert titles(api_for(writer).get(LIST)) == {"已报送的信息", "本单位的草稿"}
    assert titles(api_for(editor).get(LIST)) == {"已报送的信息"}  # drafts never reach the desk
    row = api_for(editor).get(LIST).json()["results"][0]
    assert row["id"] == sent.pk and row["state"] == State.SUBMITTED and row["state_label"] == "已报送"
    assert row["unit"]["id"] == writer.unit_id and row["office"]["id"] == editor.unit_id
    assert row["version"] == sent.version and row["links"]["self"].endswith(detail(sent))
    assert "body" not in row


def test_scope_parameter_chooses_the_desk_or_the_unit(writer, unit_approver):
    item = submitted(writer, unit_approver, title="部门的信息")
    city_editor_and_writer = UserFactory(unit=item.office, roles=[Role.EDITOR, Role.STAFF])
    api = api_for(city_editor_and_writer)
    assert titles(api.get(LIST)) == set()  # a writing role: the unit's own items by default
    assert titles(api.get(LIST, {"scope": "desk"})) == {"部门的信息"}
    bad = api.get(LIST, {"scope": "everything"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid" and "scope" in bad.json()["errors"]


def test_list_uses_the_desk_filters(writer, unit_approver, editor, city, department):
    topic = Topic.objects.create(office=city, name="项目")
    late = submitted(writer, unit_approver, title="迟报的重大事项", category=category("major"),
                     event_date=timezone.localdate() - dt.timedelta(days=5))  # fmt: skip
    tagged = submitted(writer, unit_approver, title="带标签的信息", topics=[topic])
    plain = submitted(writer, unit_approver, title="普通的信息：农业生产", confidentiality="public")
    act(plain, editor, "hold")
    api = api_for(editor)
    everything = {late.title, tagged.title, plain.title}
    assert titles(api.get(LIST, {"late": "1"})) == {late.title}
    assert titles(api.get(LIST, {"topic": topic.pk})) == {tagged.title}
    assert titles(api.get(LIST, {"state": State.HELD})) == {plain.title}
    assert titles(api.get(LIST, {"q": "农业"})) == {plain.title}
    assert titles(api.get(LIST, {"confidentiality": "public"})) == {plain.title}
    assert titles(api.get(LIST, {"category": category("major").parent_id})) == {late.title}
    assert titles(api.get(LIST, {"unit": department.pk})) == everything
    today = timezone.localdate().isoformat()
    assert titles(api.get(LIST, {"date_from": today, "date_to": today})) == everything
    # Bad values are ignored, as on the desk page; never a 500.
    assert titles(api.get(LIST, {"state": "nonsense", "unit": "abc", "topic": "99999999999999999999"})) == everything
    assert titles(api.get(LIST, {"date_from": "昨天"})) == everything


def test_outsider_lists_nothing_of_ours_and_unauthenticated_gets_401(writer, unit_approver, outsider, other_editor):
    submitted(writer, unit_approver)
    assert titles(api_for(outsider).get(LIST)) == set()
    assert titles(api_for(other_editor).get(LIST)) == set()
    response = api_for().get(LIST)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_items_list_is_paginated(writer):
    for n in range(3):
        draft(writer, title=f"草稿{n}")
    page = api_for(writer).get(LIST, {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert api_for(writer).get(LIST, {"page": 9}).json()["code"] == "not_found"


def test_items_list_query_count_stays_flat(writer, unit_approver, editor, city, django_assert_max_num_queries):
    topic = Topic.objects.create(office=city, name="项目")

    def add(n: int) -> None:
        for i in range(n):
            submitted(writer, unit_approver, title=f"信息{Item.objects.count()}-{i}", topics=[topic])

    add(2)
    api = api_for(editor)
    with django_assert_max_num_queries(6):
        assert len(api.get(LIST).json()["results"]) == 2
    add(10)
    with django_assert_max_num_queries(6):
        assert len(api.get(LIST).json()["results"]) == 12
    with django_assert_max_num_queries(6):
        assert len(api_for(writer).get(LIST).json()["results"]) == 12


# --- Reading --------------------------------------------------------------------------


def test_detail_shows_plain_text_and_the_callers_acts(writer, unit_approver, editor, leader):
    item = submitted(writer, unit_approver, title="某工业园区企业欠薪引发聚集", confidentiality="sensitive",
                     named_readers=[leader])  # fmt: skip
    data = api_for(editor).get(detail(item)).json()
    assert data["title"] == "某工业园区企业欠薪引发聚集" and "486.3亿元" in data["body"]
    assert [r["id"] for r in data["named_readers"]] == [leader.pk]
    assert {a["action"] for a in data["actions"]} == {"start_review", "return", "reject", "hold"}
    returning = next(a for a in data["actions"] if a["action"] == "return")
    assert returning["needs_comment"] and returning["url"].endswith(reverse("api-item-return", args=[item.pk]))
    assert api_for(writer).get(detail(item)).json()["actions"] == []


def test_detail_of_unreadable_item_is_404(writer, unit_approver, leader, colleague, editor, other_editor, city):
    sensitive = submitted(writer, unit_approver, confidentiality="sensitive", named_readers=[leader])
    mine = draft(writer)
    assert api_for(colleague).get(detail(sensitive)).status_code == 404
    assert api_for(editor).get(detail(mine)).status_code == 404  # still a draft in its unit
    response = api_for(other_editor).get(detail(sensitive))
    assert response.status_code == 404 and response.json() == {"code": "not_found", "message": "没有找到该资源。"}
    assert api_for(writer).get("/api/v1/items/abc/").status_code == 404
    assert api_for(writer).get(reverse("api-item-detail", args=[10**20])).status_code == 404


# --- Writing --------------------------------------------------------------------------


def payload(**overrides) -> dict:
    values = {"title": "昆明市重大项目建设提速增效", "body": BODY, "category": category().pk}
    values.update(overrides)
    return values


def test_writer_creates_a_draft(writer, city, leader):
    topic = Topic.objects.create(office=city, name="项目")
    response = api_for(writer).post(
        LIST, payload(topics=[topic.pk], event_date="2026-03-01", writers="张三"), format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    item = Item.objects.get(pk=data["id"])
    assert item.state == State.DRAFT and item.author == writer and item.office_id == city.pk
    assert data["topics"] == [{"id": topic.pk, "name": "项目"}] and data["signature"] == writer.unit.name
    assert data["event_date"] == "2026-03-01" and data["writers"] == "张三" and data["version"] == 1
    assert ItemEvent.objects.filter(item=item, action="create").exists()


def test_sensitive_draft_is_sealed_and_named_leaders_are_checked(writer, leader, editor):
    bad = api_for(writer).post(LIST, payload(confidentiality="sensitive"), format="json")
    assert bad.status_code == 400 and "named_readers" in bad.json()["errors"]
    not_a_leader = api_for(writer).post(
        LIST, payload(confidentiality="sensitive", named_readers=[editor.pk]), format="json"
    )
    assert not_a_leader.status_code == 400 and "named_readers" in not_a_leader.json()["errors"]
    ok = api_for(writer).post(LIST, payload(confidentiality="sensitive", named_readers=[leader.pk]), format="json")
    assert ok.status_code == 201 and ok.json()["title"] == "昆明市重大项目建设提速增效"
    assert Item.objects.get(pk=ok.json()["id"]).title.startswith("sm4:")


def test_sensitive_item_without_a_named_leader_is_refused_on_create_and_update(writer, leader):
    refused = api_for(writer).post(LIST, payload(confidentiality="sensitive"), format="json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["errors"]["named_readers"] == [actions.SENSITIVE_NEEDS_READER]
    assert not Item.objects.exists()
    item = draft(writer)
    turned = api_for(writer).patch(
        detail(item), {"confidentiality": "sensitive", "version": item.version}, format="json"
    )
    assert turned.status_code == 400 and actions.SENSITIVE_NEEDS_READER in turned.json()["message"]
    item.refresh_from_db()
    assert item.confidentiality == "internal" and item.version == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"body": None}, "body"),
        ({"category": "交流工作"}, "category"),
        ({"category": 999999}, "category"),
        ({"form": "poem"}, "form"),
        ({"event_date": "明天"}, "event_date"),
        ({"topics": "项目"}, "topics"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_draft_input_is_400_with_field_errors(writer, change, field):
    response = api_for(writer).post(LIST, payload(**change), format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and field in body["errors"] and body["message"]
    assert not Item.objects.exists()


def test_domain_rules_of_the_form_apply(writer, other_city):
    top_level = Category.objects.filter(parent__isnull=True).first()
    assert "category" in api_for(writer).post(LIST, payload(category=top_level.pk), format="json").json()["errors"]
    foreign = Topic.objects.create(office=other_city, name="别处的标签")
    assert "topics" in api_for(writer).post(LIST, payload(topics=[foreign.pk]), format="json").json()["errors"]
    secret = api_for(writer).post(LIST, payload(confidentiality="secret"), format="json").json()
    assert secret["errors"]["confidentiality"] == [SECRET_REFUSAL]
    marked = api_for(writer).post(LIST, payload(body="机密★1年\n" + BODY), format="json").json()
    assert marked["code"] == "invalid" and SECRET_REFUSAL in marked["message"]
    assert not Item.objects.exists()


def test_only_writers_create_drafts(editor, leader, writer):
    for person in (editor, leader):
        response = api_for(person).post(LIST, payload(), format="json")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api_for().post(LIST, payload(), format="json").status_code == 401
    assert not Item.objects.exists()


def test_writer_updates_a_draft_with_its_version(writer, colleague):
    item = draft(writer)
    response = api_for(colleague).patch(detail(item), {"title": "新标题", "version": item.version}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "新标题" and response.json()["version"] == item.version + 1
    item.refresh_from_db()
    assert item.plain_title == "新标题" and item.plain_body == BODY.strip()
    full = api_for(writer).put(detail(item), payload(title="整体修改", version=item.version), format="json")
    assert full.status_code == 200 and full.json()["title"] == "整体修改"


def test_update_refuses_stale_version_missing_version_and_outsiders(writer, other_writer, unit_approver, leader):
    item = draft(writer)
    stale = api_for(writer).patch(detail(item), {"title": "甲", "version": item.version + 5}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    missing = api_for(writer).patch(detail(item), {"title": "乙"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()["errors"]
    assert api_for(other_writer).patch(detail(item), {"title": "丙", "version": 1}, format="json").status_code == 404
    # Someone of the unit who may read but not write: the action refuses (409).
    refused = api_for(unit_approver).patch(detail(item), {"title": "丁", "version": 1}, format="json")
    assert refused.status_code == 409 and refused.json()["message"] == "您没有权限进行此操作。"
    item.refresh_from_db()
    assert item.plain_title == "昆明市重大项目建设提速增效" and item.version == 1


def test_submitted_item_cannot_be_updated(writer, unit_approver):
    item = submitted(writer, unit_approver)
    response = api_for(writer).patch(detail(item), {"title": "改", "version": item.version}, format="json")
    assert response.status_code == 409 and "不能修改" in response.json()["message"]


def test_no_delete_on_items(writer):
    response = api_for(writer).delete(detail(draft(writer)))
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"


# --- Attachments ----------------------------------------------------------------------


def upload(api, item, name="现场照片.png", content=None):
    f = SimpleUploadedFile(name, png() if content is None else content, content_type="image/png")
    return api.post(reverse("api-item-attachments", args=[item.pk]), {"file": f}, format="multipart")


def test_attachment_upload_list_download_and_delete(writer, colleague, django_capture_on_commit_callbacks):
    item = draft(writer)
    response = upload(api_for(writer), item)
    assert response.status_code == 201, response.content
    att = response.json()
    assert att["name"] == "现场照片.png" and att["kind"] == "image" and att["size"] == len(png())
    listing = api_for(colleague).get(reverse("api-item-attachments", args=[item.pk])).json()
    assert [a["id"] for a in listing["results"]] == [att["id"]]
    download = api_for(colleague).get(att["download"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == png()
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    stored = Path(Attachment.objects.get().file.path)
    with django_capture_on_commit_callbacks(execute=True):
        gone = api_for(writer).delete(reverse("api-item-attachment", args=[item.pk, att["id"]]))
    assert gone.status_code == 204 and not Attachment.objects.exists() and not stored.exists()


@pytest.mark.parametrize(
    ("name", "content", "disposition"),
    [("现场照片.png", png(), "inline"), ("通报.html", minimal_pdf(), "attachment")],
)
def test_page_and_api_serve_an_attachment_with_the_same_headers(client, writer, name, content, disposition):
    """One response for both: an image opens in the browser, anything else downloads
    under the name of what it really is, both sandboxed and never sniffed."""
    item = draft(writer)
    att = upload(api_for(writer), item, name, content).json()
    client.force_login(writer)
    page = client.get(reverse("attachment_download", args=[att["id"]]))
    api = api_for(writer).get(att["download"])
    assert page.status_code == api.status_code == 200
    headers = ("Content-Type", "Content-Disposition", "Content-Security-Policy", "X-Content-Type-Options")
    assert {h: page[h] for h in headers} == {h: api[h] for h in headers}
    assert page["Content-Disposition"].startswith(disposition)
    assert b"".join(page.streaming_content) == b"".join(api.streaming_content) == content
    if disposition == "attachment":
        assert "filename*=utf-8''%E9%80%9A%E6%8A%A5.pdf" in page["Content-Disposition"]


def test_attachment_bad_input(writer):
    item = draft(writer)
    exe = upload(api_for(writer), item, "照片.png", b"MZ\x90\x00" + b"\x00" * 200)
    assert exe.status_code == 400 and exe.json()["code"] == "invalid_upload" and "不支持" in exe.json()["message"]
    missing = api_for(writer).post(reverse("api-item-attachments", args=[item.pk]), {}, format="multipart")
    assert missing.status_code == 400 and missing.json()["code"] == "invalid" and "file" in missing.json()["errors"]
    as_json = api_for(writer).post(reverse("api-item-attachments", args=[item.pk]), {"file": "x"}, format="json")
    assert as_json.status_code == 415
    assert not Attachment.objects.exists()


def test_attachment_refusals(writer, unit_approver, editor, other_writer, other_editor):
    item = draft(writer)
    upload(api_for(writer), item)
    att = Attachment.objects.get()
    for person in (other_writer, other_editor, editor):  # the office sees nothing of a draft
        api = api_for(person)
        assert upload(api, item).status_code == 404
        assert api.get(reverse("api-item-attachments", args=[item.pk])).status_code == 404
        assert api.get(reverse("api-item-attachment-download", args=[item.pk, att.pk])).status_code == 404
        assert api.delete(reverse("api-item-attachment", args=[item.pk, att.pk])).status_code == 404
    other = draft(writer, title="另一条")
    assert api_for(writer).delete(reverse("api-item-attachment", args=[other.pk, att.pk])).status_code == 404
    assert api_for(writer).delete(reverse("api-item-attachment", args=[item.pk, "abc"])).status_code == 404
    act(item, writer, "send_for_signoff")
    act(item, unit_approver, "sign_off")
    late = upload(api_for(writer), item)
    assert late.status_code == 409 and late.json()["message"] == "信息报送后不能再添加附件。"
    assert api_for(writer).delete(reverse("api-item-attachment", args=[item.pk, att.pk])).status_code == 409
    assert api_for(editor).get(reverse("api-item-attachment-download", args=[item.pk, att.pk])).status_code == 200
    assert Attachment.objects.count() == 1


# --- Versions, diff, history ----------------------------------------------------------


def edited(writer, unit_approver, editor) -> Item:
    item = submitted(writer, unit_approver)
    body = item.plain_body.replace("12.4%", "12.5%")
    actions.edit_as_editor(
        item=item, user=editor, title=item.plain_title, body=body, expected_version=item.version, note="核对数据"
    )
    return item


def test_versions_diff_and_history(writer, unit_approver, editor):
    item = edited(writer, unit_approver, editor)
    versions = api_for(writer).get(reverse("api-item-versions", args=[item.pk])).json()["results"]
    assert [(v["number"], v["kind"]) for v in versions] == [(1, "writer"), (2, "editor")]
    assert versions[1]["note"] == "核对数据" and "12.5%" in versions[1]["body"]
    diff = api_for(editor).get(reverse("api-item-diff", args=[item.pk])).json()
    assert diff["a"] == 1 and diff["b"] == 2 and '<ins class="gi-ins">' in diff["html"]
    assert diff["inserted"] >= 1 and diff["deleted"] >= 1
    same = api_for(editor).get(reverse("api-item-diff", args=[item.pk]), {"a": 2, "b": 2}).json()
    assert same["inserted"] == same["deleted"] == 0
    history = api_for(writer).get(reverse("api-item-history", args=[item.pk])).json()["results"]
    assert [e["action"] for e in history] == ["create", "send_for_signoff", "sign_off", "editor_edit"]
    assert history[-1]["actor"]["id"] == editor.pk and history[-1]["to_state"] == State.IN_REVIEW


def test_diff_bad_input(writer, unit_approver, editor):
    item = edited(writer, unit_approver, editor)
    url = reverse("api-item-diff", args=[item.pk])
    for params in ({"a": "abc"}, {"a": 7}, {"b": 0}):
        response = api_for(editor).get(url, params)
        assert response.status_code == 400 and response.json()["code"] == "invalid", params
    single = submitted(writer, unit_approver, title="只有一版")
    response = api_for(editor).get(reverse("api-item-diff", args=[single.pk]))
    assert response.status_code == 400 and "只有一个版本" in response.json()["message"]


def test_versions_diff_and_history_refuse_outsiders(writer, unit_approver, editor, other_editor, outsider):
    item = edited(writer, unit_approver, editor)
    for person in (other_editor, outsider):
        for name in ("api-item-versions", "api-item-diff", "api-item-history"):
            assert api_for(person).get(reverse(name, args=[item.pk])).status_code == 404, name
    assert api_for().get(reverse("api-item-history", args=[item.pk])).status_code == 401


# --- Writing check --------------------------------------------------------------------

CHECK = reverse("api-item-check")


def test_check_gives_hints_and_duplicates(writer, unit_approver, colleague):
    submitted(writer, unit_approver, title="全市重大项目建设提速增效")
    response = api_for(colleague).post(CHECK, {"title": "我局重大项目建设提速增效", "body": BODY}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["blocked"] is False and "first_person" in {h["code"] for h in data["hints"]}
    assert data["duplicates"][0]["title"] == "全市重大项目建设提速增效" and data["duplicates"][0]["score"] > 0.6
    secret = api_for(colleague).post(CHECK, {"title": "绝密★启用前", "body": BODY}, format="json").json()
    assert secret["blocked"] is True and secret["hints"][0]["level"] == "block"


def test_check_bad_input_and_foreign_item(writer, unit_approver, other_writer):
    item = submitted(writer, unit_approver)
    bad = api_for(writer).post(CHECK, {"title": "标题", "form": "poem"}, format="json")
    assert bad.status_code == 400 and "form" in bad.json()["errors"]
    assert api_for(writer).post(CHECK, {"item_id": "x"}, format="json").status_code == 400
    assert api_for(other_writer).post(CHECK, {"title": "标题", "item_id": item.pk}, format="json").status_code == 404
    own = api_for(writer).post(CHECK, {"title": item.plain_title, "body": BODY, "item_id": item.pk}, format="json")
    assert own.status_code == 200 and own.json()["duplicates"] == []  # an item is no duplicate of itself
    assert api_for().post(CHECK, {"title": "标题"}, format="json").status_code == 401


def test_download_works_with_a_bearer_token_and_any_accept_header(writer):
    item = draft(writer)
    upload(api_for(writer), item)
    att = Attachment.objects.get()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=writer).key}")
    url = reverse("api-item-attachment-download", args=[item.pk, att.pk])
    response = api.get(url, HTTP_ACCEPT="image/png")
    assert response.status_code == 200 and b"".join(response.streaming_content) == png()
    missing = api.get(reverse("api-item-attachment-download", args=[item.pk, att.pk + 1]), HTTP_ACCEPT="image/png")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
