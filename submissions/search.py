"""Chinese search of items through an index (issue 18): character unigrams and bigrams.

Chinese has no spaces between words, so the search keeps the semantics users had with a
substring scan: every item whose title or body contains the typed text. To find those
through an index, each item's text is cut into its characters (unigrams) and pairs of
adjacent characters (bigrams), stored as the lexemes of a `tsvector` in
`submissions_itemsearch` (one row per item, a GIN index on it). A query word of one
character looks up its unigram; a word of two characters its bigram (both exact: having
the gram is containing the word); a longer word needs all its bigrams, and the few
candidates that have them are then checked with LIKE, since its bigrams may stand apart.

The table holds each item's text (`doc`), copied by a PostgreSQL trigger on
submissions_item (migrations 0008, 0011), so every writer keeps it current: the actions'
conditional UPDATE, bulk_create in imports and the seeder, the admin, key rotation. The
GIN index is an expression index on `submissions_search_grams(doc)`, a SQL function
declared expensive, so that the planner never prefers computing every item's grams to
the index. The text lives in a table of its own so that listing items never loads it,
and a move of an item (a state change) does not rewrite its index entries.

敏感 items have no row: their text is never indexed (the trigger sees ciphertext only, and
deletes the row when an item becomes 敏感), so they are found by nobody's text search,
and the highlights below never see sealed text. SQLite keeps a plain scan with the same
results.

Several space-separated words must all be found; with a query, title matches come first,
then the list's own order (newest first).
"""

from django.contrib.postgres.search import SearchQueryField, SearchVectorField
from django.db import connection, transaction
from django.db.models import BooleanField, Case, F, Func, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

MAX_WORDS = 8  # a query of more words is cut: each costs an index lookup

# What a gram is (submissions_search_grams, migration 0011): each character of the text
# that is not a space, and each pair of adjacent such characters. The spaces are
# [ \t\n\r\f\v\u00a0\u3000]; Python's str.split() splits on each, so a query word never
# holds one, and the index has every gram of every word.
SPACES = frozenset(" \t\n\r\f\v\u00a0\u3000")


def words(q: str) -> list[str]:
    """The words of a query: split on spaces, NULs dropped (PostgreSQL refuses them),
    repeats and words inside another word dropped (they find nothing more)."""
    found: list[str] = []
    for word in q.replace("\x00", "").split():
        if word not in found:
            found.append(word)
    found = [w for w in found if not any(w != o and w in o for o in found)]
    return found[:MAX_WORDS]


def word_grams(word: str) -> list[str]:
    """The lexemes an item containing `word` necessarily has."""
    if len(word) == 1:
        return [word]
    return list(dict.fromkeys(word[i : i + 2] for i in range(len(word) - 1)))


def text_grams(title: str, body: str) -> set[str]:
    """What submissions_search_grams stores for a text, in Python (the tests compare)."""
    text = f"{title}\n{body}"
    grams = {ch for ch in text if ch not in SPACES}
    grams.update(a + b for a, b in zip(text, text[1:], strict=False) if a not in SPACES and b not in SPACES)
    return grams


def _lexeme(gram: str) -> str:
    # tsquery input: a quoted lexeme, quotes doubled and backslashes escaped; no parser
    # and no dictionary run on it, so it is compared as stored.
    return "'" + gram.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(found: list[str]) -> str:
    grams = dict.fromkeys(g for w in found for g in word_grams(w))
    return " & ".join(_lexeme(g) for g in grams)


class Grams(Func):
    """`submissions_search_grams(doc)`: the expression the GIN index is built on."""

    function = "submissions_search_grams"
    output_field = SearchVectorField()


class GramsMatch(Func):
    """`submissions_search_grams(doc) @@ '<lexemes>'::tsquery` on the item search table:
    written as the index's expression, so the index answers it."""

    arg_joiner = " @@ "
    template = "%(expressions)s"
    output_field = BooleanField()

    def __init__(self, query: str):
        super().__init__(Grams(F("doc")), Cast(Value(query), SearchQueryField()))


def _contains_all(found: list[str], field: str) -> Q:
    q = Q()
    for word in found:
        q &= Q(**{f"{field}__contains": word})
    return q


def _contains_each(found: list[str], title: str = "title", body: str = "body") -> Q:
    """Every word in the field `title` or in `body` (each word may be in either)."""
    q = Q()
    for word in found:
        q &= Q(**{f"{title}__contains": word}) | Q(**{f"{body}__contains": word})
    return q


def filter_text(qs: QuerySet, q: str, *, scan: bool = False) -> QuerySet:
    """Items of `qs` whose title or body contains every word of `q`; 敏感 items never.

    `scan`: test the text of each item of `qs` instead of asking the gram index — the
    same items. For a list already narrowed to a few thousand items (a unit's, a filter's,
    the urgent ones): joined to such a list, the planner computes the grams of each of its
    rows (1.6 ms each; 3.6 s for 乡村 on one city's 交流工作 at 200,000 items) rather
    than read the index. And for a search the caller knows to be broad (more matches than
    the list counts, listed newest first, see `ranked`): a page's worth turns up within a
    few hundred items of the list's date index, where the index would hand over every one
    of tens of thousands of matches to be joined and sorted."""
    from .models import Confidentiality, ItemSearch

    found = words(q)
    if not found:
        return qs
    qs = qs.exclude(confidentiality=Confidentiality.SENSITIVE)
    if connection.vendor != "postgresql" or scan:
        return qs.filter(_contains_each(found))
    matches = ItemSearch.objects.filter(GramsMatch(tsquery(found)))
    # Grams of one or two characters are the word itself; longer words are checked on
    # the candidates, whose bigrams may stand apart. The check reads the search row's
    # text, inside the subquery: put on the items beside it, the planner would price
    # LIKE on every body of the office as nearly free and read them all. (A word has no
    # spaces, so it is in the title or the body exactly when it is in title\nbody.)
    for word in found:
        if len(word) > 2:
            matches = matches.filter(doc__contains=word)
    return qs.filter(pk__in=matches.values("item_id"))


def ranked(qs: QuerySet, q: str, *order: str, broad: bool = False) -> QuerySet:
    """`qs` ordered for a search: items whose title holds every word first, then `order`.

    A `broad` search (more matches than a list counts) is in `order` alone, newest first:
    ranking would have to read and sort every match before the first page."""
    found = words(q)
    if not found or broad:
        return qs.order_by(*order)
    title_hit = Case(When(_contains_all(found, "title"), then=Value(True)), default=Value(False))
    return qs.alias(search_title_hit=title_hit).order_by("-search_title_hit", *order)


MAX_QUERY = 50  # characters, as the desk's search field allows


def cut(q: str) -> str:
    """A query as typed into a plain search box (no form to refuse it): NULs dropped,
    spaces around it dropped, cut to MAX_QUERY characters."""
    return q.replace("\x00", "").strip()[:MAX_QUERY]


def text_q(q: str, title: str = "title", body: str = "body") -> Q:
    """Every word of `q` in the field `title` or in `body` (each word in either), as a
    plain substring test. For text the index does not hold (an adoption's own text, an
    issue's note), on rows already narrowed down, and never on sealed text."""
    return _contains_each(words(q), title, body)


def title_q(q: str, field: str = "title") -> Q:
    """Every word of `q` in `field`: a title hit, for ranking."""
    return _contains_all(words(q), field)


def candidate_item_ids(q: str) -> QuerySet:
    """The ids of the items having every gram of every word of `q`, from the index alone:
    every item holding the words, and the few holding a longer word's bigrams apart. A
    narrowing only — the caller tests the text it shows (e.g. an adoption's own text).
    No 敏感 item is among them (the index has no row of one). Without the item table in
    the query, the planner drives from the GIN index, whatever the size of the outer
    query; joined to items (as filter_text is), a small outer query led it to compute the
    grams of each of its rows instead (6 s for a publication's 4,000 adoptions at 20,000
    items). PostgreSQL only."""
    from .models import ItemSearch

    return ItemSearch.objects.filter(GramsMatch(tsquery(words(q)))).values("item_id")


# --- Highlights ---------------------------------------------------------------------


def _spans(text: str, found: list[str]) -> list[tuple[int, int]]:
    spans = []
    for word in found:
        start = text.find(word)
        while start != -1:
            spans.append((start, start + len(word)))
            start = text.find(word, start + 1)
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def mark(text: str, q: str) -> SafeString:
    """`text` escaped, each occurrence of a word of `q` in <mark>."""
    found = words(q)
    pieces, at = [], 0
    for start, end in _spans(text, found) if found else []:
        pieces.append(format_html("{}<mark>{}</mark>", text[at:start], text[start:end]))
        at = end
    pieces.append(format_html("{}", text[at:]))
    return format_html_join("", "{}", ((p,) for p in pieces))


def snippet(text: str, q: str, *, width: int = 60) -> SafeString:
    """The part of a body around its first match, marked; "" when no word is in it."""
    found = words(q)
    spans = _spans(text, found) if found else []
    if not spans:
        return SafeString("")
    start = max(0, spans[0][0] - width // 3)
    end = min(len(text), start + width)
    piece = mark(" ".join(text[start:end].split()), q)
    return format_html("{}{}{}", "…" if start else "", piece, "…" if end < len(text) else "")


# --- Backfill -----------------------------------------------------------------------


def backfill(*, batch: int = 2000, log=None) -> int:
    """The search row of every item that has none (items from before the index, or a restore
    without it), in batches that each commit: idempotent, and an interrupted run resumes
    where it stopped. Returns the number of items filled. PostgreSQL only."""
    if connection.vendor != "postgresql":
        return 0
    filled, after = 0, 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM submissions_item i WHERE id > %s AND confidentiality <> 'sensitive'"
                " AND NOT EXISTS (SELECT 1 FROM submissions_itemsearch s WHERE s.item_id = i.id)"
                " ORDER BY id LIMIT %s",
                [after, batch],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return filled
            cursor.execute(
                "INSERT INTO submissions_itemsearch (item_id, doc)"
                " SELECT id, title || E'\\n' || body FROM submissions_item"
                " WHERE id = ANY(%s) AND confidentiality <> 'sensitive' ON CONFLICT (item_id) DO NOTHING",
                [ids],
            )
            filled += cursor.rowcount
        after = ids[-1]
        if log:
            log(f"  {filled:,} items indexed (up to id {after})")
