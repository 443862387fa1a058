"""The whole way of one item, through the API alone: written and submitted by the
department, signed off by its approver, adopted by the city as a brief, composed into an
issue and signed off, and counted on the city's scoreboard."""

from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from publications.models import Publication, PublicationKind, Recipient, RecipientKind, Schedule
from scoring.models import PublicationRule, Scheme, SchemeUnit
from submissions.categories import ensure_categories
from submissions.models import Category
from tests.factories import PASSWORD
from tests.otp import code_for, device_for
from units.twofactor.access import role_requires_two_factor

API = "/api/v1/"


@pytest.fixture
def general(city, department, province):
    """The city's 政务信息: a full item 5 points, a brief 3 (configured in the admin)."""
    publication = Publication.objects.create(
        office=city, name="政务信息", kind=PublicationKind.GENERAL, schedule=Schedule.REGULAR,
        allows_briefs=True, points_full=5, points_brief=3,
    )  # fmt: skip
    Recipient.objects.create(publication=publication, unit=province, kind=RecipientKind.BAO)
    Recipient.objects.create(publication=publication, unit=department, kind=RecipientKind.FA)
    return publication


@pytest.fixture
def city_scheme(city, department, general):
    scheme = Scheme.objects.create(office=city, year=timezone.localdate().year, name="昆明市政务信息工作考核")
    SchemeUnit.objects.create(scheme=scheme, unit=department)
    PublicationRule.objects.create(scheme=scheme, publication=general, form="full", points=5)
    PublicationRule.objects.create(scheme=scheme, publication=general, form="brief", points=3)
    return scheme


def login(user) -> APIClient:
    api = APIClient()
    credentials = {"username": user.username, "password": PASSWORD}
    if role_requires_two_factor(user):  # editors and signers type their authenticator's code
        credentials["otp_code"] = code_for(device_for(user))
    response = api.post(f"{API}auth/token/", credentials, format="json")
    assert response.status_code == 200, response.content
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    return api


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content.decode()
    return response.json()


def department_points(api, scheme_id: int, unit_id: int) -> Decimal:
    board = ok(api.get(f"{API}schemes/{scheme_id}/scoreboard/"))
    [row] = [r for r in board["rows"] if r["unit"]["id"] == unit_id]
    return Decimal(row["points"])


def test_an_item_goes_from_the_department_to_the_city_scoreboard_through_the_api(
    writer, unit_approver, editor, issue_approver, department, general, city_scheme
):
    ensure_categories(Category)
    category = Category.objects.get(code="measures")
    as_writer, as_approver, as_editor, as_signer = (login(u) for u in (writer, unit_approver, editor, issue_approver))

    # The city's editor finds the scheme and the department's points before.
    [scheme] = ok(as_editor.get(f"{API}schemes/"))["results"]
    assert scheme["id"] == city_scheme.pk and scheme["can_view_board"] is True
    before = department_points(as_editor, scheme["id"], department.pk)

    # The department writes and submits; its approver signs off.
    draft = {"title": "昆明市重大项目建设提速增效", "body": "1—10月，全市省级重大项目完成投资486.3亿元。",
             "category": category.pk, "form": "full", "confidentiality": "internal"}  # fmt: skip
    item = ok(as_writer.post(f"{API}items/", draft, format="json"), 201)
    item = ok(as_writer.post(f"{API}items/{item['id']}/submit/", {"version": item["version"]}, format="json"))
    assert item["state"] == "pending_signoff"
    item = ok(as_approver.post(f"{API}items/{item['id']}/sign-off/", {"version": item["version"]}, format="json"))
    assert item["state"] == "submitted"

    # The city's editor adopts it into 政务信息 as a brief, shortened.
    [publication] = [p for p in ok(as_editor.get(f"{API}publications/"))["results"] if p["name"] == "政务信息"]
    adoption = ok(
        as_editor.post(
            f"{API}items/{item['id']}/adopt/",
            {"publication": publication["id"], "form": "brief", "body": "全市省级重大项目完成投资486.3亿元。",
             "version": item["version"]},
            format="json",
        ),
        201,
    )  # fmt: skip
    assert adoption["form"] == "brief" and adoption["items"] == [item["id"]]
    pool = ok(as_editor.get(f"{API}publications/{publication['id']}/pool/"))
    assert [a["id"] for a in pool["results"]] == [adoption["id"]]

    # … composes an issue of it, which the city's issue approver signs off.
    issue = ok(
        as_editor.post(
            f"{API}issues/", {"publication": publication["id"], "adoptions": [adoption["id"]]}, format="json"
        ),
        201,
    )
    assert issue["state"] == "draft" and [a["id"] for a in issue["adoptions"]] == [adoption["id"]]
    issue = ok(as_signer.post(f"{API}issues/{issue['id']}/sign-off/", {}, format="json"))
    year = timezone.localdate().year
    assert issue["state"] == "signed" and issue["label"] == f"{year}年第1期（总第1期）"

    # The department reads the issue it is on the list of, and its item is published.
    assert issue["id"] in [i["id"] for i in ok(as_writer.get(f"{API}issues/"))["results"]]
    assert ok(as_writer.get(f"{API}items/{item['id']}/"))["state"] == "published"
    docx = as_writer.get(f"{API}issues/{issue['id']}/docx/")
    assert docx.status_code == 200 and b"".join(docx.streaming_content)[:2] == b"PK"

    # The brief's value is on the department's line of the city's scoreboard.
    assert department_points(as_editor, scheme["id"], department.pk) == before + 3
    ledger = ok(as_writer.get(f"{API}schemes/{scheme['id']}/units/{department.pk}/ledger/"))
    assert Decimal(ledger["total"]) == before + 3
    assert [(e["source"], e["points"]) for e in ledger["results"]] == [("adoption", "3.0")]
