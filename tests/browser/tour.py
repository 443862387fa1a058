"""The pages issue 14 names — login, home, new item, item, desk, issue, 批示, scoreboard and
the public pages — with enough data behind them that each shows what it is for. The
accessibility test walks them at an office and a phone width and saves a screenshot of
each, so whoever runs the browser tests can look at every page afterwards."""

from dataclasses import dataclass

from django.utils import timezone

from publications.models import InstructionLevel, Publication, PublicationKind
from scoring.models import InstructionRule, Scheme, SchemeUnit
from submissions.models import Confidentiality
from tests.publications.helpers import adopted, signed_issue
from tests.submissions.helpers import draft, submitted

from .helpers import login

# An office screen and a phone (iPhone 12–15 class: 390 × 844 CSS pixels).
WIDTHS = {"office": (1366, 900), "phone": (390, 844)}


@dataclass
class Stop:
    name: str  # also the screenshot's file name
    who: str | None  # user name to sign in as; None: signed out
    path: str
    ready: str = "main"  # a selector that is visible once the page is complete


def seed(*, writer, unit_approver, editor, issue_approver, leader, city, department) -> list[Stop]:
    """Data for every stop of the tour, through the actions users take, and the tour."""
    InstructionLevel.objects.get_or_create(name="市政府领导", defaults={"order": 4})
    publication = Publication.objects.create(
        office=city, name="政务信息", kind=PublicationKind.GENERAL, is_public=True, points_full=5
    )
    adoption = adopted(
        writer, unit_approver, editor, publication,
        title="昆明市重大项目建设提速增效", confidentiality=Confidentiality.PUBLIC,
    )  # fmt: skip
    issue = signed_issue(editor, issue_approver, publication, [adoption])
    submitted(writer, unit_approver, title="昆明市春耕生产有序推进")  # waits on the desk
    mine = draft(writer, title="昆明市营商环境持续优化")
    scheme = Scheme.objects.create(office=city, year=timezone.localdate().year, name="昆明市政务信息考核")
    SchemeUnit.objects.create(scheme=scheme, unit=department)
    InstructionRule.objects.create(scheme=scheme, level="市政府领导", points=3)
    item = adoption.item
    return [
        Stop("login", None, "/login/"),
        Stop("public_index", None, "/public/"),
        Stop("public_issue", None, f"/public/issues/{issue.pk}/"),
        Stop("home_writer", writer.username, "/"),
        Stop("item_new", writer.username, "/items/new/"),
        Stop("item", writer.username, f"/items/{mine.pk}/"),
        Stop("desk", editor.username, "/desk/"),
        Stop("home_leader", leader.username, "/"),
        Stop("issue", leader.username, f"/issues/{issue.pk}/"),
        Stop("instruction_new", leader.username, f"/instructions/new/?issue={issue.pk}&item={item.pk}"),
        Stop("scoreboard", leader.username, f"/scoring/{scheme.pk}/", ready="body[data-charts-ready='1']"),
    ]


def walk(page, base: str, stops: list[Stop]):
    """Visit each stop, signing in or out as the stop needs; yields each stop once its
    page has loaded."""
    current = object()
    for stop in stops:
        if stop.who != current:
            if stop.who is None:
                page.context.clear_cookies()
            else:
                login(page, base, stop.who)
            current = stop.who
        response = page.goto(f"{base}{stop.path}")
        assert response.status == 200, f"{stop.name}: {stop.path} answered {response.status}"
        page.locator(stop.ready).first.wait_for(state="attached", timeout=15000)
        yield stop
