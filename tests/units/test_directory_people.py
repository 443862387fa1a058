"""People change units (issue 16): moving a person with a preview of their open work
handed to a named colleague, and recording that a person left. Through the pages, as
an administrator does it, refused to everyone else; and the actions' rules."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from publications.models import Instruction, InstructionHandler
from submissions.models import Commission, CommissionTarget, Item, State
from tests.factories import UserFactory
from tests.submissions.helpers import act, draft
from units import actions
from units.models import Notification, Role, RoleGrant

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_work(writer, unit_approver, department, editor):
    """The writer's draft and an item awaiting sign-off; a commission and an instruction
    the department must still answer; and an item already submitted (not open)."""
    mine = draft(writer, title="森林防火工作进展")
    waiting = act(draft(writer, title="项目建设情况"), writer, "send_for_signoff")
    done = act(act(draft(writer, title="水库除险加固完成"), writer, "send_for_signoff"), unit_approver, "sign_off")
    commission = Commission.objects.create(office=editor.unit, topic="乡村振兴约稿", created_by=editor,
                                           deadline=timezone.now() + dt.timedelta(days=3))  # fmt: skip
    CommissionTarget.objects.create(commission=commission, unit=department)
    instruction = Instruction.objects.create(
        item=done, office=editor.unit, leader_name="王市长", level="市级", text="请抓好落实。",
        date=timezone.localdate(), deadline=timezone.localdate() + dt.timedelta(days=7), recorded_by=editor,
    )  # fmt: skip
    InstructionHandler.objects.create(instruction=instruction, unit=department)
    return {"draft": mine, "waiting": waiting, "done": done}


def test_the_move_page_previews_the_open_work_and_the_move_hands_it_over(
    client, city_admin, writer, colleague, other_unit, open_work
):
    client.force_login(city_admin)
    page = client.get(reverse("person_move", args=[writer.pk])).content.decode()
    assert "《森林防火工作进展》（草稿）" in page and "《项目建设情况》（待审签）" in page
    assert "水库除险加固完成" not in page  # gone to the office: not open work of the writer
    assert "乡村振兴约稿" in page and "王市长批示" in page
    response = client.post(
        reverse("person_move", args=[writer.pk]),
        {"unit": other_unit.pk, "roles": [Role.STAFF], "colleague": colleague.pk},
    )
    assert response.status_code == 302
    writer.refresh_from_db()
    assert writer.unit == other_unit and writer.role_set == {Role.STAFF}
    assert not RoleGrant.objects.filter(user=writer).exclude(unit=other_unit).exists()  # old grants ended
    for name in ("draft", "waiting"):
        assert Item.objects.get(pk=open_work[name].pk).author == colleague
    assert Item.objects.get(pk=open_work["done"].pk).author == writer  # history stays theirs
    told = Notification.objects.get(recipient=colleague, verb="handover")
    assert "乡村振兴约稿" in told.body and "王市长批示" in told.body
    assert AuditEntry.objects.filter(model="submissions.item", object_id=str(open_work["draft"].pk),
                                     changes__author=[writer.pk, colleague.pk]).exists()  # fmt: skip


def test_a_move_with_open_work_needs_a_colleague_and_keeps_what_was_chosen(
    client, city_admin, writer, other_unit, open_work
):
    client.force_login(city_admin)
    response = client.post(reverse("person_move", args=[writer.pk]), {"unit": other_unit.pk, "roles": [Role.STAFF]})
    body = response.content.decode()
    assert response.status_code == 400 and "该人员有未办结的工作，请指定交接人。" in body
    assert f'<option value="{other_unit.pk}" selected>' in body
    writer.refresh_from_db()
    assert writer.unit != other_unit


def test_leaving_disables_the_person_and_hands_over_their_work(client, city_admin, writer, colleague, open_work):
    client.force_login(city_admin)
    response = client.post(reverse("person_leave", args=[writer.pk]), {"colleague": colleague.pk})
    assert response.status_code == 302
    writer.refresh_from_db()
    assert not writer.is_active and Item.objects.get(pk=open_work["draft"].pk).author == colleague
    assert Item.objects.filter(author=writer, state=State.SUBMITTED).exists()  # attributed to them still


def test_a_person_without_open_work_moves_without_a_colleague(client, city_admin, colleague, other_unit):
    client.force_login(city_admin)
    assert "没有未办结的工作" in client.get(reverse("person_move", args=[colleague.pk])).content.decode()
    client.post(reverse("person_move", args=[colleague.pk]), {"unit": other_unit.pk})
    colleague.refresh_from_db()
    assert colleague.unit == other_unit and colleague.role_set == set()


@pytest.mark.parametrize("name", ["person_move", "person_leave"])
def test_people_who_do_not_administer_the_unit_are_refused(client, name, writer, editor, outsider, other_unit):
    other_admin = UserFactory(username="qjadmin", unit=outsider.unit, roles=[Role.SYSTEM_ADMIN])
    for person in (editor, writer, other_admin):
        client.force_login(person)
        assert client.get(reverse(name, args=[writer.pk])).status_code == 404
        assert client.post(reverse(name, args=[writer.pk]), {"unit": other_unit.pk}).status_code == 404
    writer.refresh_from_db()
    assert writer.is_active and writer.unit != other_unit


def test_an_administrator_cannot_move_someone_into_a_unit_they_do_not_administer(
    client, city_admin, colleague, outsider
):
    client.force_login(city_admin)
    response = client.post(reverse("person_move", args=[colleague.pk]), {"unit": outsider.unit_id})
    assert response.status_code == 400 and "选择一个有效的选项" in response.content.decode()


def test_the_colleague_must_be_an_active_person_of_the_old_unit(writer, colleague, outsider, other_unit, open_work):
    with pytest.raises(ValidationError, match="在岗的人员"):
        actions.move_person(person=writer, unit=other_unit, colleague=outsider, actor=None)
    colleague.is_active = False
    colleague.save()
    with pytest.raises(ValidationError, match="在岗的人员"):
        actions.deactivate_person(person=writer, colleague=colleague, actor=None)
    with pytest.raises(ValidationError, match="不能停用自己"):
        actions.deactivate_person(person=writer, colleague=None, actor=writer)


@pytest.fixture
def other_unit(city):
    from tests.factories import UnitFactory

    return UnitFactory(name="昆明市教育体育局", parent=city)
