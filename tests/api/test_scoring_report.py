"""The year-end 通报 over the API (issue 19): .docx and .xlsx of a final year, for those
who read the final board; 404 before it is final and for outsiders; in the schema."""

import datetime as dt
import io

import docx
import openpyxl
import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from publications.models import Publication, PublicationKind
from scoring import actions
from scoring.models import PublicationRule, Scheme, SchemeUnit
from tests.publications.helpers import adopted


@pytest.fixture
def scheme(city, department):
    general = Publication.objects.create(office=city, name="政务信息", kind=PublicationKind.GENERAL, points_full=5)
    s = Scheme.objects.create(office=city, year=timezone.localdate().year, name="昆明市政务信息工作考核")
    SchemeUnit.objects.create(scheme=s, unit=department)
    PublicationRule.objects.create(scheme=s, publication=general, form="full", points=5)
    s.general = general
    return s


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _finalise(scheme, user):
    actions.open_publicity(scheme=scheme, user=user)
    Scheme.objects.filter(pk=scheme.pk).update(publicity_ends_on=timezone.localdate() - dt.timedelta(days=1))
    actions.finalise(scheme=scheme, user=user)


def test_report_downloads_as_word_and_excel_once_final(
    scheme, writer, unit_approver, editor, issue_approver, department
):
    adopted(writer, unit_approver, editor, scheme.general)
    docx_url = reverse("api-scheme-report-docx", args=[scheme.pk])
    assert api_for(writer).get(docx_url).status_code == 404  # not final yet
    _finalise(scheme, issue_approver)
    response = api_for(writer).get(docx_url)
    assert response.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(b"".join(response.streaming_content))).paragraphs)
    assert "政务信息工作考核情况的通报" in text and "附件" in text
    response = api_for(issue_approver).get(reverse("api-scheme-report-xlsx", args=[scheme.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["B2"].value == department.name and sheet["E2"].value == "5.0"


def test_outsider_cannot_download_the_report(scheme, issue_approver, outsider):
    _finalise(scheme, issue_approver)
    for name in ("api-scheme-report-docx", "api-scheme-report-xlsx"):
        assert api_for(outsider).get(reverse(name, args=[scheme.pk])).status_code == 404


def test_report_downloads_are_in_the_schema(tmp_path):
    call_command("spectacular", "--file", str(tmp_path / "schema.yaml"))
    paths = yaml.safe_load((tmp_path / "schema.yaml").read_text())["paths"]
    assert "/api/v1/schemes/{id}/report.docx/" in paths and "/api/v1/schemes/{id}/report.xlsx/" in paths
