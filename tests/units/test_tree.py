from tests.factories import UnitFactory
from units.models import Unit


def test_descendants_ancestors_and_children_follow_the_tree(province, city, other_city, department):
    county = UnitFactory(name="五华区", parent=city)
    assert set(Unit.objects.descendants_of(province)) == {city, other_city, department, county}
    assert set(Unit.objects.descendants_of(city, include_self=True)) == {city, department, county}
    assert list(Unit.objects.ancestors_of(department)) == [province, city]
    assert set(city.children.all()) == {department, county}
    assert department.depth == 2 and province.depth == 0
    assert department.is_descendant_of(province) and not department.is_descendant_of(other_city)


def test_tree_queries_cost_one_query_each(province, city, department, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(Unit.objects.descendants_of(province))
    with django_assert_num_queries(1):
        list(Unit.objects.ancestors_of(department))


def test_moving_a_unit_moves_its_subtree(province, city, other_city, department):
    county = UnitFactory(name="五华区", parent=city)
    city.parent = other_city
    city.save()
    department.refresh_from_db()
    county.refresh_from_db()
    assert list(Unit.objects.ancestors_of(department)) == [province, other_city, city]
    assert department.depth == 3 and county.depth == 3
    assert set(Unit.objects.descendants_of(other_city)) == {city, department, county}
