from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from govinfo.management.commands.runall import banner_units
from publications.models import Adoption, Issue, Publication
from submissions.models import Item, ItemEvent, Topic
from units.models import AssessmentClass, Role, RoleGrant, Unit, UnitKind, User


def _counts():
    return {
        m.__name__: m.objects.count()
        for m in (Unit, User, RoleGrant, Publication, AssessmentClass, Item, ItemEvent, Topic, Issue, Adoption)
    }


def test_loaddemo_twice_gives_the_same_counts(db, settings, capsys):
    call_command("loaddemo")
    first = _counts()
    out = capsys.readouterr().out
    assert "新建账号 24 个" in out and settings.DEMO_PASSWORD in out
    assert first["Item"] == 7 and first["Topic"] == 14
    assert (first["Issue"], first["Adoption"]) == (1, 2)  # the 公开 issue (test_demo_public.py)
    call_command("loaddemo")
    assert _counts() == first
    assert "新建账号 0 个" in capsys.readouterr().out


def test_demo_province_has_the_shape_of_the_domain(db, settings):
    call_command("loaddemo")
    province = Unit.objects.get(kind=UnitKind.PROVINCE_OFFICE)
    assert province.children.filter(kind=UnitKind.CITY_OFFICE).count() == 16
    cities_with_children = Unit.objects.filter(kind=UnitKind.CITY_OFFICE, children__isnull=False).distinct()
    assert cities_with_children.count() == 2
    points = dict(Publication.objects.filter(office=province).values_list("name", "points_full"))
    assert points["信息专报"] == 10 and points["动态专报"] == 13 and points["每日要情"] == 5
    kunming = Unit.objects.get(short_name="昆明市")
    brief = Publication.objects.get(office=kunming, name="政务信息")
    assert (brief.points_full, brief.points_brief, brief.allows_briefs) == (5, 3, True)
    # one login per role at the province, a city office and a department
    for prefix in ("prov", "city", "dept"):
        roles = set(RoleGrant.objects.filter(user__username__startswith=f"{prefix}_").values_list("role", flat=True))
        assert roles == set(Role.values)
    request = RequestFactory().post("/login/")
    assert authenticate(request, username="city_editor", password=settings.DEMO_PASSWORD) is not None


def test_loaddemo_never_resets_a_changed_password(db, settings):
    call_command("loaddemo")
    editor = User.objects.get(username="prov_editor")
    editor.set_password("Changed-by-hand-1")
    editor.save()
    call_command("loaddemo")
    editor.refresh_from_db()
    assert editor.check_password("Changed-by-hand-1")


def test_banner_readme_and_loaddemo_name_each_demo_unit_alike(db, capsys):
    """runall's banner, loaddemo's list and the README's table of demo logins give each
    demo unit the name the demo data has, and the banner's logins belong to that unit."""
    from pathlib import Path

    call_command("loaddemo")
    printed = capsys.readouterr().out
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for unit_name, usernames in banner_units():
        for username in usernames:
            assert User.objects.get(username=username).unit.name == unit_name
            assert f"{username:<14} {unit_name} · " in printed
        row = next(line for line in readme.splitlines() if f"`{usernames[0]}`" in line)
        assert row.startswith(f"| {unit_name} |"), row
