"""Fixtures of the unit tests shared by several files."""

import pytest

from tests.factories import UnitFactory


@pytest.fixture
def ordered(city, department):
    """The city's children besides `department` (排序号 0, first), made so that neither
    creation order, id, path text nor name gives the official order:

    - 甲 (排序号 2, id 90000002) made first, with a child of 排序号 0;
    - 乙 (排序号 2, id 900000010): its path text "…/900000010/" sorts before 甲's
      "…/90000002/", and its name before 甲's;
    - 丙 (排序号 1) made last.

    Official order: department, 丙, 甲, 甲's child, 乙."""
    jia = UnitFactory(id=90000002, name="昆明市甲局", parent=city, sort_order=2)
    jia_child = UnitFactory(name="昆明市信息中心", parent=jia, sort_order=0)
    yi = UnitFactory(id=900000010, name="昆明市乙局", parent=city, sort_order=2)
    bing = UnitFactory(name="昆明市丙局", parent=city, sort_order=1)
    assert yi.path < jia.path and yi.name < jia.name  # what the old orders went by
    return [department, bing, jia, jia_child, yi]
