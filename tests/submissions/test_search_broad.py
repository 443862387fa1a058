"""A search matching more items than a list counts (1000+) is listed newest first, with
the same items a ranked search finds (issue 18): ranking tens of thousands of matches
would read and sort every one of them before the first page."""

import datetime as dt
import random

from django.urls import reverse
from django.utils import timezone

from bench.texts import THEMES, TextMaker
from submissions import queries, search
from submissions.models import Confidentiality, Item, State
from submissions.views import COUNT_CAP

from .helpers import category, draft


def _many(writer, n: int, *, title: str, body: str, state: str = State.SUBMITTED) -> list[Item]:
    now = timezone.now()
    cat = category()
    rows = [
        Item(unit=writer.unit, office_id=writer.unit.parent_id, author=writer, title=f"{title}{i}", body=body,
             category=cat, state=state, submitted_at=now - dt.timedelta(minutes=i + 10),
             created_at=now - dt.timedelta(minutes=i + 10))
        for i in range(n)
    ]  # fmt: skip
    return Item.objects.bulk_create(rows)


def test_broad_and_ranked_find_the_same_items(writer, leader):
    rnd = random.Random(5)
    texts = TextMaker(rnd)
    for i in range(40):
        title, body = texts.item(writer.unit.name, rnd.sample(THEMES, 2), brief=i % 4 == 0)
        draft(writer, title=title, body=body)
    secret = draft(
        writer, title="边境口岸", body="通关", confidentiality=Confidentiality.SENSITIVE, named_readers=[leader]
    )
    qs = Item.objects.all()
    for q in ("边境", "口岸 旅游", "的", "森林防火", "不存在"):
        assert set(search.filter_text(qs, q)) == set(search.filter_text(qs, q, scan=True)), q
    assert secret.pk not in set(search.filter_text(qs, "通关", scan=True).values_list("pk", flat=True))


def test_a_desk_search_of_more_than_the_cap_lists_newest_first_and_says_1000_plus(client, writer, editor):
    items = _many(writer, COUNT_CAP + 5, title="农业生产", body="边境口岸通关")
    newest_in_title = _many(writer, 1, title="边境贸易", body="口岸")[0]
    Item.objects.filter(pk=newest_in_title.pk).update(submitted_at=timezone.now() - dt.timedelta(days=30))
    client.force_login(editor)
    page = client.get(reverse("desk"), {"q": "边境"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "共 1000+ 条" in html
    # Newest first: the newest match leads, and the title hit a month old is not pulled up.
    listed = [i.pk for i in page.context["page"].object_list]
    assert listed == [i.pk for i in items[:30]]
    assert newest_in_title.pk not in listed
    # The matches are still every item holding the word: the last page reaches the cap.
    assert page.context["page"].paginator.num_pages == (COUNT_CAP + 1 + 29) // 30


def test_a_narrow_desk_search_still_ranks_title_matches_first(client, writer, editor):
    _many(writer, 40, title="农业生产", body="边境口岸通关")
    old_title_hit = _many(writer, 1, title="边境贸易", body="口岸")[0]
    Item.objects.filter(pk=old_title_hit.pk).update(submitted_at=timezone.now() - dt.timedelta(days=30))
    client.force_login(editor)
    page = client.get(reverse("desk"), {"q": "边境"})
    assert page.context["page"].object_list[0].pk == old_title_hit.pk
    assert "共 41 条" in page.content.decode()


def test_my_items_unfiltered_counts_every_item_and_a_broad_search_is_capped(client, writer, leader):
    _many(writer, COUNT_CAP + 40, title="旅游市场", body="游客增长", state=State.DRAFT)
    secret = draft(
        writer, title="游客信息", body="游客", confidentiality=Confidentiality.SENSITIVE, named_readers=[leader]
    )
    client.force_login(writer)
    plain = client.get(reverse("my_items"))
    # Unfiltered, the total comes from the state counts: exact, and every page reachable.
    assert plain.context["page"].paginator.count == COUNT_CAP + 41
    assert "1000+" not in plain.content.decode()
    found = client.get(reverse("my_items"), {"q": "游客"})
    assert "共 1000+ 条" in found.content.decode()
    # 敏感 items are never found by their text, broad or not.
    assert secret.pk not in {i.pk for i in found.context["page"].object_list}
    assert not queries.my_items(Item.objects.filter(pk=secret.pk), queries.ItemFilters(q="游客"), broad=True).exists()


def test_a_narrowed_search_tests_each_items_text_and_finds_the_same_items(writer):
    # With another filter the list is small: its items' text is tested, never the grams
    # computed row by row (the planner's choice when the index is joined to a small list).
    rnd = random.Random(8)
    texts = TextMaker(rnd)
    for i in range(30):
        title, body = texts.item(writer.unit.name, rnd.sample(THEMES, 2), brief=i % 3 == 0)
        draft(writer, title=title, body=body)
    Item.objects.filter(pk__in=Item.objects.order_by("pk").values("pk")[:10]).update(
        state=State.SUBMITTED, office_id=writer.unit.parent_id, submitted_at=timezone.now()
    )
    base = Item.objects.filter(office_id=writer.unit.parent_id, submitted_at__isnull=False)
    for q in ("边境", "口岸 旅游", "的"):
        narrowed = queries.desk(base, queries.ItemFilters(q=q, state=State.SUBMITTED))
        assert "submissions_search_grams" not in str(narrowed.query)
        whole = search.filter_text(base.filter(state=State.SUBMITTED), q)
        assert {i.pk for i in narrowed} == {i.pk for i in whole}, q
