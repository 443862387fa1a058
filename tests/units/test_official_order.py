"""Units list in their official order (排序号 at each level of the tree, then the tree),
not in the text order of their paths ("/1/10/" sorts before "/1/2/") nor by name."""

import importlib
import io

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from scoring.models import Scheme, SchemeUnit
from scoring.queries import scoreboard
from submissions.commissions.queries import eligible_targets
from units.directory.apply import apply_directory
from units.directory.parse import parse_workbook
from units.models import Unit

from .directory_files import province_file, workbook


def names_in_order(body: str, units) -> list[str]:
    found = sorted((body.index(u.name), u.name) for u in units)
    return [name for _, name in found]


def test_unit_directory_lists_units_in_official_order(client, city_admin, city, ordered):
    client.force_login(city_admin)
    body = client.get(reverse("unit_directory")).content.decode()
    assert names_in_order(body, ordered) == [u.name for u in ordered]
    assert body.index(city.name) < body.index(ordered[0].name)


def test_unit_page_lists_its_children_in_official_order(client, city_admin, city, ordered):
    client.force_login(city_admin)
    body = client.get(reverse("unit_detail", args=[city.pk])).content.decode()
    children = [u for u in ordered if u.parent_id == city.pk]
    assert names_in_order(body, children) == [u.name for u in children]


def test_commission_target_picker_follows_official_order(client, editor, city, ordered):
    children = [u for u in ordered if u.parent_id == city.pk]
    assert list(eligible_targets(city)) == children
    client.force_login(editor)
    body = client.get(reverse("commission_create")).content.decode()
    assert names_in_order(body, children) == [u.name for u in children]


@pytest.fixture
def scheme(city, ordered):
    s = Scheme.objects.create(office=city, year=timezone.localdate().year, name="考核")
    for unit in reversed(ordered):  # made in the opposite order, so the pk of the link does not help
        SchemeUnit.objects.create(scheme=s, unit=unit)
    return s


def test_scoreboard_at_equal_points_and_its_export_follow_official_order(client, leader, scheme, ordered):
    board = scoreboard(scheme)
    assert {r.rank for r in board.rows} == {1}
    assert [r.unit for r in board.rows] == ordered
    client.force_login(leader)
    response = client.get(reverse("scheme_board_export", args=[scheme.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [u.name for u in ordered]


def test_outsider_sees_none_of_these_units_nor_the_export(client, outsider, scheme, ordered):
    client.force_login(outsider)  # an administrator of the sibling city
    body = client.get(reverse("unit_directory")).content.decode()
    assert not any(u.name in body for u in ordered)
    assert client.get(reverse("scheme_board_export", args=[scheme.pk])).status_code == 404


def test_changing_a_sort_order_or_parent_moves_the_whole_subtree_in_the_order(city, other_city, ordered):
    department, bing, jia, jia_child, yi = ordered
    jia.sort_order = 0
    jia.save()
    # 排序号 0 as the department: then the older (smaller id) first
    assert list(Unit.objects.filter(parent=city)) == [department, jia, bing, yi]
    assert list(Unit.objects.descendants_of(city)) == [department, jia, jia_child, bing, yi]
    # A stale copy of the child (loaded before its parent changed) still gets the right key.
    jia_child.sort_order = 5
    jia_child.save()
    jia_child.refresh_from_db()
    assert jia_child.order_key.startswith(Unit.objects.get(pk=jia.pk).order_key)
    jia.parent = other_city
    jia.save()
    jia_child.refresh_from_db()
    assert jia_child.path == f"{other_city.path}{jia.pk}/{jia_child.pk}/"
    assert jia_child.order_key.startswith(other_city.order_key) and jia_child.depth == 3


def test_migration_fills_the_keys_of_existing_units(province, ordered):
    expected = dict(Unit.objects.values_list("pk", "order_key"))
    Unit.objects.update(order_key="")
    importlib.import_module("units.migrations.0006_unit_order_key").fill_order_keys(apps, None)
    assert dict(Unit.objects.values_list("pk", "order_key")) == expected
    assert list(Unit.objects.all()) == [province, ordered[0].parent, *ordered]


def parsed(data: bytes):
    return parse_workbook(io.BytesIO(data))


@pytest.mark.django_db
def test_directory_import_keys_new_units_and_shifts_subtrees_of_a_new_sort_order():
    apply_directory(parsed=parsed(province_file()), importer=None)
    codes = list(Unit.objects.values_list("code", flat=True))
    assert codes == ["53", "5301", "530101", "5303"]  # 昆明市 (1) with its department, then 曲靖市 (2)
    # 昆明市 moves behind 曲靖市; its department, not in the file, follows it.
    edited = workbook([("5301", "昆明市人民政府办公室", "昆明市", "53", "市（州）政府办公室", "", 3, "是")])
    apply_directory(parsed=parsed(edited), importer=None)
    assert list(Unit.objects.values_list("code", flat=True)) == ["53", "5303", "5301", "530101"]
    # Both levels in one file: the department's key is made from its parent's new one.
    edited = workbook(
        [
            ("5301", "昆明市人民政府办公室", "昆明市", "53", "市（州）政府办公室", "", 0, "是"),
            ("530101", "昆明市发展和改革委员会", "市发展改革委", "5301", "部门", "", 4, "是"),
            ("530102", "昆明市财政局", "市财政局", "5301", "部门", "", 2, "是"),
        ]
    )
    apply_directory(parsed=parsed(edited), importer=None)
    assert list(Unit.objects.values_list("code", flat=True)) == ["53", "5301", "530102", "530101", "5303"]
    for unit in Unit.objects.select_related("parent"):
        parent_key = unit.parent.order_key if unit.parent_id else ""
        assert unit.order_key == f"{parent_key}{unit.sort_order:010d}{unit.pk:010d}/"
