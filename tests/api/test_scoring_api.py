"""The scoring part of the API: schemes, the scoreboard, a unit's ledger and manual
adjustments; for each the happy path, a refused outsider and bad input."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from publications.models import Publication, PublicationKind
from scoring.models import LedgerEntry, PublicationRule, QuotaRule, Scheme, SchemeUnit, Source
from tests.factories import UnitFactory
from tests.publications.helpers import adopted
from units.models import AssessmentClass


@pytest.fixture
def dept_class(db):
    return AssessmentClass.objects.create(code="dept", name="部门")


@pytest.fixture
def general(city):
    return Publication.objects.create(
        office=city, name="政务信息", kind=PublicationKind.GENERAL, allows_briefs=True, points_full=5, points_brief=3
    )


@pytest.fixture
def scheme(city, department, general, dept_class):
    department.assessment_class = dept_class
    department.save()
    s = Scheme.objects.create(office=city, year=timezone.localdate().year, name="昆明市政务信息工作考核")
    SchemeUnit.objects.create(scheme=s, unit=department)
    QuotaRule.objects.create(scheme=s, assessment_class=dept_class, quota=Decimal("20"))
    PublicationRule.objects.create(scheme=s, publication=general, form="full", points=5)
    PublicationRule.objects.create(scheme=s, publication=general, form="brief", points=3)
    return s


@pytest.fixture
def second_department(city, scheme, dept_class):
    unit = UnitFactory(name="昆明市农业农村局", parent=city, assessment_class=dept_class)
    SchemeUnit.objects.create(scheme=scheme, unit=unit)
    return unit


@pytest.fixture
def adoption(writer, unit_approver, editor, general, scheme):
    return adopted(writer, unit_approver, editor, general)


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert body["code"] == code and body["message"], body
    return body


# --- schemes/ ---------------------------------------------------------------------------------------


def test_office_and_assessed_units_see_the_scheme(editor, writer, city_admin, scheme):
    for user in (editor, writer):
        [listed] = api_for(user).get(reverse("api-scheme-list")).json()["results"]
        assert listed["id"] == scheme.pk and listed["can_view_board"] is True and listed["can_manage"] is False
    detail = api_for(city_admin).get(reverse("api-scheme-detail", args=[scheme.pk])).json()
    assert detail["can_manage"] is True and detail["office"]["display_name"] == "昆明市"


def test_schemes_of_other_offices_are_hidden_and_bad_pages_refused(outsider, editor, scheme):
    assert api_for(outsider).get(reverse("api-scheme-list")).json()["results"] == []
    assert_error(api_for(editor).get(reverse("api-scheme-list"), {"page": "abc"}), 404, "not_found")
    assert_error(api_for(outsider).get(reverse("api-scheme-detail", args=[scheme.pk])), 404, "not_found")
    assert_error(api_for(outsider).get(reverse("api-scheme-detail", args=["abc"])), 404, "not_found")


# --- schemes/{id}/scoreboard/ -------------------------------------------------------------------------


def test_scoreboard_ranks_units_with_quota_completion_and_publications(
    editor, department, second_department, general, adoption, scheme
):
    board = api_for(editor).get(reverse("api-scheme-scoreboard", args=[scheme.pk])).json()
    assert board["scheme"]["id"] == scheme.pk and board["publications"] == [{"id": general.pk, "name": "政务信息"}]
    first, second = board["rows"]
    assert (first["unit"]["id"], first["rank"], first["points"], first["quota"], first["completion"]) == (
        department.pk, 1, "5.0", "20.0", "25.0"
    )  # fmt: skip
    assert first["per_publication"] == [{"publication": general.pk, "count": 1}] and first["adoptions"] == 1
    assert first["unit"]["assessment_class"] == "部门" and first["monthly"][timezone.localdate().month - 1] == "5.0"
    assert (second["unit"]["id"], second["rank"], second["points"]) == (second_department.pk, 2, "0.0")
    assert [u["id"] for u in board["zero_adoptions"]] == [second_department.pk]
    assert [u["id"] for u in board["zero_submissions"]] == [second_department.pk]
    grouped = api_for(editor).get(reverse("api-scheme-scoreboard", args=[scheme.pk]), {"group": "class"}).json()
    assert [r["class_rank"] for r in grouped["rows"]] == [1, 2]


def test_scoreboard_refuses_outsiders_private_boards_and_bad_filters(editor, writer, outsider, scheme):
    url = reverse("api-scheme-scoreboard", args=[scheme.pk])
    assert_error(api_for(outsider).get(url), 404, "not_found")
    assert_error(api_for(editor).get(url, {"group": "everything"}), 400, "invalid")
    Scheme.objects.filter(pk=scheme.pk).update(public_to_assessed=False)
    assert_error(api_for(writer).get(url), 404, "not_found")


def test_scoreboard_queries_stay_flat(editor, scheme, city, dept_class, django_assert_max_num_queries):
    for n in range(10):
        SchemeUnit.objects.create(scheme=scheme, unit=UnitFactory(name=f"单位{n}", parent=city))
    with django_assert_max_num_queries(14):
        assert len(api_for(editor).get(reverse("api-scheme-scoreboard", args=[scheme.pk])).json()["rows"]) == 11


# --- schemes/{id}/units/{unit}/ledger/ -----------------------------------------------------------------


def test_unit_reads_its_ledger_with_the_total(writer, department, adoption, scheme):
    body = api_for(writer).get(reverse("api-scheme-ledger", args=[scheme.pk, department.pk])).json()
    assert (body["count"], body["total"]) == (1, "5.0")
    [entry] = body["results"]
    assert (entry["source"], entry["points"], entry["publication"], entry["item"]) == (
        "adoption", "5.0", "政务信息", adoption.item_id
    )  # fmt: skip


def test_ledger_refuses_outsiders_other_units_and_bad_ids(outsider, editor, city, department, scheme):
    assert_error(api_for(outsider).get(reverse("api-scheme-ledger", args=[scheme.pk, department.pk])), 404, "not_found")
    # The city itself is not assessed by its own scheme; a unit id must be a number.
    assert_error(api_for(editor).get(reverse("api-scheme-ledger", args=[scheme.pk, city.pk])), 404, "not_found")
    assert_error(api_for(editor).get(reverse("api-scheme-ledger", args=[scheme.pk, "abc"])), 404, "not_found")
    assert_error(api_for(editor).get(reverse("api-scheme-ledger", args=[scheme.pk, 10**30])), 404, "not_found")


def test_ledger_queries_stay_flat(writer, unit_approver, editor, general, department, scheme,
                                  django_assert_max_num_queries):  # fmt: skip
    for n in range(6):
        adopted(writer, unit_approver, editor, general, title=f"第{n}条信息")
    with django_assert_max_num_queries(6):
        body = api_for(writer).get(reverse("api-scheme-ledger", args=[scheme.pk, department.pk])).json()
    assert (body["count"], body["total"]) == (6, "30.0")


# --- schemes/{id}/units/{unit}/adjust/ -----------------------------------------------------------------


def test_administrator_adjusts_with_a_reason(city_admin, writer, department, scheme):
    url = reverse("api-scheme-adjust", args=[scheme.pk, department.pk])
    response = api_for(city_admin).post(url, {"points": "-2.5", "reason": "数据核减"}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["source"], response.json()["points"]) == ("manual", "-2.5")
    ledger = api_for(writer).get(reverse("api-scheme-ledger", args=[scheme.pk, department.pk])).json()
    assert ledger["total"] == "-2.5"


def test_adjust_refuses_outsiders_non_administrators_and_bad_input(city_admin, editor, outsider, department, scheme):
    url = reverse("api-scheme-adjust", args=[scheme.pk, department.pk])
    good = {"points": "2", "reason": "补录"}
    assert_error(api_for(outsider).post(url, good, format="json"), 404, "not_found")
    assert_error(api_for(editor).post(url, good, format="json"), 404, "not_found")
    assert_error(api_for(city_admin).post(url, {"points": "2"}, format="json"), 400, "invalid")
    assert_error(api_for(city_admin).post(url, {**good, "points": "1000"}, format="json"), 400, "invalid")
    assert_error(api_for(city_admin).post(url, {**good, "points": "0.05"}, format="json"), 400, "invalid")
    zero = assert_error(api_for(city_admin).post(url, {**good, "points": "0"}, format="json"), 400, "invalid")
    assert "不能为 0" in zero["message"]  # the action's own check
    assert not LedgerEntry.objects.filter(source=Source.MANUAL).exists()
