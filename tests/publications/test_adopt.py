from django.urls import reverse

from publications.models import Adoption
from submissions.models import ItemEvent, State
from tests.submissions.helpers import submitted
from units.models import Notification

from .helpers import adopted


def _adopt(client, item, publication, **data):
    item.refresh_from_db()
    payload = {"publication": publication.pk, "form": "full", "version": item.version, **data}
    return client.post(reverse("item_adopt", args=[item.pk]), payload)


def test_editor_adopts_from_review_page_and_unit_is_notified(
    client, writer, unit_approver, editor, bulletin, django_capture_on_commit_callbacks
):
    item = submitted(writer, unit_approver)
    client.force_login(editor)
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert 'id="adopt-form"' in page and "政务信息" in page
    with django_capture_on_commit_callbacks(execute=True):
        _adopt(client, item, bulletin)
    item.refresh_from_db()
    adoption = Adoption.objects.get()
    assert item.state == State.ADOPTED and adoption.form == "full" and adoption.plain_title == item.title
    assert list(adoption.sources.all()) == [item]
    assert ItemEvent.objects.filter(item=item, action="adopt").exists()
    assert Notification.objects.filter(recipient=writer, verb="adopted").exists()
    client.force_login(writer)
    assert "《政务信息》信息" in client.get(reverse("item_detail", args=[item.pk])).content.decode()


def test_brief_with_shortened_text_keeps_the_item_text(client, writer, unit_approver, editor, bulletin):
    item = submitted(writer, unit_approver)
    client.force_login(editor)
    _adopt(client, item, bulletin, form="brief", body="1—10月全市重大项目完成投资486.3亿元。")
    adoption = Adoption.objects.get()
    item.refresh_from_db()
    assert adoption.form == "brief" and adoption.plain_body == "1—10月全市重大项目完成投资486.3亿元。"
    assert "一是强化要素保障" in item.body


def test_brief_refused_where_publication_takes_no_briefs(client, writer, unit_approver, editor, daily):
    item = submitted(writer, unit_approver)
    client.force_login(editor)
    page = client.get(_adopt(client, item, daily, form="brief").url).content.decode()
    assert "不采用简讯" in page and not Adoption.objects.exists()


def test_second_publication_later_and_no_double_adoption(writer, unit_approver, editor, bulletin, daily, client):
    adoption = adopted(writer, unit_approver, editor, bulletin)
    item = adoption.item
    client.force_login(editor)
    page = client.get(_adopt(client, item, bulletin).url).content.decode()
    assert "已被《政务信息》采用" in page
    _adopt(client, item, daily)
    assert Adoption.objects.filter(item=item).count() == 2


def test_outsiders_cannot_adopt(client, writer, unit_approver, other_editor, bulletin, editor):
    item = submitted(writer, unit_approver)
    for person in (other_editor, writer):
        client.force_login(person)
        response = _adopt(client, item, bulletin)
        assert response.status_code == 404
    assert not Adoption.objects.exists()


def test_adopting_a_rejected_item_is_illegal(client, writer, unit_approver, editor, bulletin):
    from tests.submissions.helpers import act

    item = submitted(writer, unit_approver)
    act(item, editor, "reject", "不用")
    client.force_login(editor)
    page = client.get(_adopt(client, item, bulletin).url).content.decode()
    assert "不能采用" in page and not Adoption.objects.exists()


def test_composite_links_every_source_item_and_unit(client, writer, unit_approver, editor, bulletin, colleague):
    first = submitted(writer, unit_approver, title="甲县春耕")
    second = submitted(colleague, unit_approver, title="乙县春耕")
    client.force_login(editor)
    url = reverse("composite", args=[bulletin.pk])
    page = client.get(url, {"items": [first.pk, second.pk]}).content.decode()
    assert "甲县春耕" in page and "乙县春耕" in page
    response = client.post(
        url,
        {"items": [first.pk, second.pk], "publication": bulletin.pk, "title": "全市春耕有序推进", "body": "综合正文"},
    )
    assert response.status_code == 302
    adoption = Adoption.objects.get()
    assert adoption.form == "composite" and set(adoption.sources.all()) == {first, second}
    for item in (first, second):
        item.refresh_from_db()
        assert item.state == State.ADOPTED


def test_composite_candidates_are_found_by_every_word_never_by_sealed_text(
    client, writer, unit_approver, editor, bulletin, leader
):
    spring = submitted(writer, unit_approver, title="甲县春耕", body="农机下田 边境口岸")
    summer = submitted(writer, unit_approver, title="乙县夏粮", body="收购进度")
    secret = submitted(writer, unit_approver, title="丙县边境事件", body="边境", confidentiality="sensitive",
                       named_readers=[leader])  # fmt: skip
    client.force_login(editor)
    url = reverse("composite", args=[bulletin.pk])
    assert "丙县边境事件" in client.get(url).content.decode()  # the office's editor reads it
    page = client.get(url, {"q": "春耕 边境"}).content.decode()
    assert "甲县春耕" in page and "乙县夏粮" not in page
    # Two characters are found; a 敏感 item is never found by its text (sealed), nor by
    # letters of its ciphertext.
    assert "丙县边境事件" not in client.get(url, {"q": "边境"}).content.decode()
    secret.refresh_from_db()
    letters = secret.title[5:8]
    assert "丙县边境事件" not in client.get(url, {"q": letters}).content.decode()
    assert summer.pk and spring.pk


def test_composite_needs_two_items(client, writer, unit_approver, editor, bulletin):
    first = submitted(writer, unit_approver)
    client.force_login(editor)
    response = client.post(
        reverse("composite", args=[bulletin.pk]),
        {"items": [first.pk], "publication": bulletin.pk, "title": "标题", "body": "正文"},
    )
    assert "至少需要两条" in response.content.decode() and not Adoption.objects.exists()


def test_withdrawing_adoption_returns_item_to_review(client, writer, unit_approver, editor, bulletin):
    adoption = adopted(writer, unit_approver, editor, bulletin)
    client.force_login(editor)
    page = client.get(client.post(reverse("adoption_withdraw", args=[adoption.pk]), {"reason": ""}).url)
    assert "请填写撤销理由" in page.content.decode()
    client.post(reverse("adoption_withdraw", args=[adoption.pk]), {"reason": "数据有误"})
    adoption.refresh_from_db()
    adoption.item.refresh_from_db()
    assert adoption.withdrawn_at and adoption.item.state == State.IN_REVIEW
