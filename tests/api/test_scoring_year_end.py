"""The year-end assessment over the API (issue 19): open the 公示, list and file appeals,
decide, finalise and unlock; each step with the caller who may not, bad input, and the
year lock on the API's own ledger write."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from publications.models import Publication, PublicationKind
from scoring.models import Appeal, AppealStatus, LedgerEntry, PublicationRule, Scheme, SchemeUnit, Source, Stage
from tests.factories import UnitFactory, UserFactory
from tests.publications.helpers import adopted
from tests.submissions.pdf_files import minimal_pdf
from units.models import Role


@pytest.fixture
def general(city):
    return Publication.objects.create(office=city, name="政务信息", kind=PublicationKind.GENERAL, points_full=5)


@pytest.fixture
def scheme(city, department, general):
    s = Scheme.objects.create(office=city, year=timezone.localdate().year, name="昆明市政务信息工作考核")
    SchemeUnit.objects.create(scheme=s, unit=department)
    PublicationRule.objects.create(scheme=s, publication=general, form="full", points=5)
    return s


@pytest.fixture
def other_approver(city, scheme):
    unit = UnitFactory(name="昆明市农业农村局", parent=city)
    SchemeUnit.objects.create(scheme=scheme, unit=unit)
    return UserFactory(username="approver2", unit=unit, roles=[Role.UNIT_APPROVER])


@pytest.fixture
def entry(writer, unit_approver, editor, general, scheme):
    adopted(writer, unit_approver, editor, general)
    return LedgerEntry.objects.get(scheme=scheme, source=Source.ADOPTION)


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert body["code"] == code and body["message"], body
    return body


def _open(scheme, user):
    return api_for(user).post(reverse("api-scheme-publicity", args=[scheme.pk]), {"days": 5}, format="json")


def _end_publicity(scheme):
    Scheme.objects.filter(pk=scheme.pk).update(publicity_ends_on=timezone.localdate() - dt.timedelta(days=1))


def test_issue_approver_opens_publicity_and_assessed_units_read_it(scheme, entry, issue_approver, writer, department):
    response = _open(scheme, issue_approver)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["stage"] == "publicity" and body["publicity_ends_on"] >= timezone.localdate().isoformat()
    [row] = body["snapshot"]["rows"]
    assert (row["unit_id"], row["points"], row["rank"]) == (department.pk, "5.0", 1)
    Scheme.objects.filter(pk=scheme.pk).update(public_to_assessed=False)
    read = api_for(writer).get(reverse("api-scheme-publicity", args=[scheme.pk]))
    assert read.status_code == 200 and read.json()["snapshot"]["rows"][0]["points"] == "5.0"
    assert_error(_open(scheme, issue_approver), 409, "conflict")  # already open


def test_publicity_refusals(scheme, editor, outsider, city_admin):
    assert_error(_open(scheme, editor), 404, "not_found")  # editors do not decide
    assert_error(_open(scheme, outsider), 404, "not_found")
    assert_error(api_for(outsider).get(reverse("api-scheme-publicity", args=[scheme.pk])), 404, "not_found")
    bad = api_for(city_admin).post(reverse("api-scheme-publicity", args=[scheme.pk]), {"days": 0}, format="json")
    assert assert_error(bad, 400, "invalid")["errors"]["days"]
    assert Scheme.objects.get(pk=scheme.pk).stage == Stage.RUNNING


def test_unit_approver_files_an_appeal_with_a_file_and_lists_only_its_own(
    scheme, entry, issue_approver, unit_approver, other_approver, editor
):
    _open(scheme, issue_approver)
    url = reverse("api-scheme-appeals", args=[scheme.pk])
    pdf = SimpleUploadedFile("证明.pdf", minimal_pdf(), content_type="application/pdf")
    response = api_for(unit_approver).post(url, {"entry": entry.pk, "reason": "应为信息专报", "files": [pdf]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["attachments"][0]["original_name"] == "证明.pdf"
    api_for(other_approver).post(url, {"reason": "漏计一条"}, format="json")
    assert [a["unit_id"] for a in api_for(unit_approver).get(url).json()["results"]] == [unit_approver.unit_id]
    assert len(api_for(editor).get(url).json()["results"]) == 2


def test_appeal_refusals(scheme, entry, issue_approver, unit_approver, writer, other_approver, outsider):
    url = reverse("api-scheme-appeals", args=[scheme.pk])
    assert_error(api_for(unit_approver).post(url, {"reason": "漏计"}, format="json"), 409, "conflict")  # not yet
    _open(scheme, issue_approver)
    for person in (writer, outsider):
        assert_error(api_for(person).post(url, {"reason": "漏计"}, format="json"), 404, "not_found")
    # Another unit's ledger row is not for this unit to appeal.
    other = api_for(other_approver).post(url, {"entry": entry.pk, "reason": "不对"}, format="json")
    assert "不在本单位" in assert_error(other, 400, "invalid")["message"]
    bad_file = SimpleUploadedFile("x.pdf", b"MZ not a pdf", content_type="application/pdf")
    assert_error(api_for(unit_approver).post(url, {"reason": "漏计", "files": [bad_file]}), 400, "invalid_upload")
    _end_publicity(scheme)
    late = api_for(unit_approver).post(url, {"reason": "漏计"}, format="json")
    assert "公示已于" in assert_error(late, 409, "conflict")["message"]
    assert not Appeal.objects.exists()


def test_decide_accept_writes_the_correction_and_refusals(
    scheme, entry, issue_approver, unit_approver, editor, outsider, department
):
    _open(scheme, issue_approver)
    appeal = (
        api_for(unit_approver)
        .post(
            reverse("api-scheme-appeals", args=[scheme.pk]),
            {"entry": entry.pk, "reason": "应为全文采用"},
            format="json",
        )
        .json()
    )
    url = reverse("api-appeal-decide", args=[appeal["id"]])
    data = {"accept": True, "decision": "属实", "points": "3"}
    for person in (editor, outsider, unit_approver):
        assert_error(api_for(person).post(url, data, format="json"), 404, "not_found")
    no_points = api_for(issue_approver).post(url, {"accept": True, "decision": "属实"}, format="json")
    assert "更正分值" in assert_error(no_points, 400, "invalid")["message"]
    response = api_for(issue_approver).post(url, data, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted" and response.json()["correction_points"] == "3.0"
    correction = LedgerEntry.objects.get(source=Source.APPEAL)
    assert correction.unit == department and correction.points == Decimal("3")
    assert_error(api_for(issue_approver).post(url, data, format="json"), 409, "conflict")
    assert api_for(unit_approver).get(reverse("api-appeal-detail", args=[appeal["id"]])).json()["decision"] == "属实"
    assert_error(api_for(outsider).get(reverse("api-appeal-detail", args=[appeal["id"]])), 404, "not_found")


def test_finalise_locks_the_year_for_the_api_and_unlock_needs_a_reason(
    scheme, entry, issue_approver, unit_approver, city_admin, department, editor
):
    _open(scheme, issue_approver)
    url = reverse("api-scheme-finalise", args=[scheme.pk])
    assert "公示结束后" in assert_error(api_for(issue_approver).post(url), 409, "conflict")["message"]
    _end_publicity(scheme)
    assert_error(api_for(editor).post(url), 404, "not_found")
    response = api_for(issue_approver).post(url)
    assert response.status_code == 200 and response.json()["stage"] == "final"
    assert response.json()["snapshot"]["kind"] == "final"
    adjust = reverse("api-scheme-adjust", args=[scheme.pk, department.pk])
    locked = api_for(city_admin).post(adjust, {"points": "1", "reason": "补记"}, format="json")
    assert "已定稿" in assert_error(locked, 409, "conflict")["message"]
    assert not LedgerEntry.objects.filter(source=Source.MANUAL).exists()
    unlock = reverse("api-scheme-unlock", args=[scheme.pk])
    assert_error(api_for(issue_approver).post(unlock, {"reason": "更正"}, format="json"), 404, "not_found")
    assert_error(api_for(city_admin).post(unlock, {"reason": ""}, format="json"), 400, "invalid")
    assert Scheme.objects.get(pk=scheme.pk).stage == Stage.FINAL
    response = api_for(city_admin).post(unlock, {"reason": "漏记一条"}, format="json")
    assert response.status_code == 200 and response.json()["stage"] == "reopened"
    assert api_for(city_admin).post(adjust, {"points": "1", "reason": "补记"}, format="json").status_code == 201


def test_pending_appeal_blocks_finalise(scheme, entry, issue_approver, unit_approver):
    _open(scheme, issue_approver)
    api_for(unit_approver).post(reverse("api-scheme-appeals", args=[scheme.pk]), {"reason": "漏计"}, format="json")
    _end_publicity(scheme)
    blocked = api_for(issue_approver).post(reverse("api-scheme-finalise", args=[scheme.pk]))
    assert "申诉未处理" in assert_error(blocked, 409, "conflict")["message"]
    assert Appeal.objects.get().status == AppealStatus.PENDING
