"""The bulk apply path of the directory import (issue 16): tree paths computed in Python,
and audit rows identical to the ones the one-by-one saves and audit.record() write."""

import io

import pytest

import audit
from audit.models import AuditEntry
from units.directory.apply import apply_directory
from units.directory.parse import parse_workbook
from units.models import RoleGrant, Unit, User

from .directory_files import province_file, workbook

pytestmark = pytest.mark.django_db

ROW_FIELDS = ("action", "model", "object_id", "object_repr", "unit_id", "changes", "actor_id", "actor_name")


def imported(data: bytes):
    return apply_directory(parsed=parse_workbook(io.BytesIO(data)), importer=None)


def rows(entries) -> list[tuple]:
    return [tuple(getattr(e, f) for f in ROW_FIELDS) for e in entries]


def test_imported_units_get_the_paths_unit_save_gives():
    imported(province_file())
    for unit in Unit.objects.all():
        expected = (unit.parent.path if unit.parent_id else "/") + f"{unit.pk}/"
        assert (unit.path, unit.depth) == (expected, expected.count("/") - 2)
    office = Unit.objects.get(code="53")
    assert set(Unit.objects.descendants_of(office).values_list("code", flat=True)) == {"5301", "5303", "530101"}


def test_a_created_unit_is_recorded_as_a_saved_one_is():
    imported(province_file())
    dept = Unit.objects.get(code="530101")
    bulk = AuditEntry.objects.get(model="units.unit", object_id=str(dept.pk), action="create")
    by_hand = Unit(code="530102", name="昆明市教育局", short_name=dept.short_name, parent=dept.parent,
                   kind=dept.kind, sort_order=dept.sort_order)  # fmt: skip
    by_hand.save()
    saved = AuditEntry.objects.get(model="units.unit", object_id=str(by_hand.pk), action="create")
    expected = dict(saved.changes, code=[None, "530101"], name=[None, "昆明市发展和改革委员会"])
    assert bulk.changes == expected and bulk.unit_id == dept.pk and bulk.object_repr == dept.name


def test_a_changed_and_a_moved_unit_are_recorded_with_their_differences_and_paths_follow():
    imported(province_file())
    before = AuditEntry.objects.count()
    kunming, qujing = Unit.objects.get(code="5301"), Unit.objects.get(code="5303")
    changed = workbook(
        [
            ("53", "云南省人民政府办公厅", "省政府办公厅", "", "省政府办公厅", "", 1, "是"),
            ("5301", "昆明市人民政府办公室", "昆明", "53", "市（州）政府办公室", "", 7, "是"),
            ("530101", "昆明市发展和改革委员会", "市发展改革委", "5303", "部门", "", 1, "是"),  # moved
            ("53010101", "新设的科室", "", "530101", "部门", "", 1, "是"),  # new, under the moved one
        ],
        [],
    )
    imported(changed)
    kunming_rows = AuditEntry.objects.filter(model="units.unit", object_id=str(kunming.pk), action="update")
    assert [e.changes for e in kunming_rows] == [{"short_name": ["昆明市", "昆明"], "sort_order": [1, 7]}]
    dept = Unit.objects.get(code="530101")
    moved = AuditEntry.objects.get(model="units.unit", object_id=str(dept.pk), action="update")
    assert moved.changes == {"parent": [kunming.pk, qujing.pk]}
    child = Unit.objects.get(code="53010101")
    assert child.path == f"{qujing.path}{dept.pk}/{child.pk}/" and child.depth == 3
    assert AuditEntry.objects.count() == before + 3  # two updates and one create: no empty rows


def test_record_many_writes_the_rows_record_writes_one_by_one():
    imported(province_file())
    user = User.objects.get(username="km_editor")
    grants = list(RoleGrant.objects.filter(user=user))
    calls = [
        {"action": "update", "obj": user, "changes": {"full_name": ["李编辑", "李新编辑"], "password": ["a", "b"]}},
        {"action": "update", "obj": user, "changes": {"full_name": ["李编辑", "李编辑"]}},  # nothing: no row
        *({"action": "create", "obj": g, "changes": audit.creation_changes(g)} for g in grants),
    ]
    start = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    for call in calls:
        audit.record(**call)
    one_by_one = list(AuditEntry.objects.filter(pk__gt=start).order_by("pk"))
    middle = one_by_one[-1].pk
    assert audit.record_many(calls, batch_size=2) == len(one_by_one) == 1 + len(grants)
    bulk = list(AuditEntry.objects.filter(pk__gt=middle).order_by("pk"))
    assert rows(bulk) == rows(one_by_one)
    assert bulk[0].changes == {"full_name": ["李编辑", "李新编辑"], "password": ["***", "***"]}


def test_record_many_writes_nothing_while_audit_is_suspended():
    imported(province_file())
    user = User.objects.get(username="km_editor")
    before = AuditEntry.objects.count()
    with audit.suspended():
        assert audit.record_many([{"action": "create", "obj": user, "changes": {"username": [None, "x"]}}]) == 0
    assert AuditEntry.objects.count() == before


def test_an_import_writes_one_audit_row_per_unit_person_and_grant():
    before = AuditEntry.objects.count()
    imported(province_file())
    written = Unit.objects.count() + User.objects.count() + RoleGrant.objects.count()
    assert AuditEntry.objects.count() - before == written
