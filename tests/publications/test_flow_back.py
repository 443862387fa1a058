"""Results that flow back: the department whose item was forwarded and adopted or instructed
upstairs is told and sees the instruction on its own item; a penalised unit is told why."""

from django.urls import reverse
from django.utils import timezone

from publications import actions
from publications.instructions.actions import make_instruction
from publications.models import Publication, PublicationKind
from scoring import actions as scoring_actions
from scoring.models import PenaltyRule, Scheme, SchemeUnit
from submissions.actions import create_forwarded
from tests.factories import UserFactory
from units.models import Notification, Role

from .helpers import adopted


def _forwarded_and_adopted_upstairs(writer, unit_approver, editor, bulletin, province):
    prov_editor = UserFactory(username="prov_editor", unit=province, roles=[Role.EDITOR])
    special = Publication.objects.create(office=province, name="信息专报", kind=PublicationKind.SPECIAL_REPORT)
    original = adopted(writer, unit_approver, editor, bulletin).item
    copy = create_forwarded(original=original, user=editor)
    adoption = actions.adopt(item=copy, user=prov_editor, publication=special)
    return original, copy, adoption, prov_editor, special


def test_department_is_told_when_its_forwarded_item_is_adopted_upstairs(
    client, writer, unit_approver, editor, bulletin, province, dept_leader
):
    original, *_ = _forwarded_and_adopted_upstairs(writer, unit_approver, editor, bulletin, province)
    told = Notification.objects.filter(verb="adopted", title__startswith="转报信息被上级采用")
    assert set(told.values_list("recipient__username", flat=True)) == {
        writer.username, unit_approver.username, dept_leader.username
    }  # fmt: skip
    note = told.get(recipient=writer)
    assert "《信息专报》" in note.body and note.url == reverse("item_detail", args=[original.pk])


def test_instruction_upstairs_reaches_the_department_and_shows_on_its_item(
    client, writer, unit_approver, editor, bulletin, province, city
):
    original, copy, adoption, prov_editor, special = _forwarded_and_adopted_upstairs(
        writer, unit_approver, editor, bulletin, province
    )
    prov_signer = UserFactory(username="prov_signer", unit=province, roles=[Role.ISSUE_APPROVER])
    issue = actions.create_issue(publication=special, user=prov_editor)
    actions.add_to_issue(issue=issue, adoptions=[adoption], user=prov_editor)
    issue = actions.sign_off_issue(issue=issue, user=prov_signer)
    client.force_login(writer)
    assert 'id="upper-instruction-panel"' not in client.get(reverse("item_detail", args=[original.pk])).content.decode()

    today = timezone.localdate()
    make_instruction(
        item=copy, issue=issue, user=prov_editor, leader_name="王省长", level="省政府领导", text="请总结推广这一做法。",
        date=today, deadline=today, units=[city],
    )  # fmt: skip
    note = Notification.objects.get(recipient=writer, verb="instruction")
    assert "转报信息获上级批示" in note.title and "王省长" in note.body and "请总结推广这一做法。" in note.body
    assert note.url == reverse("item_detail", args=[original.pk])

    page = client.get(reverse("item_detail", args=[original.pk])).content.decode()
    panel = page.split('id="upper-instruction-panel"')[1].split("</ul>")[0]
    assert "王省长" in panel and "省政府领导" in panel and "请总结推广这一做法。" in panel


def test_penalised_unit_is_told_of_each_penalty_and_its_reason(writer, unit_approver, dept_leader, city, department):
    scheme = Scheme.objects.create(office=city, year=timezone.localdate().year, name="全市考核")
    SchemeUnit.objects.create(scheme=scheme, unit=department)
    PenaltyRule.objects.create(scheme=scheme, kind="emergency_late", points=5, vetoes_award=True)
    reason = "突发事件首报迟报：某地山体滑坡"
    scoring_actions.record_penalty(scheme=scheme, unit=department, kind="emergency_late", reason=reason,
                                   user=None, ref="emergency:9")  # fmt: skip
    scoring_actions.record_penalty(scheme=scheme, unit=department, kind="emergency_late", reason=reason,
                                   user=None, ref="emergency:9")  # the same fault again: no second notice  # fmt: skip
    told = Notification.objects.filter(verb="penalty")
    assert set(told.values_list("recipient__username", flat=True)) == {
        writer.username, unit_approver.username, dept_leader.username
    }  # fmt: skip
    note = told.get(recipient=writer)
    assert "扣5.0分" in note.title and reason in note.body and "一票否决" in note.body
    assert note.url == reverse("unit_ledger", args=[scheme.pk, department.pk])
