"""Search of items through the gram index (issue 18): the same items as a substring scan,
several words, ranking, highlights, 敏感 items never found, the index used and kept."""

import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from bench.texts import THEMES, TextMaker
from submissions import actions, queries, search
from submissions.models import Confidentiality, Item, ItemSearch, State

from .helpers import act, category, data, draft, submitted

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the gram index is PostgreSQL's")


def _bulk_items(writer, n: int, *, seed: int = 7) -> list[Item]:
    """`n` submitted items with realistic texts, written as the seeder and an import do
    (bulk_create: no save(), no signal): the trigger indexes them all the same."""
    rnd = random.Random(seed)
    texts = TextMaker(rnd)
    now = timezone.now()
    rows = []
    for i in range(n):
        title, body = texts.item(writer.unit.name, rnd.sample(THEMES, 2), brief=i % 5 == 0)
        rows.append(
            Item(unit=writer.unit, office_id=writer.unit.parent_id, author=writer, title=title, body=body,
                 category=category(), state=State.SUBMITTED, submitted_at=now - timezone.timedelta(minutes=i))
        )  # fmt: skip
    return Item.objects.bulk_create(rows)


def _found(q: str, qs=None) -> set[int]:
    return set(search.filter_text(qs if qs is not None else Item.objects.all(), q).values_list("pk", flat=True))


def _scan(items: list[Item], q: str) -> set[int]:
    found = search.words(q)
    return {i.pk for i in items if not i.is_sensitive and all(w in i.plain_title or w in i.plain_body for w in found)}


def test_sql_grams_are_the_python_grams(writer):
    rnd = random.Random(3)
    texts = TextMaker(rnd)
    samples = [texts.item(writer.unit.name, [t]) for t in THEMES]
    samples.append(("引号'与\\反斜杠 ", "全角\u3000空格\t制表\n换行 a'b\\c\u00a0不换行空格"))
    samples.append(("", ""))
    with connection.cursor() as cursor:
        for title, body in samples:
            cursor.execute("SELECT unnest(tsvector_to_array(submissions_search_grams(%s)))", [f"{title}\n{body}"])
            assert {row[0] for row in cursor.fetchall()} == search.text_grams(title, body)


def test_search_finds_what_a_substring_scan_finds_for_random_pieces_of_real_bodies(writer):
    items = _bulk_items(writer, 120)
    rnd = random.Random(11)
    for _ in range(150):
        item = rnd.choice(items)
        text = rnd.choice([item.title, item.body])
        length = rnd.choice([1, 2, 2, 3, 4, 4, 6, 9])
        start = rnd.randrange(max(1, len(text) - length))
        piece = text[start : start + length].strip()
        if not piece:
            continue
        assert _found(piece) == _scan(items, piece), piece
    # And words found nowhere, or across two words of the text, or two words at once.
    for q in ("森林防火", "瑞丽", "火", "口岸 旅游", "边境 不存在的词", "xyz", "的的的"):
        assert _found(q) == _scan(items, q), q


def test_a_word_whose_bigrams_stand_apart_is_not_found(writer):
    # "防火森林" has the bigrams 防火 and 森林 ... and 火森 not: but "林防" in "森林防火" is.
    item = draft(writer, title="森林防火", body="火森 在别处")
    assert _found("林防") == {item.pk}
    assert _found("森林火森") == set()
    assert _found("防火森") == set()


def test_several_words_are_all_required_in_title_or_body(writer):
    both = draft(writer, title="边境口岸通关", body="旅游人数增长")
    one = draft(writer, title="边境贸易", body="农业生产")
    assert _found("边境 旅游") == {both.pk}
    assert _found("边境") == {both.pk, one.pk}
    assert _found("  边境\u3000口岸  ") == {both.pk}


def test_sensitive_items_are_never_indexed_nor_found_even_by_ascii_of_their_ciphertext(writer, leader):
    secret = draft(writer, title="敏感的边境事件", body="边境口岸发生事件", confidentiality=Confidentiality.SENSITIVE,
                   named_readers=[leader])  # fmt: skip
    plain = draft(writer, title="边境口岸", body="通关")
    assert not ItemSearch.objects.filter(item_id=secret.pk).exists()
    assert _found("边境") == {plain.pk}
    # Sealed text is base64: a substring scan would have "found" it by its letters.
    secret.refresh_from_db()
    letters = secret.title.split(":")[-1][5:9]
    assert _found(letters) == set()


def test_an_item_made_sensitive_leaves_the_index(writer, leader):
    item = draft(writer, title="边境口岸", body="通关便利化")
    assert _found("通关") == {item.pk}
    item.refresh_from_db()
    actions.update_draft(item=item, user=writer, expected_version=item.version,
                         data=data(title="边境口岸", body="通关便利化", confidentiality=Confidentiality.SENSITIVE,
                                   named_readers=[leader]))  # fmt: skip
    assert not ItemSearch.objects.filter(item_id=item.pk).exists()
    assert _found("通关") == set()


def test_changed_text_is_found_by_its_new_words_only(writer, unit_approver, editor):
    item = submitted(writer, unit_approver, title="春耕生产", body="农机下田")
    act(item, editor, "start_review")
    item.refresh_from_db()
    actions.edit_as_editor(item=item, user=editor, title="夏粮收购", body="收购进度", expected_version=item.version)
    assert _found("春耕") == set()
    assert _found("夏粮") == {item.pk}
    # A move does not touch the grams (the trigger's WHEN clause), and they stay right.
    act(item, editor, "hold")
    assert _found("收购进度") == {item.pk}


def test_desk_ranks_title_matches_first_and_marks_the_words(client, writer, unit_approver, editor):
    in_body = submitted(writer, unit_approver, title="春耕生产进展", body="边境地区<b>农机</b>下田")
    in_title = submitted(writer, unit_approver, title="边境贸易回暖", body="口岸通关")
    client.force_login(editor)
    page = client.get(reverse("desk"), {"q": "边境"}).content.decode()
    assert page.index("贸易回暖") < page.index("春耕生产进展")
    assert "<mark>边境</mark>贸易回暖" in page
    # The body's words shown around the match, escaped: the item's own markup is text.
    assert "<mark>边境</mark>地区&lt;b&gt;农机&lt;/b&gt;下田" in page
    # Title matches first even when older.
    newer = submitted(writer, unit_approver, title="夏粮收购", body="边境县区收购进度")
    ranked = list(queries.desk(Item.objects.all(), queries.ItemFilters(q="边境")))
    assert [i.pk for i in ranked] == [in_title.pk, newer.pk, in_body.pk]


def test_mark_escapes_and_marks_every_word():
    assert search.mark("<b>森林</b>防火&森林", "森林 防火") == (
        "&lt;b&gt;<mark>森林</mark>&lt;/b&gt;<mark>防火</mark>&amp;<mark>森林</mark>"
    )
    assert search.mark("a<b", "") == "a&lt;b"
    assert search.snippet("没有", "边境") == ""


def test_desk_never_shows_sealed_text_in_highlights(client, writer, editor, unit_approver, leader):
    secret = submitted(writer, unit_approver, title="敏感：边境事件", body="边境口岸", named_readers=[leader],
                       confidentiality=Confidentiality.SENSITIVE)  # fmt: skip
    client.force_login(editor)
    page = client.get(reverse("desk"), {"q": "边境"}).content.decode()
    assert "边境事件" not in page and "<mark>" not in page
    assert secret.pk


def test_my_items_search(client, writer):
    hit = draft(writer, title="旅游市场", body="游客增长")
    draft(writer, title="农业生产", body="春耕")
    client.force_login(writer)
    page = client.get(reverse("my_items"), {"q": "游客"}).content.decode()
    assert "旅游市场" in page and "农业生产" not in page and "<mark>游客</mark>" in page
    assert hit.pk


@pytest.mark.parametrize("q", ["边", "边境", "森林防火"])
def test_postgresql_uses_the_index_for_a_word_of_any_length(writer, q):
    # The planner's own choice, its settings untouched: the grams function is declared
    # expensive (migration 0011), so the gram table is searched through its index; and
    # with other offices' items about (4,000 short ones, copied in SQL), the desk's items
    # are reached by index too, never by reading the item table through.
    items = _bulk_items(writer, 60)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'submissions_item'"
            " AND column_name NOT IN ('id', 'title', 'body', 'office_id') ORDER BY ordinal_position"
        )
        columns = ", ".join(row[0] for row in cursor.fetchall())
        cursor.execute(
            f"INSERT INTO submissions_item (title, body, office_id, {columns})"
            f" SELECT '他处' || g, '其他单位', %s, {columns} FROM submissions_item, generate_series(1, 4000) g"
            " WHERE id = %s",
            [writer.unit_id, items[0].pk],
        )
        cursor.execute("ANALYZE submissions_item")
        cursor.execute("ANALYZE submissions_itemsearch")
        qs = queries.desk(Item.objects.filter(office_id=writer.unit.parent_id), queries.ItemFilters(q=q))
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "itemsearch_doc_gin" in plan, plan
    assert "Seq Scan on submissions_item" not in plan, plan


def test_backfill_fills_what_is_missing_in_batches_and_is_idempotent(writer):
    items = _bulk_items(writer, 25)
    ItemSearch.objects.filter(item_id__in=[i.pk for i in items[:20]]).delete()
    assert _found("的") == {i.pk for i in items[20:]} & _scan(items, "的")
    assert search.backfill(batch=7) == 20
    assert search.backfill(batch=7) == 0
    assert _found("的") == _scan(items, "的")
    ItemSearch.objects.filter(item_id=items[0].pk).delete()
    call_command("search_index", "--batch", "3")
    assert ItemSearch.objects.filter(item_id=items[0].pk).exists()
