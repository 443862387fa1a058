"""Search in issues and in the public archive (issue 18): the publication page's issues and
'my bulletins' keep the issues holding an item with every word typed, title hits first,
the matching titles marked; the archive lists the public items holding them. An item a
reader may not read is never found nor shown: not a 敏感 one, not another office's, and in
the archive nothing that is not 公开. Runs on PostgreSQL (through the gram index) and on
SQLite (a plain scan) alike."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from publications import actions
from publications.models import (
    Adoption,
    AdoptionForm,
    Confidentiality,
    Publication,
    PublicationKind,
    Recipient,
    RecipientKind,
)
from submissions.models import Item
from tests.submissions.helpers import submitted

from .helpers import adopted, signed_issue

FOREST = "森林防火"
BORDER = "边境口岸"


def _issue(editor, signer, publication, *adoptions):
    return signed_issue(editor, signer, publication, list(adoptions))


def _page(client, user, name: str, q: str, *args, **params) -> str:
    client.force_login(user) if user else client.logout()
    response = client.get(reverse(name, args=args), {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def people(writer, unit_approver, editor, issue_approver):
    return writer, unit_approver, editor, issue_approver


@pytest.fixture
def three(people, bulletin):
    """Three signed issues of the city's bulletin, oldest first: a forest fire item, a
    border item, and one with both words (in its body only)."""
    writer, approver, editor, signer = people
    forest = adopted(writer, approver, editor, bulletin, title="全市森林防火形势平稳", body="今冬明春火险等级偏高。")
    border = adopted(writer, approver, editor, bulletin, title="边境口岸通关便利化", body="旅游人数同比增长。")
    both = adopted(writer, approver, editor, bulletin, title="春耕生产进展顺利", body="边境县区做好森林防火工作。")
    return [_issue(editor, signer, bulletin, a) for a in (forest, border, both)]


def _listed(page: str, issues) -> list[int]:
    """The issues a list page links to, in its order."""
    found = [(page.find(reverse("issue_detail", args=[i.pk]) + '"'), i.pk) for i in issues]
    return [pk for at, pk in sorted(found) if at != -1]


@pytest.mark.parametrize("q", ["火", "边境", "防火", FOREST, "口岸通关"])
def test_publication_page_finds_issues_by_words_of_one_two_and_four_characters(client, editor, bulletin, three, q):
    forest, border, both = three
    expected = {
        "火": [forest, both], "边境": [border, both], "防火": [forest, both], FOREST: [forest, both],
        "口岸通关": [border],
    }[q]  # fmt: skip
    page = _page(client, editor, "publication_detail", q, bulletin.pk)
    assert set(_listed(page, three)) == {i.pk for i in expected}


def test_several_words_are_all_required_and_title_hits_come_first(client, editor, leader, bulletin, three):
    forest, border, both = three
    page = _page(client, editor, "publication_detail", "边境 防火", bulletin.pk)
    assert _listed(page, three) == [both.pk]
    # "森林" is in the title of the oldest issue and only in the body of the newest: the
    # title hit comes first, then the newest.
    page = _page(client, editor, "publication_detail", "森林", bulletin.pk)
    assert _listed(page, three) == [forest.pk, both.pk]
    page = _page(client, leader, "my_bulletins", "森林")
    assert _listed(page, three) == [forest.pk, both.pk]
    # The title marked; where it lacks the word, the body around it.
    assert "全市<mark>森林</mark>防火形势平稳" in page
    assert "春耕生产进展顺利<div" in page and "做好<mark>森林</mark>防火工作" in page
    # Without a query: the normal list, newest first, for a query of spaces too.
    for q in ("", "  \u3000 "):
        page = _page(client, leader, "my_bulletins", q)
        assert _listed(page, three) == [both.pk, border.pk, forest.pk]
        assert "<mark>" not in page


def test_nothing_found_says_so_in_chinese(client, editor, leader, bulletin, three):
    page = _page(client, editor, "publication_detail", "不存在的词", bulletin.pk)
    assert _listed(page, three) == [] and "未找到包含“不存在的词”的信息" in page
    page = _page(client, leader, "my_bulletins", "边境 不存在")
    assert _listed(page, three) == [] and "未找到包含“边境 不存在”的信息" in page


def test_matching_titles_are_marked_and_escaped(client, people, leader, bulletin):
    writer, approver, editor, signer = people
    tricky = adopted(writer, approver, editor, bulletin, title="<script>alert(1)</script>边境通关", body="口岸")
    _issue(editor, signer, bulletin, tricky)
    for page in (_page(client, editor, "publication_detail", "边境", bulletin.pk),
                 _page(client, leader, "my_bulletins", "边境 通关")):  # fmt: skip
        assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>边境" in page
        assert "<script>alert(1)" not in page
    assert "<mark>边境通关</mark>" in _page(client, leader, "my_bulletins", "边境 通关")


def test_the_adopted_text_is_searched_not_what_the_editor_cut(client, people, leader, bulletin):
    """A reader reads the adoption's text: a word the editor cut from a brief is not in the
    issue, and is not found there."""
    writer, approver, editor, signer = people
    item = submitted(writer, approver, title="全市旅游市场持续回暖", body="边境口岸游客增多。其余略。")
    brief = actions.adopt(item=item, user=editor, publication=bulletin, form=AdoptionForm.BRIEF,
                          title="旅游市场回暖", body="游客增多。")  # fmt: skip
    issue = _issue(editor, signer, bulletin, brief)
    assert _listed(_page(client, leader, "my_bulletins", "边境"), [issue]) == []
    assert _listed(_page(client, leader, "my_bulletins", "游客"), [issue]) == [issue.pk]
    page = _page(client, leader, "my_bulletins", "旅游市场")
    assert "<mark>旅游市场</mark>回暖" in page


def test_an_issue_note_is_searched(client, editor, bulletin):
    issue, _ = actions.compile_note_issue(publication=bulletin, user=editor, key="stats:2026-11",
                                          title="11月信息采用情况通报", body="各单位报送信息1200条。")  # fmt: skip
    page = _page(client, editor, "publication_detail", "采用情况", bulletin.pk)
    assert _listed(page, [issue]) == [issue.pk]
    assert _listed(_page(client, editor, "publication_detail", "报送信息", bulletin.pk), [issue]) == [issue.pk]
    assert _listed(_page(client, editor, "publication_detail", "边境", bulletin.pk), [issue]) == []


SECRET = "某工业园区企业欠薪引发聚集"


@pytest.fixture
def restricted(city, province, department):
    """The city's 敏感 动态信息专报, 报 the province and 发 the department; put in the
    public archive too, to show that its 敏感 items stay out all the same."""
    publication = Publication.objects.create(
        office=city, name="动态信息专报", kind=PublicationKind.DYNAMIC_REPORT,
        confidentiality=Confidentiality.SENSITIVE, points_full=10, is_public=True,
    )  # fmt: skip
    Recipient.objects.create(publication=publication, unit=province, kind=RecipientKind.BAO)
    Recipient.objects.create(publication=publication, unit=department, kind=RecipientKind.FA)
    return publication


def test_a_sensitive_item_is_found_by_no_one_and_never_shown(client, people, leader, dept_leader, restricted):
    """The department's leader reads the issue (发 list) but not the 敏感 item (named for
    the city's leader only): its words find nothing and its title never shows. Nobody
    finds it by text — the index holds no 敏感 text — and neither does the public."""
    writer, approver, editor, signer = people
    secret = adopted(writer, approver, editor, restricted, title=SECRET, body="边境园区欠薪。",
                     confidentiality="sensitive", named_readers=[leader])  # fmt: skip
    ordinary = adopted(writer, approver, editor, restricted, title="园区招商引资", body="边境园区签约项目。",
                       confidentiality="public")  # fmt: skip
    issue = _issue(editor, signer, restricted, secret, ordinary)
    for user in (dept_leader, leader, editor):
        assert _listed(_page(client, user, "my_bulletins", "欠薪"), [issue]) == [], user
    page = _page(client, dept_leader, "my_bulletins", "园区")
    assert _listed(page, [issue]) == [issue.pk]
    assert "<mark>园区</mark>招商引资" in page and "欠薪" not in page and "工业" not in page
    for page in (_page(client, None, "public_index", "欠薪"),
                 _page(client, None, "public_publication", "欠薪", restricted.pk)):  # fmt: skip
        assert "未找到包含“欠薪”的信息" in page and "工业园区" not in page
    page = _page(client, None, "public_index", "园区")
    assert "<mark>园区</mark>招商引资" in page and "欠薪" not in page


def test_an_item_made_sensitive_after_its_adoption_takes_its_adoptions_out(client, people, leader, bulletin):
    """Both a single adoption and a composite drawing on an item that is 敏感 now are out of
    the search, though their adopted text was stored in the clear (and the composite's
    other source is still indexed)."""
    writer, approver, editor, signer = people
    single = adopted(writer, approver, editor, bulletin, title="口岸通关便利", body="边境贸易回暖。")
    first = submitted(writer, approver, title="边境旅游升温", body="游客增多。")
    second = submitted(writer, approver, title="边境口岸值守", body="全天值守。")
    both = actions.adopt_composite(items=[first, second], user=editor, publication=bulletin, title="边境综合情况",
                                   body="边境旅游升温，口岸全天值守。")  # fmt: skip
    issue = _issue(editor, signer, bulletin, single, both)
    assert _listed(_page(client, leader, "my_bulletins", "边境"), [issue]) == [issue.pk]
    Item.objects.filter(pk__in=[single.item_id, second.pk]).update(confidentiality=Confidentiality.SENSITIVE)
    page = _page(client, leader, "my_bulletins", "边境")
    assert _listed(page, [issue]) == [] and "边境综合情况" not in page and "口岸通关便利" not in page


def test_another_offices_leader_finds_nothing_of_this_office(client, stranger_leader, leader, bulletin, three):
    page = _page(client, stranger_leader, "my_bulletins", "边境")
    assert _listed(page, three) == [] and "春耕生产" not in page and "未找到包含“边境”的信息" in page
    assert len(_listed(_page(client, leader, "my_bulletins", "边境"), three)) == 2
    # Nor through the publication page, which is the office's editors' and approvers'.
    client.force_login(stranger_leader)
    assert client.get(reverse("publication_detail", args=[bulletin.pk]), {"q": "边境"}).status_code == 404


def test_public_archive_finds_only_public_items_of_signed_issues(client, people, bulletin, daily):
    writer, approver, editor, signer = people
    bulletin.is_public = True
    bulletin.save()
    public = adopted(writer, approver, editor, bulletin, title="便民服务边境通关", body="口岸开通绿色通道。",
                     confidentiality="public")  # fmt: skip
    internal = adopted(writer, approver, editor, bulletin, title="内部工作部署", body="边境口岸值守安排。")
    issue = _issue(editor, signer, bulletin, public, internal)
    draft_only = adopted(writer, approver, editor, bulletin, title="草稿里的边境信息", body="未签发。",
                         confidentiality="public")  # fmt: skip
    actions.add_to_issue(issue=actions.create_issue(publication=bulletin, user=editor), adoptions=[draft_only],
                         user=editor)  # fmt: skip
    # daily is not public: its public items stay out.
    elsewhere = adopted(writer, approver, editor, daily, title="非公开刊物的边境信息", body="口岸。",
                        confidentiality="public")  # fmt: skip
    _issue(editor, signer, daily, elsewhere)

    for page in (_page(client, None, "public_index", "边境"),
                 _page(client, None, "public_publication", "边境", bulletin.pk)):  # fmt: skip
        assert "便民服务<mark>边境</mark>通关" in page
        assert reverse("public_issue", args=[issue.pk]) in page
        assert "内部工作部署" not in page and "草稿里的" not in page and "非公开刊物" not in page
        assert "共 1 条" in page
    # The internal item's own words find nothing: its text is not in the archive.
    for q in ("值守", "值守安排", "内部"):
        page = _page(client, None, "public_publication", q, bulletin.pk)
        assert "未找到包含“" + q + "”的信息" in page and "内部工作部署" not in page
    # The body around the match, marked and escaped.
    page = _page(client, None, "public_publication", "绿色", bulletin.pk)
    assert "口岸开通<mark>绿色</mark>通道" in page


def test_public_archive_without_a_query_and_with_a_very_long_one(client, people, bulletin):
    writer, approver, editor, signer = people
    bulletin.is_public = True
    bulletin.save()
    a = adopted(writer, approver, editor, bulletin, title="便民服务", body="办事大厅延时。", confidentiality="public")
    issue = _issue(editor, signer, bulletin, a)
    page = _page(client, None, "public_publication", " ", bulletin.pk)
    assert issue.label in page and "search-results" not in page
    page = _page(client, None, "public_index", "")
    assert "政务信息" in page and "search-results" not in page
    # A query past 50 characters is cut there; past 8 words, the rest is dropped.
    page = _page(client, None, "public_index", "便民" + "服" * 5000)
    assert "未找到包含“便民" + "服" * 48 + "”的信息" in page
    eight = "便民 服务 办事 大厅 延时 民服 事大 厅延 "
    page = _page(client, None, "public_index", eight + "不在 其中")
    assert "<mark>便民服务</mark>" in page and "共 1 条" in page


def test_pagination_keeps_the_query(client, people, leader, bulletin):
    writer, approver, editor, signer = people
    bulletin.is_public = True
    bulletin.save()
    issues = []
    for n in range(21):
        a = adopted(writer, approver, editor, bulletin, title=f"边境第{n}条", body="口岸。", confidentiality="public")
        issues.append(_issue(editor, signer, bulletin, a))
    unrelated = adopted(writer, approver, editor, bulletin, title="农业生产", body="春耕。", confidentiality="public")
    _issue(editor, signer, bulletin, unrelated)
    for name, args, user in (("my_bulletins", [], leader), ("publication_detail", [bulletin.pk], editor),
                             ("public_publication", [bulletin.pk], None)):  # fmt: skip
        first = _page(client, user, name, "边境", *args)
        assert "q=%E8%BE%B9%E5%A2%83&page=2" in first, name
        second = _page(client, user, name, "边境", *args, page=2)
        assert "第 2 / 2 页" in second and "农业生产" not in second, name
        if name != "public_publication":
            assert _listed(second, issues) == [issues[0].pk], name  # the oldest, alone on page 2
        else:
            assert "<mark>边境</mark>第0条" in second


def _queries(client, user, name, q, *args) -> int:
    client.force_login(user) if user else client.logout()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(name, args=args), {"q": q}).status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_the_issues(client, people, leader, bulletin):
    writer, approver, editor, signer = people
    bulletin.is_public = True
    bulletin.save()

    def add(n):
        for i in range(n):
            a = adopted(writer, approver, editor, bulletin, title=f"边境{i}-{n}", body="通关", confidentiality="public")
            b = adopted(writer, approver, editor, bulletin, title=f"森林{i}-{n}", body="边境", confidentiality="public")
            _issue(editor, signer, bulletin, a, b)

    pages = [("my_bulletins", leader, []), ("publication_detail", editor, [bulletin.pk]),
             ("public_publication", None, [bulletin.pk]), ("public_index", None, [])]  # fmt: skip
    add(3)
    few = [_queries(client, user, name, "边境", *args) for name, user, args in pages]
    add(12)
    many = [_queries(client, user, name, "边境", *args) for name, user, args in pages]
    assert many == few
    assert Adoption.objects.count() == 30


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the gram index is PostgreSQL's")
def test_postgresql_finds_issues_through_the_item_index(people, leader, bulletin, three):
    """The items' own text is never scanned for a word: the item gram index answers, and
    only the candidates' adopted text is tested."""
    from publications import access, queries

    with connection.cursor() as cursor:
        for table in ("submissions_item", "submissions_itemsearch", "publications_adoption"):
            cursor.execute(f"ANALYZE {table}")
        # A few rows are read faster by any scan than through an index: with sequential
        # scans, plain index scans and nested loops off, what is left is bitmap scans.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_nestloop = off")
        for issues in (bulletin.issues.all(), access.bulletins(leader)):
            sql, params = queries.matching_issues(issues, "边境", "-created_at").query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Bitmap Index Scan on itemsearch_" in plan, plan
            assert "Seq Scan on submissions_item" not in plan, plan
