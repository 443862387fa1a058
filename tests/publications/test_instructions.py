"""Instructions (批示) and feedback (反馈): writing from the issue a leader reads, recording
for a leader, reporting back with files, the office's list, the deadline check with its
reminders and penalties, and the bonus through the ledger."""

import datetime as dt
import io
import struct
import zlib
from decimal import Decimal
from pathlib import Path
from unittest.mock import patch

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from publications.instructions import actions as ins
from publications.instructions.tasks import check_feedback_deadlines
from publications.models import (
    FeedbackAttachment,
    Instruction,
    InstructionHandler,
    InstructionLevel,
    Issue,
    IssueRead,
)
from scoring.models import InstructionRule, LedgerEntry, PenaltyRule, Scheme, SchemeUnit, Source
from scoring.queries import unit_total
from tests.factories import UnitFactory, UserFactory
from units.models import Notification, Reminder, Role

from .helpers import adopted, signed_issue

LEVELS = ["国务院领导", "国办", "省政府领导", "省政府办公厅", "市政府领导", "市政府办公室", "县（区）政府领导"]
TEXT = "请市发展改革委认真总结经验做法，进一步加快项目建设进度。"
FEEDBACK = "已召开专题会议研究落实，明确责任单位和完成时限，12个滞后项目已全部挂牌督办。"


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


def _today() -> dt.date:
    return timezone.localdate()


def _at(day: dt.date) -> dt.datetime:
    """A moment in the middle of `day`, for freezing time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The personas' passwords are never typed here: a fast hasher keeps the tests quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def levels(db):
    # Transactional tests elsewhere empty the migration's rows: put them back.
    for order, name in enumerate(LEVELS):
        InstructionLevel.objects.get_or_create(name=name, defaults={"order": order})


@pytest.fixture
def published(writer, unit_approver, editor, issue_approver, bulletin):
    """An item of the department in a signed issue of the city's 政务信息."""
    adoption = adopted(writer, unit_approver, editor, bulletin)
    issue = signed_issue(editor, issue_approver, bulletin, [adoption])
    adoption.item.refresh_from_db()
    return adoption.item, issue


@pytest.fixture
def scheme(city, department):
    s = Scheme.objects.create(office=city, year=_today().year, name="昆明市政务信息考核")
    SchemeUnit.objects.create(scheme=s, unit=department)
    InstructionRule.objects.create(scheme=s, level="省政府领导", points=5)
    InstructionRule.objects.create(scheme=s, level="省政府办公厅", points=3)
    PenaltyRule.objects.create(scheme=s, kind="feedback", points=2)
    return s


@pytest.fixture
def second_department(city):
    return UnitFactory(name="昆明市农业农村局", short_name="市农业农村局", parent=city)


def _url(issue: Issue, item) -> str:
    return f"{reverse('instruction_create')}?issue={issue.pk}&item={item.pk}"


def _form(item, **overrides) -> dict:
    today = _today()
    values = {
        "leader_name": "",
        "level": "省政府领导",
        "text": TEXT,
        "date": today.isoformat(),
        "deadline": (today + dt.timedelta(days=7)).isoformat(),
        "units": [item.unit_id],
    }
    values.update(overrides)
    return values


def _make(user, published, *, level="省政府领导", deadline=None, units=None, leader_name="") -> Instruction:
    item, issue = published
    today = _today()
    return ins.make_instruction(
        item=item, issue=issue, user=user, leader_name=leader_name, level=level, text=TEXT, date=today,
        deadline=deadline or today + dt.timedelta(days=7), units=units or [item.unit],
    )  # fmt: skip


def _feedback(client, instruction, text=FEEDBACK, files=()):
    return client.post(reverse("instruction_feedback", args=[instruction.pk]), {"text": text, "files": list(files)})


def _notified(verb: str) -> set[str]:
    return set(Notification.objects.filter(verb=verb).values_list("recipient__username", flat=True))


# --- Writing -----------------------------------------------------------------------------


def test_leader_writes_instruction_from_the_issue_and_the_unit_is_notified_and_credited(
    client, leader, writer, unit_approver, editor, published, scheme, city, department,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    item, issue = published
    client.force_login(leader)
    page = client.get(reverse("issue_detail", args=[issue.pk])).content.decode()
    assert f'data-instruct="{item.pk}"' in page and "写批示" in page
    form_page = client.get(_url(issue, item)).content.decode()
    assert f'value="{leader.full_name}"' in form_page  # the leader's own name by default
    assert (
        f'name="units" value="{department.pk}" id="id_units_{department.pk}" checked>' in form_page
    )  # the submitting unit by default
    assert f'value="{_today().isoformat()}"' in form_page  # ISO dates, as <input type=date> needs

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(issue, item), _form(item))
    instruction = Instruction.objects.get()
    assert response.status_code == 302 and response.url == reverse("instruction_detail", args=[instruction.pk])
    assert (instruction.leader, instruction.leader_name, instruction.recorded_by) == (leader, leader.full_name, leader)
    assert (instruction.office, instruction.issue, instruction.item) == (city, issue, item)
    assert [h.unit for h in instruction.handler_links.all()] == [department]
    assert _notified("instruction") == {"writer", "approver"}
    note = Notification.objects.filter(verb="instruction").first()
    assert note.url == reverse("instruction_detail", args=[instruction.pk]) and "省政府领导" in note.title
    # The bonus, through the ledger, in the same transaction as the instruction.
    assert unit_total(scheme, department) == Decimal("5")
    entry = LedgerEntry.objects.get(scheme=scheme, source=Source.INSTRUCTION)
    assert (entry.unit, entry.item, entry.source_ref) == (department, item, f"instruction:{instruction.pk}")
    # Reading the issue still leaves a read receipt for the office.
    assert IssueRead.objects.filter(issue=issue, reader=leader).exists()
    client.force_login(editor)
    assert 'id="reads"' in client.get(reverse("issue_detail", args=[issue.pk])).content.decode()


def test_editor_records_a_leaders_written_instruction_for_several_units(
    client, editor, published, department, second_department, django_capture_on_commit_callbacks
):
    item, issue = published
    staff = UserFactory(username="agri_staff", unit=second_department, roles=[Role.STAFF])
    client.force_login(editor)
    assert f'data-instruct="{item.pk}"' in client.get(reverse("issue_detail", args=[issue.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(issue, item), _form(item, leader_name="王副省长", units=[department.pk, second_department.pk]))
    instruction = Instruction.objects.get()
    assert instruction.leader_name == "王副省长" and instruction.leader is None and instruction.recorded_by == editor
    assert {h.unit_id for h in instruction.handler_links.all()} == {department.pk, second_department.pk}
    assert staff.username in _notified("instruction")


def test_editor_must_name_the_leader(client, editor, published):
    item, issue = published
    client.force_login(editor)
    page = client.post(_url(issue, item), _form(item)).content.decode()
    assert "请填写批示领导姓名" in page and TEXT in page
    assert not Instruction.objects.exists()


def test_form_opens_from_the_item_alone_or_lets_the_leader_choose_from_the_issue(client, leader, published):
    item, issue = published
    client.force_login(leader)
    page = client.get(f"{reverse('instruction_create')}?item={item.pk}").content.decode()
    assert f"issue={issue.pk}&amp;item={item.pk}" in page
    page = client.get(f"{reverse('instruction_create')}?issue={issue.pk}").content.decode()
    assert f"issue={issue.pk}&amp;item={item.pk}" in page and 'id="choose-item"' in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": "  "}, "请填写批示内容"),
        ({"deadline": "2020-01-01", "date": "2020-01-02"}, "反馈期限不能早于批示日期"),
        ({"level": "不存在的级别"}, "请选择有效的批示级别"),
        ({"units": []}, "请至少选择一个承办单位"),
        ({"date": "not-a-date"}, "请输入有效的日期"),
    ],
)
def test_bad_input_is_refused_in_plain_chinese_and_keeps_what_was_typed(client, leader, published, overrides, message):
    item, issue = published
    client.force_login(leader)
    response = client.post(_url(issue, item), _form(item, leader_name="李市长", **overrides))
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert 'value="李市长"' in page
    if overrides.get("text") is None:
        assert TEXT in page
    assert not Instruction.objects.exists()


def test_deadline_in_the_past_and_unit_outside_the_office_are_refused(client, leader, published, other_city):
    item, issue = published
    client.force_login(leader)
    yesterday = (_today() - dt.timedelta(days=1)).isoformat()
    page = client.post(_url(issue, item), _form(item, date=yesterday, deadline=yesterday)).content.decode()
    assert "反馈期限不能早于今天" in page
    page = client.post(_url(issue, item), _form(item, units=[other_city.pk])).content.decode()
    assert "承办单位只能是本单位的下级单位" in page
    assert not Instruction.objects.exists()


def test_action_refuses_a_unit_outside_the_office_and_an_unknown_level(leader, published, other_city):
    with pytest.raises(ValidationError) as excinfo:
        _make(leader, published, units=[other_city], level="不存在的级别")
    assert "承办单位只能是本单位的下级单位。" in excinfo.value.messages
    assert "请选择有效的批示级别。" in excinfo.value.messages


# --- Refused outsiders ---------------------------------------------------------------------


def test_leader_of_an_unlisted_unit_cannot_instruct_on_an_issue_they_cannot_read(client, stranger_leader, published):
    item, issue = published
    client.force_login(stranger_leader)
    assert client.get(_url(issue, item)).status_code == 404
    assert client.post(_url(issue, item), _form(item, leader_name="陌生领导")).status_code == 404
    assert client.get(f"{reverse('instruction_create')}?item={item.pk}").status_code == 404
    assert not Instruction.objects.exists()


def test_editor_of_another_office_cannot_record(client, other_editor, published):
    item, issue = published
    client.force_login(other_editor)
    assert client.post(_url(issue, item), _form(item, leader_name="王副省长")).status_code == 404
    assert not Instruction.objects.exists()


def test_readers_without_the_leader_role_get_no_button_and_cannot_instruct(client, writer, published):
    item, issue = published
    client.force_login(writer)  # the department is on the 发 list, so its staff read the issue
    page = client.get(reverse("issue_detail", args=[issue.pk])).content.decode()
    assert "gi-masthead" in page and "data-instruct" not in page
    assert client.post(_url(issue, item), _form(item, leader_name="某领导")).status_code == 404


def test_no_instruction_on_a_draft_issue_or_an_item_not_in_the_issue(
    client, leader, editor, writer, unit_approver, bulletin, published
):
    item, issue = published
    other = adopted(writer, unit_approver, editor, bulletin, title="另一条信息")
    client.force_login(editor)
    assert client.get(_url(issue, other.item)).status_code == 404  # not in this issue
    draft = Issue.objects.create(publication=bulletin, created_by=editor)
    other.issue = draft
    other.save()
    assert client.get(_url(draft, other.item)).status_code == 404  # not signed
    with pytest.raises(ins.InstructionError):
        ins.make_instruction(
            item=other.item, issue=draft, user=editor, leader_name="王副省长", level="省政府领导", text=TEXT,
            date=_today(), deadline=_today(), units=[other.item.unit],
        )  # fmt: skip


def test_another_unit_cannot_see_or_answer_the_instruction(client, leader, published, other_writer, second_department):
    instruction = _make(leader, published)
    sibling = UserFactory(username="sibling", unit=second_department, roles=[Role.STAFF, Role.LEADER])
    for user in (other_writer, sibling):
        client.force_login(user)
        assert client.get(reverse("instruction_detail", args=[instruction.pk])).status_code == 404
        assert _feedback(client, instruction).status_code == 404
        assert f'data-instruction="{instruction.pk}"' not in client.get(reverse("instruction_inbox")).content.decode()
    assert not InstructionHandler.objects.exclude(feedback_at=None).exists()


# --- Reporting back ----------------------------------------------------------------------------


def test_unit_reports_back_once_with_an_attachment_served_only_after_the_check(
    client, leader, writer, editor, outsider, published, django_capture_on_commit_callbacks
):
    instruction = _make(leader, published)
    client.force_login(writer)
    inbox = client.get(reverse("instruction_inbox")).content.decode()
    assert f'data-instruction="{instruction.pk}"' in inbox and "待反馈" in inbox
    detail = client.get(reverse("instruction_detail", args=[instruction.pk])).content.decode()
    assert TEXT in detail and 'id="feedback-form"' in detail

    photo = SimpleUploadedFile("现场照片.png", _png(), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = _feedback(client, instruction, files=[photo])
    assert response.status_code == 302
    handler = InstructionHandler.objects.get(instruction=instruction)
    assert (handler.feedback, handler.feedback_by, handler.is_late) == (FEEDBACK, writer, False)
    attachment = FeedbackAttachment.objects.get(handler=handler)
    stored = Path(attachment.file.path)
    assert attachment.original_name == "现场照片.png" and attachment.content_type == "image/png"
    assert stored.exists() and "现场照片" not in stored.name and stored.suffix == ".png"
    assert str(stored).startswith(str(settings.MEDIA_ROOT))
    assert {"editor", "leader"} <= _notified("instruction_feedback")

    client.force_login(editor)
    response = client.get(reverse("feedback_attachment", args=[attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == _png()
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(outsider)
    assert client.get(reverse("feedback_attachment", args=[attachment.pk])).status_code == 404

    # Once per handler.
    client.force_login(writer)
    page = _feedback(client, instruction, text="第二次反馈").content.decode()
    assert "本单位已反馈过该批示，不能重复反馈" in page
    handler.refresh_from_db()
    assert handler.feedback == FEEDBACK
    assert "已反馈" in client.get(reverse("instruction_inbox") + "?status=done").content.decode()


def test_two_reports_at_once_give_one_and_a_clear_refusal(leader, writer, colleague, published):
    instruction = _make(leader, published)
    first = InstructionHandler.objects.get(instruction=instruction)
    stale = InstructionHandler.objects.get(instruction=instruction)
    ins.report_feedback(handler=first, user=writer, text=FEEDBACK)
    with pytest.raises(ins.InstructionError, match="不能重复反馈"):
        ins.report_feedback(handler=stale, user=colleague, text="另一份反馈")
    first.refresh_from_db()
    assert first.feedback == FEEDBACK and first.feedback_by == writer


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("办理报告.pdf", b"MZ\x90\x00" + b"\x00" * 200, "不支持该文件类型"),
        ("大文件.pdf", b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024 // 2) + b"\n%%EOF", "文件过大：1.5 MB，上限为 1 MB"),
    ],
)
def test_bad_attachment_is_refused_and_nothing_is_kept(
    client, leader, writer, published, monkeypatch, name, content, message
):
    monkeypatch.setattr(ins, "MAX_FEEDBACK_BYTES", 1024 * 1024)
    instruction = _make(leader, published)
    client.force_login(writer)
    response = _feedback(client, instruction, files=[SimpleUploadedFile(name, content)])
    page = response.content.decode()
    assert response.status_code == 200 and "附件未上传" in page and message in page
    assert FEEDBACK in page  # what was typed is kept
    assert not FeedbackAttachment.objects.exists()
    assert InstructionHandler.objects.get(instruction=instruction).feedback_at is None
    stored = Path(settings.MEDIA_ROOT) / "feedback"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def test_missing_feedback_text_is_refused(client, leader, writer, published):
    instruction = _make(leader, published)
    client.force_login(writer)
    assert "请填写反馈内容" in _feedback(client, instruction, text=" ").content.decode()
    assert InstructionHandler.objects.get(instruction=instruction).feedback_at is None


def test_feedback_after_the_deadline_is_marked_late(client, leader, writer, published):
    instruction = _make(leader, published, deadline=_today() + dt.timedelta(days=1))
    with patch("django.utils.timezone.now", return_value=_at(_today() + dt.timedelta(days=3))):
        client.force_login(writer)
        page = client.get(reverse("instruction_inbox")).content.decode()
        assert "逾期未反馈" in page
        response = _feedback(client, instruction)
        assert response.status_code == 302
    handler = InstructionHandler.objects.get(instruction=instruction)
    assert handler.feedback_at and handler.is_late


def test_feedback_on_the_deadline_is_in_time(leader, writer, published):
    instruction = _make(leader, published, deadline=_today() + dt.timedelta(days=1))
    handler = InstructionHandler.objects.get(instruction=instruction)
    with patch("django.utils.timezone.now", return_value=_at(_today() + dt.timedelta(days=1))):
        handler = ins.report_feedback(handler=handler, user=writer, text=FEEDBACK)
    assert not handler.is_late


# --- The office's list ---------------------------------------------------------------------


def test_office_list_shows_status_overdue_first_and_filters(
    client, leader, editor, writer, published, django_assert_max_num_queries
):
    today = _today()
    done = _make(leader, published, deadline=today + dt.timedelta(days=1))
    ins.report_feedback(handler=done.handler_links.get(), user=writer, text=FEEDBACK)
    waiting = _make(leader, published, deadline=today + dt.timedelta(days=10))
    overdue = _make(leader, published, deadline=today + dt.timedelta(days=1))
    with patch("django.utils.timezone.now", return_value=_at(today + dt.timedelta(days=3))):
        client.force_login(editor)
        page = client.get(reverse("instruction_list")).content.decode()
        positions = [page.index(f'data-instruction="{i.pk}"') for i in (overdue, waiting, done)]
        assert positions == sorted(positions)
        assert f'data-instruction="{overdue.pk}" data-status="overdue"' in page
        assert f'data-instruction="{waiting.pk}" data-status="waiting"' in page
        assert f'data-instruction="{done.pk}" data-status="done"' in page
        assert "1 件逾期未反馈" in page
        for status, expected in (("overdue", overdue), ("waiting", waiting), ("done", done)):
            page = client.get(reverse("instruction_list"), {"status": status}).content.decode()
            assert page.count("data-instruction=") == 1 and f'data-instruction="{expected.pk}"' in page
        client.force_login(leader)
        assert client.get(reverse("instruction_list")).status_code == 200


def test_office_list_is_paginated_with_flat_queries(client, leader, editor, published, django_assert_max_num_queries):
    for _ in range(23):
        _make(leader, published)
    client.force_login(editor)
    client.get(reverse("instruction_list"))  # warm the session and role caches
    with django_assert_max_num_queries(14):
        page = client.get(reverse("instruction_list")).content.decode()
    assert page.count("data-instruction=") == 20 and "第 1 / 2 页" in page
    page = client.get(reverse("instruction_list"), {"page": 2}).content.decode()
    assert page.count("data-instruction=") == 3


def test_office_list_is_only_for_the_office(client, leader, writer, outsider, published):
    _make(leader, published)
    client.force_login(writer)
    assert client.get(reverse("instruction_list")).status_code == 403
    assert client.get(reverse("instruction_export")).status_code == 403
    client.force_login(outsider)  # an editor, but of another city
    page = client.get(reverse("instruction_list")).content.decode()
    assert "data-instruction=" not in page


def test_office_list_exports_to_excel(client, leader, editor, writer, published):
    import openpyxl

    instruction = _make(leader, published)
    ins.report_feedback(handler=instruction.handler_links.get(), user=writer, text="=办理完毕")
    client.force_login(editor)
    response = client.get(reverse("instruction_export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("批示日期", "批示领导", "级别") and len(rows) == 2
    assert rows[1][1] == leader.full_name and rows[1][9] == "已反馈" and rows[1][11] == "'=办理完毕"


# --- The item page -------------------------------------------------------------------------


def test_item_page_shows_instructions_and_feedback_to_its_readers(client, leader, writer, editor, published):
    item, _ = published
    instruction = _make(leader, published)
    ins.report_feedback(handler=instruction.handler_links.get(), user=writer, text=FEEDBACK)
    client.force_login(writer)
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert 'id="instruction-panel"' in page and TEXT in page and FEEDBACK in page
    assert 'id="panel-instruct"' not in page
    client.force_login(editor)
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert TEXT in page and 'id="panel-instruct"' in page


# --- Deadlines, reminders, penalties and bonuses -------------------------------------------------


def test_missed_feedback_is_penalised_once_however_often_the_task_runs(
    leader, writer, unit_approver, published, scheme, department, django_capture_on_commit_callbacks
):
    instruction = _make(leader, published, deadline=_today() + dt.timedelta(days=1))
    assert unit_total(scheme, department) == Decimal("5")
    later = (_today() + dt.timedelta(days=2)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        first = check_feedback_deadlines.delay(later).get()
        second = check_feedback_deadlines.delay(later).get()
    assert first["penalized"] == 1 and second["penalized"] == 0
    handler = InstructionHandler.objects.get(instruction=instruction)
    assert handler.penalized_at is not None
    penalty = LedgerEntry.objects.get(scheme=scheme, source=Source.PENALTY)
    assert penalty.points == Decimal("-2") and penalty.rule == "penalty:feedback"
    assert penalty.source_ref == f"instruction:{instruction.pk}:unit:{department.pk}"
    assert penalty.reason.startswith("批示未按期反馈：") and penalty.item == instruction.item
    assert unit_total(scheme, department) == Decimal("3")  # bonus 5, penalty 2
    assert {"writer", "approver"} <= _notified("instruction_overdue")

    # Even if the claim and the mark were lost, the ledger refuses the same fault twice.
    Reminder.objects.filter(key=penalty.source_ref).delete()
    InstructionHandler.objects.filter(pk=handler.pk).update(penalized_at=None)
    check_feedback_deadlines(later)
    assert unit_total(scheme, department) == Decimal("3")

    # A late report back is still taken, and marked late.
    with patch("django.utils.timezone.now", return_value=_at(_today() + dt.timedelta(days=2))):
        handler = ins.report_feedback(handler=handler, user=writer, text=FEEDBACK)
    assert handler.is_late


def test_deadline_check_with_frozen_time_spares_answered_and_not_yet_due(leader, writer, published, scheme, department):
    today = _today()
    answered = _make(leader, published, deadline=today + dt.timedelta(days=1))
    ins.report_feedback(handler=answered.handler_links.get(), user=writer, text=FEEDBACK)
    not_due = _make(leader, published, deadline=today + dt.timedelta(days=5))
    with patch("django.utils.timezone.now", return_value=_at(today + dt.timedelta(days=3))):
        result = check_feedback_deadlines()
    assert result["penalized"] == 0
    assert not InstructionHandler.objects.exclude(penalized_at=None).exists()
    assert not_due.handler_links.get().penalized_at is None
    assert not LedgerEntry.objects.filter(source=Source.PENALTY).exists()


def test_reminder_one_day_before_the_deadline_is_sent_once(leader, published, django_capture_on_commit_callbacks):
    today = _today()
    due = _make(leader, published, deadline=today + dt.timedelta(days=1))
    _make(leader, published, deadline=today + dt.timedelta(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        first = check_feedback_deadlines(today.isoformat())
        second = check_feedback_deadlines(today.isoformat())
    assert (first["reminded"], second["reminded"]) == (1, 0)
    assert Notification.objects.filter(verb="instruction_reminder").count() == 2  # writer and unit approver
    assert _notified("instruction_reminder") == {"writer", "approver"}
    assert Reminder.objects.filter(key=f"instruction:{due.pk}:unit:{due.item.unit_id}:due").count() == 1


def test_bonus_is_credited_once_per_level_per_item(leader, published, scheme, department):
    _make(leader, published, level="省政府领导")
    _make(leader, published, level="省政府领导")
    assert unit_total(scheme, department) == Decimal("5")
    _make(leader, published, level="省政府办公厅")
    assert unit_total(scheme, department) == Decimal("8")
    _make(leader, published, level="市政府领导")  # no rule for this level in the scheme
    assert unit_total(scheme, department) == Decimal("8")
    assert LedgerEntry.objects.filter(scheme=scheme, source=Source.INSTRUCTION).count() == 2


def test_instruction_and_bonus_are_one_transaction(leader, published, scheme, department, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("通知失败")

    monkeypatch.setattr(ins, "_notify_handlers", broken)
    with pytest.raises(RuntimeError):
        _make(leader, published)
    assert not Instruction.objects.exists()
    assert unit_total(scheme, department) == Decimal("0")


def test_admin_lists_levels_and_instructions_read_only(client, leader, published):
    instruction = _make(leader, published)
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert "省政府领导" in client.get(reverse("admin:publications_instructionlevel_changelist")).content.decode()
    page = client.get(reverse("admin:publications_instruction_change", args=[instruction.pk])).content.decode()
    assert TEXT in page and 'name="_save"' not in page
