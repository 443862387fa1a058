"""The year's close is proposed by the office's editors and decided by its issue
approver or administrator (issue 19): a proposal is recorded and sent, moves nothing."""

from django.urls import reverse

from scoring.models import Stage, StageChange
from units.models import Notification


def _propose(client, scheme, act, note=""):
    return client.post(reverse("scheme_propose_closing", args=[scheme.pk]), {"act": act, "note": note})


def test_editor_proposes_opening_the_publicity_and_the_deciders_are_told(
    client, scheme, editor, issue_approver, city_admin
):
    client.force_login(editor)
    page = client.get(reverse("scheme_closing", args=[scheme.pk])).content.decode()
    assert "提议开始公示" in page and 'id="open-form"' not in page  # editors propose, not open
    response = _propose(client, scheme, "open_publicity", "数据已核对")
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.stage == Stage.RUNNING  # nothing moved: the decider opens it
    change = StageChange.objects.get(scheme=scheme)
    assert change.from_stage == change.to_stage == Stage.RUNNING and change.reason == "提议开始公示：数据已核对"
    told = set(Notification.objects.filter(verb="assessment_proposal").values_list("recipient", flat=True))
    assert told == {issue_approver.pk, city_admin.pk}
    assert "提议开始公示：数据已核对" in client.get(reverse("scheme_closing", args=[scheme.pk])).content.decode()

    client.force_login(issue_approver)  # the decider sees the proposal and the open form
    page = client.get(reverse("scheme_closing", args=[scheme.pk])).content.decode()
    assert "提议开始公示：数据已核对" in page and 'id="open-form"' in page and 'id="propose-form"' not in page


def test_a_proposal_the_stage_does_not_allow_is_refused(client, scheme, editor):
    client.force_login(editor)
    response = _propose(client, scheme, "finalise")
    assert response.status_code == 302
    assert "不能提议定稿" in client.get(response.url).content.decode()
    assert not StageChange.objects.exists() and not Notification.objects.filter(verb="assessment_proposal").exists()
    _propose(client, scheme, "unlock")  # not a proposable act
    assert not StageChange.objects.exists()


def test_only_the_offices_editors_propose(client, scheme, issue_approver, writer, outsider):
    for person in (issue_approver, writer, outsider):  # the decider decides; others see nothing to do
        client.force_login(person)
        assert _propose(client, scheme, "open_publicity").status_code == 404
    assert not StageChange.objects.exists()
