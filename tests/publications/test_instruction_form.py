"""The 批示 form: handling units as checkboxes in the tree's official order with the
default visible, the level preselected from the leader's own level, and what was typed
and ticked kept when the form is refused."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from publications.instructions import actions as ins
from publications.models import InstructionLevel
from tests.factories import UnitFactory, UserFactory
from units.models import Role

from .helpers import adopted, signed_issue


@pytest.fixture
def levels(db):
    for order, name in enumerate(["国务院领导", "省政府领导", "市政府领导"]):
        InstructionLevel.objects.get_or_create(name=name, defaults={"order": order})


@pytest.fixture
def published(writer, unit_approver, editor, issue_approver, bulletin, levels):
    adoption = adopted(writer, unit_approver, editor, bulletin)
    issue = signed_issue(editor, issue_approver, bulletin, [adoption])
    adoption.item.refresh_from_db()
    return adoption.item, issue


def _url(published) -> str:
    item, issue = published
    return f"{reverse('instruction_create')}?issue={issue.pk}&item={item.pk}"


def _unit_names(page: str) -> list[str]:
    picker = page.split('id="units-list"')[1].split("</fieldset>")[0]
    return re.findall(r'<label class="form-check-label" for="id_units_\d+">([^<]+)</label>', picker)


def _selected_level(page: str) -> str | None:
    found = re.search(r'<option value="([^"]*)" selected>', page.split('name="level"')[1].split("</select>")[0])
    return found.group(1) if found else None


def test_handling_units_follow_the_official_order_with_the_default_ticked_and_named(
    client, leader, city, department, published
):
    # Created in another order than the official one: sort_order decides, children follow their parent.
    second = UnitFactory(name="昆明市农业农村局", parent=city, sort_order=1)
    county = UnitFactory(name="五华区人民政府办公室", parent=city, sort_order=3)
    UnitFactory(name="五华区教育局", parent=county, sort_order=1)
    department.sort_order = 2
    department.save()
    client.force_login(leader)
    page = client.get(_url(published)).content.decode()
    assert _unit_names(page) == [second.name, department.name, county.name, "五华区教育局"]
    assert "按住 Ctrl" not in page and 'id="units-filter"' in page
    chosen = page.split('id="units-chosen"')[1].split("</p>")[0]
    assert department.name in chosen and second.name not in chosen
    assert f'value="{department.pk}" id="id_units_{department.pk}" checked' in page
    assert "/static/js/unit_picker.js" in page


def test_level_defaults_from_the_leaders_own_level_then_the_last_used(client, leader, editor, published):
    client.force_login(leader)
    assert _selected_level(client.get(_url(published)).content.decode()) in (None, "")
    item, issue = published
    today = timezone.localdate()
    ins.make_instruction(
        item=item, issue=issue, user=leader, leader_name=leader.full_name, level="国务院领导", text="请研究。",
        date=today, deadline=today + dt.timedelta(days=7), units=[item.unit],
    )  # fmt: skip
    assert _selected_level(client.get(_url(published)).content.decode()) == "国务院领导"  # the last one used
    InstructionLevel.objects.get(name="市政府领导").leaders.add(leader)
    assert _selected_level(client.get(_url(published)).content.decode()) == "市政府领导"  # their own level wins

    # An editor recording a leader's written instruction gets no guess.
    InstructionLevel.objects.get(name="省政府领导").leaders.add(editor)
    client.force_login(editor)
    assert _selected_level(client.get(_url(published)).content.decode()) in (None, "")


def test_a_refused_form_keeps_the_ticked_units_and_the_text(client, leader, city, department, published):
    second = UnitFactory(name="昆明市农业农村局", parent=city)
    client.force_login(leader)
    today = timezone.localdate()
    data = {
        "leader_name": leader.full_name, "level": "", "text": "请两部门共同研究。", "date": today.isoformat(),
        "deadline": (today + dt.timedelta(days=7)).isoformat(), "units": [department.pk, second.pk],
    }  # fmt: skip
    page = client.post(_url(published), data).content.decode()
    assert "请选择批示级别" in page and "请两部门共同研究。" in page
    for unit in (department, second):
        assert f'value="{unit.pk}" id="id_units_{unit.pk}" checked' in page
    chosen = page.split('id="units-chosen"')[1].split("</p>")[0]
    assert department.name in chosen and second.name in chosen


def test_a_unit_outside_the_office_cannot_be_posted(client, leader, other_city, published):
    client.force_login(leader)
    today = timezone.localdate()
    item, _ = published
    data = {
        "leader_name": leader.full_name, "level": "市政府领导", "text": "请办理。", "date": today.isoformat(),
        "deadline": (today + dt.timedelta(days=7)).isoformat(), "units": [other_city.pk],
    }  # fmt: skip
    page = client.post(_url(published), data).content.decode()
    assert "承办单位只能是本单位的下级单位" in page


def test_an_outsider_gets_no_instruction_form(client, published, other_city):
    stranger = UserFactory(username="stranger_leader2", unit=other_city, roles=[Role.LEADER])
    client.force_login(stranger)
    assert client.get(_url(published)).status_code == 404
