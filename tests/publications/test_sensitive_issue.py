"""A 敏感 item keeps its own rule inside an issue: a signed issue of a 敏感 publication goes
to its recipient units, but only those who may read the item (the office's editors, the
leaders named on it, its author and unit approver) get its text. Everyone else gets the
issue without it and a line saying an item was withheld — page, Word file and API alike."""

import io

import docx as python_docx
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from publications.models import Confidentiality, Publication, PublicationKind, Recipient, RecipientKind
from tests.factories import UserFactory
from units.models import Role

from .helpers import adopted, signed_issue

SECRET = "某工业园区企业欠薪引发聚集"
ORDINARY = "市发展改革委推进重大项目建设"
WITHHELD = "本期另有1条敏感信息"


@pytest.fixture
def restricted(city, province, department):
    """The city's 敏感 动态信息专报, 报 the province and 发 the department."""
    publication = Publication.objects.create(
        office=city, name="动态信息专报", kind=PublicationKind.DYNAMIC_REPORT,
        confidentiality=Confidentiality.SENSITIVE, points_full=10,
    )  # fmt: skip
    Recipient.objects.create(publication=publication, unit=province, kind=RecipientKind.BAO)
    Recipient.objects.create(publication=publication, unit=department, kind=RecipientKind.FA)
    return publication


@pytest.fixture
def issue(writer, unit_approver, editor, issue_approver, leader, restricted):
    secret = adopted(writer, unit_approver, editor, restricted, title=SECRET, confidentiality="sensitive",
                     named_readers=[leader])  # fmt: skip
    ordinary = adopted(writer, unit_approver, editor, restricted, title=ORDINARY)
    return signed_issue(editor, issue_approver, restricted, [secret, ordinary])


def _docx_text(content: bytes) -> str:
    document = python_docx.Document(io.BytesIO(content))
    return "\n".join(p.text for p in document.paragraphs)


def _outputs(client, user, issue) -> dict[str, str]:
    client.force_login(user)
    page = client.get(reverse("issue_detail", args=[issue.pk]))
    word = client.get(reverse("issue_docx", args=[issue.pk]))
    assert page.status_code == 200 and word.status_code == 200
    api = APIClient()
    api.force_authenticate(user)
    data = api.get(f"/api/v1/issues/{issue.pk}/")
    assert data.status_code == 200
    body = b"".join(word.streaming_content) if word.streaming else word.content
    return {"page": page.content.decode(), "word": _docx_text(body), "api": data.content.decode(), "json": data.json()}


@pytest.fixture
def recipients(province, department, city):
    return {
        "province leader": UserFactory(username="prov_leader", unit=province, roles=[Role.LEADER]),
        "province staff": UserFactory(username="prov_staff", unit=province, roles=[Role.STAFF]),
        "department colleague": UserFactory(username="dept_colleague", unit=department, roles=[Role.STAFF]),
        "city leader not named": UserFactory(username="city_leader2", unit=city, roles=[Role.LEADER]),
    }


def test_recipients_who_may_not_read_the_item_get_the_issue_without_it(client, issue, recipients, issue_approver):
    for who, person in [*recipients.items(), ("issue approver", issue_approver)]:
        out = _outputs(client, person, issue)
        for name in ("page", "word", "api"):
            assert SECRET not in out[name], f"{who} sees the 敏感 title in the {name}"
            assert ORDINARY in out[name], f"{who} lost the ordinary item in the {name}"
        assert WITHHELD in out["page"] and WITHHELD in out["word"], who
        assert out["json"]["withheld"] == 1 and len(out["json"]["adoptions"]) == 1


def test_readers_of_the_item_get_the_whole_issue(client, issue, editor, leader, writer, unit_approver):
    for person in (editor, leader, writer, unit_approver):
        out = _outputs(client, person, issue)
        for name in ("page", "word", "api"):
            assert SECRET in out[name], f"{person} misses the 敏感 item in the {name}"
            assert WITHHELD not in out[name]
        assert out["json"]["withheld"] == 0 and len(out["json"]["adoptions"]) == 2


def test_withheld_item_cannot_be_instructed_on_by_a_leader_who_may_not_read_it(client, issue, recipients):
    secret_item = issue.adoptions.get(title__startswith="sm4:").item
    client.force_login(recipients["province leader"])
    chooser = client.get(reverse("instruction_create") + f"?issue={issue.pk}")
    assert chooser.status_code == 200 and SECRET not in chooser.content.decode()
    form = client.get(reverse("instruction_create") + f"?issue={issue.pk}&item={secret_item.pk}")
    assert form.status_code == 404
