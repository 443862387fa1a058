import pytest

from publications.models import Publication, PublicationKind, Recipient, RecipientKind, Schedule
from tests.factories import UserFactory
from units.models import Role


@pytest.fixture
def bulletin(city, department, province):
    """The city's 政务信息: full 5, brief 3; 报 the province, 发 the department."""
    publication = Publication.objects.create(
        office=city, name="政务信息", kind=PublicationKind.GENERAL, schedule=Schedule.REGULAR,
        allows_briefs=True, points_full=5, points_brief=3, total_start=344,
    )  # fmt: skip
    Recipient.objects.create(publication=publication, unit=province, kind=RecipientKind.BAO)
    Recipient.objects.create(publication=publication, unit=department, kind=RecipientKind.FA)
    return publication


@pytest.fixture
def daily(city):
    return Publication.objects.create(
        office=city, name="每日要情", kind=PublicationKind.DAILY, schedule=Schedule.WORKING_DAY, points_full=5
    )


@pytest.fixture
def dept_leader(department):
    return UserFactory(username="dept_leader", unit=department, roles=[Role.LEADER])


@pytest.fixture
def stranger_leader(other_city):
    return UserFactory(username="stranger_leader", unit=other_city, roles=[Role.LEADER])
