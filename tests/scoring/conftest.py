from decimal import Decimal

import pytest
from django.utils import timezone

from publications.models import Publication, PublicationKind
from scoring.models import (
    AwardTier,
    HigherAdoptionRule,
    InstructionRule,
    PenaltyRule,
    PublicationRule,
    QuotaRule,
    Scheme,
    SchemeUnit,
)
from tests.factories import UnitFactory
from units.models import AssessmentClass


@pytest.fixture
def dept_class(db):
    return AssessmentClass.objects.create(code="dept", name="部门")


@pytest.fixture
def pubs(city):
    make = Publication.objects.create
    return {
        "special": make(office=city, name="信息专报", kind=PublicationKind.SPECIAL_REPORT, points_full=10),
        "general": make(office=city, name="政务信息", kind=PublicationKind.GENERAL, allows_briefs=True,
                        points_full=5, points_brief=3),
        "up": make(office=city, name="昆明要情", kind=PublicationKind.REPORT_UP, points_full=5),
    }  # fmt: skip


@pytest.fixture
def scheme(city, department, pubs, dept_class):
    """The city's scheme with the values of docs/domain.md §7."""
    department.assessment_class = dept_class
    department.save()
    s = Scheme.objects.create(office=city, year=timezone.localdate().year, name="考核")
    SchemeUnit.objects.create(scheme=s, unit=department)
    QuotaRule.objects.create(scheme=s, assessment_class=dept_class, quota=Decimal("20"))
    rule = PublicationRule.objects.create
    rule(scheme=s, publication=pubs["special"], form="full", points=10)
    rule(scheme=s, publication=pubs["general"], form="full", points=5)
    rule(scheme=s, publication=pubs["general"], form="brief", points=3)
    rule(scheme=s, publication=pubs["general"], form="composite", points=6)
    rule(scheme=s, publication=pubs["up"], form="full", points=5)
    InstructionRule.objects.create(scheme=s, level="省政府领导", points=5)
    InstructionRule.objects.create(scheme=s, level="省政府办公厅", points=3)
    HigherAdoptionRule.objects.create(scheme=s, publication=pubs["up"], level="国办", points=15)
    PenaltyRule.objects.create(scheme=s, kind="late", points=1)
    PenaltyRule.objects.create(scheme=s, kind="emergency_late", points=5, vetoes_award=True)
    AwardTier.objects.create(scheme=s, name="特等奖", count=1, order=0)
    AwardTier.objects.create(scheme=s, name="一等奖", count=2, order=1)
    return s


@pytest.fixture
def second_department(city, scheme, dept_class):
    unit = UnitFactory(name="昆明市农业农村局", parent=city, assessment_class=dept_class)
    SchemeUnit.objects.create(scheme=scheme, unit=unit)
    return unit
