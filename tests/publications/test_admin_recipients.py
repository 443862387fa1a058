"""An office's administrator keeps its publications' 报/送/发 lists in admin."""

import pytest
from django.urls import reverse

from publications.models import Recipient, RecipientKind
from tests.audit.helpers import admin_form
from tests.factories import UnitFactory


def _url(publication) -> str:
    return reverse("admin:publications_publication_change", args=[publication.pk])


def _form(client, publication) -> dict[str, list[str]]:
    response = client.get(_url(publication))
    assert response.status_code == 200
    return admin_form(response.content.decode(), "publication_form")


def _fill_new_row(data: dict, **fields) -> None:
    """The page offers one empty row; fill it, as a person would."""
    index = int(data["recipients-TOTAL_FORMS"][0]) - 1
    for name, value in fields.items():
        data[f"recipients-{index}-{name}"] = [str(value)]


def _recipients(publication) -> set[tuple[int, str]]:
    return set(Recipient.objects.filter(publication=publication).values_list("unit_id", "kind"))


@pytest.mark.parametrize("who", ["city_admin", "province_admin"])
def test_administrator_adds_a_recipient_to_a_publication_in_their_subtree(
    client, request, who, bulletin, province, department
):
    county = UnitFactory(name="盘龙区人民政府办公室", parent=bulletin.office)
    client.force_login(request.getfixturevalue(who))
    page = client.get(_url(bulletin)).content.decode()
    assert 'id="recipients-group"' in page and "分发范围" in page
    data = admin_form(page, "publication_form")
    before = _recipients(bulletin)
    _fill_new_row(data, unit=county.pk, kind=RecipientKind.FA)
    response = client.post(_url(bulletin), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _recipients(bulletin) == before | {(county.pk, RecipientKind.FA)}


def test_city_administrator_reports_to_the_province_and_changes_and_removes_rows(
    client, city_admin, bulletin, province, department
):
    Recipient.objects.filter(publication=bulletin).delete()
    client.force_login(city_admin)
    data = _form(client, bulletin)
    _fill_new_row(data, unit=province.pk, kind=RecipientKind.BAO)  # 报 goes up, outside the subtree
    assert client.post(_url(bulletin), data).status_code == 302
    assert _recipients(bulletin) == {(province.pk, RecipientKind.BAO)}

    Recipient.objects.create(publication=bulletin, unit=department, kind=RecipientKind.SONG)
    data = _form(client, bulletin)
    for key, value in list(data.items()):
        if key.startswith("recipients-") and key.endswith("-unit") and value == [str(department.pk)]:
            data[key.replace("-unit", "-kind")] = [RecipientKind.FA]
        if key.startswith("recipients-") and key.endswith("-unit") and value == [str(province.pk)]:
            data[key.replace("-unit", "-DELETE")] = ["on"]
    response = client.post(_url(bulletin), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _recipients(bulletin) == {(department.pk, RecipientKind.FA)}


def test_administrator_cannot_list_a_unit_outside_their_subtree(client, city_admin, bulletin, other_city):
    stranger = UnitFactory(name="曲靖市教育局", parent=other_city)
    client.force_login(city_admin)
    for unit in (other_city, stranger):
        data = _form(client, bulletin)
        _fill_new_row(data, unit=unit.pk, kind=RecipientKind.SONG)
        response = client.post(_url(bulletin), data)
        assert response.status_code == 200
        assert "选择一个有效的选项" in str(response.context["inline_admin_formsets"][0].formset.errors)
        assert not Recipient.objects.filter(unit=unit).exists()


def test_recipients_are_for_the_publications_own_administrators_only(
    client, city_admin, outsider, bulletin, department
):
    client.force_login(city_admin)
    assert 'id="recipients-group"' in client.get(_url(bulletin)).content.decode()
    client.force_login(outsider)
    assert client.get(_url(bulletin)).url == reverse("admin:index")
    data = {
        "recipients-TOTAL_FORMS": ["1"],
        "recipients-INITIAL_FORMS": ["0"],
        "recipients-0-unit": [str(department.pk)],
        "recipients-0-kind": [RecipientKind.SONG],
    }
    response = client.post(_url(bulletin), data)
    assert response.status_code == 302 and response.url == reverse("admin:index")
    assert not Recipient.objects.filter(publication=bulletin, kind=RecipientKind.SONG).exists()
