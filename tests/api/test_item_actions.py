"""The acts on an item as sub-resources (submit/, sign-off/, return/ …) and the editor's
edit: the same transition table and actions as the pages."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from submissions.models import Item, ItemVersion, State
from submissions.workflow import TRANSITIONS
from tests.submissions.helpers import act, draft, submitted


def api_for(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def take(user, item: Item, path: str, comment: str = "", version: int | None = None):
    item.refresh_from_db()
    body = {"version": item.version if version is None else version, "comment": comment}
    return api_for(user).post(reverse(f"api-item-{path}", args=[item.pk]), body, format="json")


def state(item: Item) -> str:
    item.refresh_from_db()
    return item.state


def test_every_act_of_the_table_is_an_endpoint():
    paths = {"send_for_signoff": "submit", "withdraw": "withdraw", "sign_off": "sign-off", "send_back": "send-back",
             "start_review": "start-review", "return": "return", "reject": "reject", "hold": "hold"}  # fmt: skip
    assert set(paths) == set(TRANSITIONS)
    for path in paths.values():
        assert reverse(f"api-item-{path}", args=[1]) == f"/api/v1/items/1/{path}/"


def test_an_item_travels_from_draft_to_hold_and_back_through_the_api(writer, unit_approver, editor):
    item = draft(writer)
    response = take(writer, item, "submit")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == State.PENDING_SIGNOFF and response.json()["version"] == 2
    signed = take(unit_approver, item, "sign-off").json()
    assert signed["state"] == State.SUBMITTED and signed["signed_off_by"]["id"] == unit_approver.pk
    assert take(editor, item, "start-review").json()["state"] == State.IN_REVIEW
    assert take(editor, item, "hold").json()["state"] == State.HELD
    returned = take(editor, item, "return", comment="请补充数据来源。")
    assert returned.status_code == 200 and returned.json()["state"] == State.RETURNED
    assert item.events.get(action="return").comment == "请补充数据来源。"
    assert take(writer, item, "submit").json()["state"] == State.PENDING_SIGNOFF
    assert take(writer, item, "withdraw").json()["state"] == State.DRAFT
    take(writer, item, "submit")
    sent_back = take(unit_approver, item, "send-back", comment="标题再提炼。")
    assert sent_back.json()["state"] == State.DRAFT


def test_reject_needs_its_reason(writer, unit_approver, editor):
    item = submitted(writer, unit_approver)
    missing = take(editor, item, "reject")
    assert missing.status_code == 400 and missing.json() == {"code": "invalid", "message": "请填写退稿理由。"}
    assert take(editor, item, "return", comment="   ").status_code == 400
    assert state(item) == State.SUBMITTED
    assert take(editor, item, "reject", comment="与本月主题无关。").json()["state"] == State.REJECTED


def test_illegal_moves_are_409(writer, unit_approver, editor):
    item = draft(writer)
    wrong_state = take(unit_approver, item, "sign-off")
    assert wrong_state.status_code == 409 and wrong_state.json()["code"] == "conflict"
    assert "不能“审签并报送”" in wrong_state.json()["message"]
    take(writer, item, "submit")
    take(unit_approver, item, "sign-off")
    take(editor, item, "reject", comment="重复报送。")
    for path in ("hold", "return", "start-review"):
        assert take(editor, item, path, comment="再看看").status_code == 409
    assert state(item) == State.REJECTED


def test_stale_version_is_409_and_nothing_changes(writer, unit_approver, editor):
    item = submitted(writer, unit_approver)
    response = take(editor, item, "hold", version=item.version - 1)
    assert response.status_code == 409 and "已被他人修改" in response.json()["message"]
    assert state(item) == State.SUBMITTED


def test_people_of_the_unit_without_the_role_get_409(writer, colleague, unit_approver):
    item = draft(writer)
    take(writer, item, "submit")
    refused = take(colleague, item, "sign-off")  # a writer of the unit: may read, may not sign off
    assert refused.status_code == 409 and refused.json()["message"] == "您没有权限进行此操作。"
    assert state(item) == State.PENDING_SIGNOFF


def test_outsiders_get_404_for_every_act(writer, unit_approver, other_editor, outsider, editor):
    item = submitted(writer, unit_approver)
    for person in (other_editor, outsider):
        for path in ("start-review", "hold", "return", "reject", "submit", "sign-off"):
            response = take(person, item, path, comment="越权")
            assert response.status_code == 404 and response.json()["code"] == "not_found", (person, path)
    still_draft = draft(writer, title="草稿")
    assert take(editor, still_draft, "start-review").status_code == 404  # a draft is not on the desk
    assert state(item) == State.SUBMITTED


def test_bad_action_input_is_400(writer):
    item = draft(writer)
    url = reverse("api-item-submit", args=[item.pk])
    missing = api_for(writer).post(url, {}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()["errors"]
    assert api_for(writer).post(url, {"version": "v1"}, format="json").status_code == 400
    long = api_for(writer).post(url, {"version": item.version, "comment": "长" * 2001}, format="json")
    assert long.status_code == 400 and "comment" in long.json()["errors"]
    assert api_for(writer).get(url).status_code == 405
    assert api_for().post(url, {"version": 1}, format="json").status_code == 401
    assert state(item) == State.DRAFT


# --- The editor's edit -----------------------------------------------------------------


def editor_edit(user, item, **body):
    item.refresh_from_db()
    body.setdefault("version", item.version)
    return api_for(user).post(reverse("api-item-editor-edit", args=[item.pk]), body, format="json")


def test_editor_edit_keeps_the_writers_version(writer, unit_approver, editor):
    item = submitted(writer, unit_approver)
    response = editor_edit(editor, item, title="全市重大项目建设提速", body="新正文。", note="压缩篇幅")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "全市重大项目建设提速" and response.json()["state"] == State.IN_REVIEW
    assert list(ItemVersion.objects.filter(item=item).values_list("kind", "note")) == [
        ("writer", "首次报送"),
        ("editor", "压缩篇幅"),
    ]


@pytest.mark.parametrize(("body", "field"), [({"title": ""}, "title"), ({"note": "说" * 201}, "note")])
def test_editor_edit_bad_input_is_400(writer, unit_approver, editor, body, field):
    item = submitted(writer, unit_approver)
    response = editor_edit(editor, item, **{"title": "标题", "body": "正文", **body})
    assert response.status_code == 400 and field in response.json()["errors"]
    secret = editor_edit(editor, item, title="标题", body="秘密★3年")
    assert secret.status_code == 400 and "涉密" in secret.json()["message"]


def test_editor_edit_refusals(writer, unit_approver, editor, other_editor):
    item = submitted(writer, unit_approver)
    assert editor_edit(other_editor, item, title="越权").status_code == 404
    assert editor_edit(writer, item, title="作者不能用编辑修改").status_code == 404
    assert editor_edit(editor, item, title="旧页面", version=item.version - 1).status_code == 409
    act(item, editor, "reject", comment="不采用")
    late = editor_edit(editor, item, title="退稿后")
    assert late.status_code == 409 and "不能编辑" in late.json()["message"]
    assert api_for().post(reverse("api-item-editor-edit", args=[item.pk]), {}, format="json").status_code == 401
