"""The year-end assessment through the pages (issue 19): the 公示 snapshot, appeals with
attachments, decisions, finalising, the year lock on every path that writes ledger rows,
and the recorded unlock."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from publications import actions as pub_actions
from publications.instructions import actions as instruction_actions
from publications.models import Publication, PublicationKind
from scoring import actions
from scoring.models import (
    Appeal,
    AppealStatus,
    BoardSnapshot,
    LedgerEntry,
    Scheme,
    SnapshotKind,
    Source,
    Stage,
    StageChange,
)
from submissions.models import Item
from submissions.signals import penalty_due
from tests.factories import UserFactory
from tests.publications.helpers import signed_issue
from tests.submissions.helpers import submitted
from tests.submissions.pdf_files import minimal_pdf
from units.models import Notification, Role


def _adopt(writer, approver, editor, publication, **kw):
    return pub_actions.adopt(item=submitted(writer, approver, **kw), user=editor, publication=publication)


def _pdf(name="证明.pdf"):
    return SimpleUploadedFile(name, minimal_pdf(), content_type="application/pdf")


def _end_publicity(scheme):
    Scheme.objects.filter(pk=scheme.pk).update(publicity_ends_on=timezone.localdate() - dt.timedelta(days=1))


@pytest.fixture
def unscored(city):
    """A publication of the office without a rule in the scheme: adoptions earn nothing."""
    return Publication.objects.create(office=city, name="内部参阅", kind=PublicationKind.SPECIAL_REPORT, points_full=0)


@pytest.fixture
def other_approver(second_department):
    return UserFactory(username="approver2", unit=second_department, roles=[Role.UNIT_APPROVER])


@pytest.fixture
def publicity(scheme, issue_approver, writer, unit_approver, editor, pubs, second_department):
    _adopt(writer, unit_approver, editor, pubs["special"])
    actions.open_publicity(scheme=scheme, user=issue_approver)
    scheme.refresh_from_db()
    return scheme


def test_decider_opens_publicity_with_a_snapshot_every_assessed_unit_sees(
    client, scheme, issue_approver, writer, unit_approver, editor, pubs, second_department, department
):
    _adopt(writer, unit_approver, editor, pubs["special"])
    scheme.public_to_assessed = False  # the running board is private; the 公示 is not
    scheme.save()
    client.force_login(issue_approver)
    response = client.post(reverse("scheme_open_publicity", args=[scheme.pk]), {"days": "5"})
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.stage == Stage.PUBLICITY
    assert scheme.publicity_ends_on == actions.working_days_from(timezone.localdate(), 5)
    snapshot = BoardSnapshot.objects.get(scheme=scheme, kind=SnapshotKind.PUBLICITY)
    assert [(r["unit_id"], r["points"], r["rank"]) for r in snapshot.rows] == [
        (department.pk, "10.0", 1), (second_department.pk, "0", 2)
    ]  # fmt: skip
    assert Notification.objects.filter(recipient=writer, verb="assessment_publicity").exists()
    # Later points do not change what was published.
    _adopt(writer, unit_approver, editor, pubs["special"], title="另一条信息")
    client.force_login(writer)
    page = client.get(reverse("scheme_closing", args=[scheme.pk])).content.decode()
    assert "公示至" in page and "50.0%" in page and "100.0%" not in page
    assert second_department.display_name in page  # the whole board, not only its own row


def test_editor_and_outsider_cannot_open_publicity(client, scheme, editor, outsider, other_writer):
    for person in (editor, outsider, other_writer):
        client.force_login(person)
        assert client.post(reverse("scheme_open_publicity", args=[scheme.pk]), {"days": "5"}).status_code == 404
    client.force_login(outsider)
    assert client.get(reverse("scheme_closing", args=[scheme.pk])).status_code == 404
    scheme.refresh_from_db()
    assert scheme.stage == Stage.RUNNING and not BoardSnapshot.objects.exists()


def test_bad_publicity_length_is_refused_and_kept(client, scheme, city_admin):
    client.force_login(city_admin)
    response = client.post(reverse("scheme_open_publicity", args=[scheme.pk]), {"days": "99"})
    page = response.content.decode()
    assert response.status_code == 400 and "公示期应为 1 至 30 个工作日" in page and 'value="99"' in page
    assert Scheme.objects.get(pk=scheme.pk).stage == Stage.RUNNING


def test_unit_approver_appeals_a_missing_adoption_with_a_file(
    client, publicity, unit_approver, writer, editor, issue_approver, unscored, other_approver, outsider
):
    adoption = _adopt(writer, unit_approver, editor, unscored, title="未计分的信息")
    client.force_login(unit_approver)
    page = client.get(reverse("scheme_closing", args=[publicity.pk])).content.decode()
    assert f"adoption:{adoption.pk}" in page  # offered as an adoption that earned nothing
    response = client.post(
        reverse("scheme_file_appeal", args=[publicity.pk]),
        {"subject": f"adoption:{adoption.pk}", "reason": "该条被《内部参阅》采用，应计分。", "files": [_pdf()]},
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.adoption == adoption and appeal.unit == unit_approver.unit and appeal.status == AppealStatus.PENDING
    assert appeal.decide_by > timezone.localdate()
    assert Notification.objects.filter(recipient=editor, verb="assessment_appeal").exists()
    attachment = appeal.attachments.get()
    url = reverse("appeal_attachment", args=[attachment.pk])
    client.force_login(issue_approver)
    assert client.get(url).status_code == 200
    for person in (other_approver, outsider):  # another assessed unit, another city
        client.force_login(person)
        assert client.get(url).status_code == 404


def test_appeal_refusals(client, publicity, scheme, unit_approver, writer, other_approver, department, outsider):
    entry = LedgerEntry.objects.filter(scheme=scheme, unit=department).first()
    url = reverse("scheme_file_appeal", args=[publicity.pk])
    data = {"subject": f"entry:{entry.pk}", "reason": "分值有误"}
    for person in (writer, outsider):  # staff are not the unit's approver; outsiders not assessed
        client.force_login(person)
        assert client.post(url, data).status_code == 404
    client.force_login(other_approver)  # another unit's entry is not offered, nor accepted
    response = client.post(url, data)
    assert response.status_code == 400 and "请选择本单位的台账记录或采用" in response.content.decode()
    client.force_login(unit_approver)
    response = client.post(url, {**data, "files": [SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 20)]})
    page = response.content.decode()
    assert response.status_code == 400 and "附件未上传" in page and "分值有误" in page
    response = client.post(url, {**data, "reason": "  "})
    assert response.status_code == 400 and "请填写申诉理由" in response.content.decode()
    assert not Appeal.objects.exists()
    _end_publicity(publicity)
    response = client.post(url, data)
    assert response.status_code == 400 and "公示已于" in response.content.decode()
    assert not Appeal.objects.exists()


def test_appeal_before_publicity_is_refused(client, scheme, unit_approver, department):
    response = client.post(reverse("scheme_file_appeal", args=[scheme.pk]), {"subject": "other", "reason": "漏计"})
    assert response.status_code == 302  # not signed in
    client.force_login(unit_approver)
    response = client.post(reverse("scheme_file_appeal", args=[scheme.pk]), {"subject": "other", "reason": "漏计"})
    assert response.status_code == 400 and "不在公示期" in response.content.decode()


def test_office_accepts_an_appeal_with_a_correcting_entry_and_the_unit_is_told(
    client, publicity, unit_approver, writer, editor, issue_approver, unscored, department
):
    adoption = _adopt(writer, unit_approver, editor, unscored, title="未计分的信息")
    appeal = actions.file_appeal(scheme=publicity, user=unit_approver, reason="应计分", adoption_id=adoption.pk)
    url = reverse("appeal_decide", args=[appeal.pk])
    client.force_login(editor)  # editors see the queue; the issue approver decides
    assert "应计分" in client.get(reverse("scheme_closing", args=[publicity.pk])).content.decode()
    assert client.post(url, {f"a{appeal.pk}-outcome": "accept", f"a{appeal.pk}-points": "5"}).status_code == 404
    client.force_login(issue_approver)
    response = client.post(url, {f"a{appeal.pk}-outcome": "accept", f"a{appeal.pk}-decision": "属实"})
    assert response.status_code == 400 and "采纳申诉须填写更正分值" in response.content.decode()
    response = client.post(
        url, {f"a{appeal.pk}-outcome": "accept", f"a{appeal.pk}-points": "5", f"a{appeal.pk}-decision": "属实，补记"}
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    correction = appeal.correction
    assert appeal.status == AppealStatus.ACCEPTED and appeal.decided_by == issue_approver
    assert (correction.source, correction.points, correction.unit) == (Source.APPEAL, D("5"), department)
    assert correction.source_ref == f"appeal:{appeal.pk}" and f"申诉第{appeal.pk}号" in correction.reason
    assert Notification.objects.filter(recipient=unit_approver, verb="assessment_appeal_decided").exists()
    response = client.post(
        url, {f"a{appeal.pk}-outcome": "refuse", f"a{appeal.pk}-decision": "再议"}
    )  # a second decision is refused, nothing changes
    assert response.status_code == 400 and "不能重复处理" in response.content.decode()
    assert LedgerEntry.objects.filter(source=Source.APPEAL).count() == 1
    # How the dispute was settled is in the audit record: the filing and the decision.
    from audit.models import AuditEntry

    recorded = AuditEntry.objects.filter(model="scoring.appeal", object_id=str(appeal.pk))
    assert recorded.filter(action="create").exists() and recorded.filter(action="update").exists()


def test_office_refuses_an_appeal_with_a_reason(client, publicity, unit_approver, city_admin, department):
    appeal = actions.file_appeal(scheme=publicity, user=unit_approver, reason="漏计一条")
    client.force_login(city_admin)
    url = reverse("appeal_decide", args=[appeal.pk])
    response = client.post(url, {f"a{appeal.pk}-outcome": "refuse", f"a{appeal.pk}-decision": ""})
    assert response.status_code == 400 and "请填写处理意见" in response.content.decode()
    client.post(url, {f"a{appeal.pk}-outcome": "refuse", f"a{appeal.pk}-decision": "经核查未被采用"})
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REFUSED and appeal.correction is None
    assert Notification.objects.filter(recipient=unit_approver, title__contains="不予采纳").exists()


def test_finalise_waits_for_the_end_of_publicity_and_every_appeal(client, publicity, unit_approver, issue_approver):
    client.force_login(issue_approver)
    url = reverse("scheme_finalise", args=[publicity.pk])
    response = client.post(url)
    assert response.status_code == 400 and "公示结束后才能定稿" in response.content.decode()
    appeal = actions.file_appeal(scheme=publicity, user=unit_approver, reason="漏计一条")
    _end_publicity(publicity)
    response = client.post(url)
    assert response.status_code == 400 and "还有 1 件申诉未处理" in response.content.decode()
    actions.decide_appeal(appeal=appeal, user=issue_approver, accept=False, decision="不属实")
    assert client.post(url).status_code == 302
    assert Scheme.objects.get(pk=publicity.pk).stage == Stage.FINAL


@pytest.fixture
def final(publicity, issue_approver):
    _end_publicity(publicity)
    actions.finalise(scheme=publicity, user=issue_approver)
    publicity.refresh_from_db()
    return publicity


def test_final_board_is_stored_and_kept(final, department, city_admin):
    snapshot = BoardSnapshot.objects.get(scheme=final, kind=SnapshotKind.FINAL)
    row = next(r for r in snapshot.rows if r["unit_id"] == department.pk)
    assert row["points"] == "10.0" and row["completion"] == "50.0" and row["rank"] == 1
    # A changed rule does not change the stored board.
    final.publication_rules.update(points=99)
    assert BoardSnapshot.objects.get(pk=snapshot.pk).rows == snapshot.rows


def test_locked_year_refuses_manual_adjustment_on_the_page(client, final, city_admin, department):
    client.force_login(city_admin)
    page = client.post(reverse("unit_ledger", args=[final.pk, department.pk]), {"points": "2", "reason": "补记"})
    text = page.content.decode()
    assert "已定稿" in text and 'value="补记"' in text
    assert not LedgerEntry.objects.filter(source=Source.MANUAL).exists()


def test_locked_year_refuses_adoption_and_its_withdrawal(final, writer, unit_approver, editor, pubs):
    from publications.models import Adoption

    item = submitted(writer, unit_approver, title="定稿后的采用")
    with pytest.raises(actions.YearLocked, match="已定稿"):
        pub_actions.adopt(item=item, user=editor, publication=pubs["special"])
    # The whole act was undone, not only its points.
    assert not Adoption.objects.filter(sources=item).exists()
    assert Item.objects.get(pk=item.pk).state == "submitted"


def test_locked_year_refuses_a_late_instruction(
    final, writer, unit_approver, editor, issue_approver, leader, pubs, department
):
    Scheme.objects.filter(pk=final.pk).update(stage=Stage.PUBLICITY)  # sign the issue while open
    adoption = _adopt(writer, unit_approver, editor, pubs["general"], title="待批示的信息")
    issue = signed_issue(editor, issue_approver, pubs["general"], [adoption])
    Scheme.objects.filter(pk=final.pk).update(stage=Stage.FINAL)
    before = LedgerEntry.objects.count()
    with pytest.raises(actions.YearLocked):
        instruction_actions.make_instruction(
            item=adoption.item, issue=issue, user=leader, leader_name="某领导", level="省政府领导", text="请总结推广",
            date=timezone.localdate(), deadline=timezone.localdate() + dt.timedelta(days=5), units=[department],
        )  # fmt: skip
    assert LedgerEntry.objects.count() == before
    assert not adoption.item.instructions.exists()


def test_scheduled_penalty_skips_a_locked_year(final, city, department, writer, unit_approver):
    item = submitted(writer, unit_approver, title="迟报的信息")
    before = LedgerEntry.objects.count()
    penalty_due.send(sender=Item, office=city, unit=department, kind="late", reason="迟报", ref="late:x", item=item)
    assert LedgerEntry.objects.count() == before  # refused, and the sender's work is not undone


def test_database_refuses_a_row_for_a_locked_year_whatever_code_tries(final, department):
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.create(
            scheme=final, unit=department, date=timezone.localdate(), source=Source.MANUAL, points=1, reason="绕过"
        )


def test_unlock_needs_the_administrator_and_a_reason(client, final, city_admin, issue_approver, department):
    url = reverse("scheme_unlock", args=[final.pk])
    client.force_login(issue_approver)
    assert client.post(url, {"reason": "更正"}).status_code == 404
    client.force_login(city_admin)
    response = client.post(url, {"reason": " "})
    assert response.status_code == 400 and "解锁必须填写理由" in response.content.decode()
    assert Scheme.objects.get(pk=final.pk).stage == Stage.FINAL
    assert client.post(url, {"reason": "市发展改革委一条采用漏记"}).status_code == 302
    scheme = Scheme.objects.get(pk=final.pk)
    assert scheme.stage == Stage.REOPENED
    change = StageChange.objects.filter(scheme=scheme).last()
    assert change.by == city_admin and "漏记" in change.reason
    actions.adjust(scheme=scheme, unit=department, points=D("2"), reason="补记", user=city_admin)
    actions.finalise(scheme=scheme, user=city_admin)
    boards = BoardSnapshot.objects.filter(scheme=scheme, kind=SnapshotKind.FINAL)
    assert boards.count() == 2 and actions.latest_snapshot(scheme, SnapshotKind.FINAL).rows[0]["points"] == "12.0"


def test_locked_year_refuses_recompute_with_the_message(client, final, city_admin):
    final.publication_rules.update(points=99)
    before = LedgerEntry.objects.count()
    client.force_login(city_admin)
    response = client.post(reverse("scheme_recompute", args=[final.pk]), follow=True)
    assert "已定稿" in response.content.decode()
    assert LedgerEntry.objects.count() == before
