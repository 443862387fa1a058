"""More places that list units follow the official order (排序号 at each level, then the
tree), not the text order of paths ("/1/10/" before "/1/2/"), 排序号 of the unit alone or
the name: the desk's unit filter, the move page's unit picker, the directory export, the
API's units and people, the read receipts, the statistics bulletin, the instruction
handlers, the emergency late counts and the publication admin's recipient picker.

`ordered` (tests/units/conftest.py) is made so that each of those older orders differs
from the official one."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from publications.instructions.queries import handler_units
from publications.models import Issue, Publication, PublicationKind, Recipient, RecipientKind
from publications.queries import read_receipts
from scoring.models import Scheme, SchemeUnit
from scoring.statistics import month, statistics_text
from submissions.emergencies.queries import late_counts
from submissions.models import EmergencyCase, EmergencyGrade
from tests.factories import UserFactory
from units.models import Role

from .test_official_order import names_in_order


def test_desk_unit_filter_lists_the_offices_units_in_official_order(client, editor, city, ordered):
    children = [u for u in ordered if u.parent_id == city.pk]
    client.force_login(editor)
    response = client.get(reverse("desk"))
    assert response.status_code == 200
    assert list(response.context["filter_form"].fields["unit"].queryset) == children
    assert names_in_order(response.content.decode(), children) == [u.name for u in children]


def test_move_page_offers_units_in_official_order(client, city_admin, writer, ordered):
    client.force_login(city_admin)
    response = client.get(reverse("person_move", args=[writer.pk]))
    assert response.status_code == 200
    offered = list(response.context["form"].fields["unit"].queryset)
    assert [u for u in offered if u in ordered] == [u for u in ordered if u != writer.unit]


def test_directory_export_lists_units_and_their_people_in_official_order(client, city_admin, city, ordered):
    for unit in reversed(ordered):
        UserFactory(username=f"p{unit.pk}", unit=unit)
    client.force_login(city_admin)
    response = client.get(reverse("directory_export"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    units = [row[1] for row in book["单位"].iter_rows(min_row=2, values_only=True)]
    assert units == [city.name, *(u.name for u in ordered)]
    people = [row[0] for row in book["人员"].iter_rows(min_row=2, values_only=True)]
    assert [p for p in people if p.startswith("p")] == [f"p{u.pk}" for u in ordered]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_lists_units_in_official_order(city_admin, city, ordered):
    rows = api(city_admin).get("/api/v1/units/", {"page_size": 100}).json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    ids = [r["id"] for r in rows]
    assert [i for i in ids if i in {u.pk for u in ordered}] == [u.pk for u in ordered]
    assert ids.index(city.pk) < ids.index(ordered[0].pk)


def test_api_lists_people_by_their_units_official_order(city_admin, ordered):
    for unit in reversed(ordered):
        UserFactory(username=f"p{unit.pk}", unit=unit)
    rows = api(city_admin).get("/api/v1/people/", {"page_size": 100}).json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    names = [r["username"] for r in rows if r["username"].startswith("p")]
    assert names == [f"p{u.pk}" for u in ordered]


def test_read_receipts_list_leaders_by_their_units_official_order(editor, city, ordered):
    publication = Publication.objects.create(office=city, name="政务信息", kind=PublicationKind.GENERAL)
    for unit in reversed(ordered):
        Recipient.objects.create(publication=publication, unit=unit, kind=RecipientKind.FA)
        UserFactory(username=f"leader{unit.pk}", unit=unit, roles=[Role.LEADER])
    issue = Issue.objects.create(publication=publication)
    leaders = [u for u in read_receipts(issue)["leaders"] if u.unit_id != city.pk]
    assert [u.unit for u in leaders] == ordered


def test_statistics_bulletin_lists_units_at_equal_rank_in_official_order(city, ordered):
    year = timezone.localdate().year
    scheme = Scheme.objects.create(office=city, year=year, name="考核")
    for unit in reversed(ordered):
        SchemeUnit.objects.create(scheme=scheme, unit=unit)
    _, body = statistics_text(scheme, month(year, 1))
    assert names_in_order(body, ordered) == [u.name for u in ordered]


def test_instruction_handlers_are_in_official_order(city, ordered, writer):
    from submissions.models import Item

    item = Item(unit=writer.unit, office=city)
    assert [u for u in handler_units(city, item) if u in ordered] == ordered


def test_emergency_late_counts_at_equal_counts_follow_official_order(city, ordered):
    at = timezone.make_aware(dt.datetime(timezone.localdate().year, 1, 5, 9))
    for unit in reversed(ordered):
        EmergencyCase.objects.create(
            unit=unit, office=city, grade=EmergencyGrade.values[0], occurred_at=at, written_deadline=at
        )
    rows = late_counts(EmergencyCase.objects.all(), at.year)
    assert [r.unit_name for r in rows] == [u.short_name or u.name for u in ordered]


@pytest.mark.django_db
def test_publication_admin_recipient_picker_is_in_official_order(client, city_admin, city, ordered):
    client.force_login(city_admin)
    response = client.get(reverse("admin:publications_publication_add"))
    assert response.status_code == 200
    body = response.content.decode()
    assert names_in_order(body, ordered) == [u.name for u in ordered]
