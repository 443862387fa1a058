"""Chinese search of items through an index (issue 18): character unigrams and bigrams.

Chinese has no spaces between words, so the search keeps the semantics users had with a
substring scan: every item whose title or body contains the typed text. To find those
through an index, each item's text is cut into its characters (unigrams) and pairs of
adjacent characters (bigrams), stored as the lexemes of a `tsvector` in
`submissions_itemsearch` (one row per item, a GIN index on it). A query word of one
character looks up its unigram; a word of two characters its bigram (both exact: having
the gram is containing the word); a longer word needs all its bigrams, and the few
candidates that have them are then checked with LIKE, since its bigrams may stand apart.

The grams are computed by PostgreSQL itself (`submissions_search_grams`, migration 0008)
in a trigger on submissions_item, so every writer keeps them current: the actions'
conditional UPDATE, bulk_create in imports and the seeder, the admin, key rotation. They
live in a table of their own so that listing items never loads them, and a move of an
item (a state change) does not rewrite them.

敏感 items have no row: their text is never indexed (the trigger sees ciphertext only, and
deletes the row when an item becomes 敏感), so they are found by nobody's text search,
and the highlights below never see sealed text. SQLite keeps a plain scan with the same
results.

Several space-separated words must all be found; with a query, title matches come first,
then the list's own order (newest first).
"""

from django.contrib.postgres.search import SearchQueryField
from django.db import connection, transaction
from django.db.models import BooleanField, Case, F, Func, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

MAX_WORDS = 8  # a query of more words is cut: each costs an index lookup

# The grams leave out spaces ([ \t\n\r\f\v\u00a0\u3000] below: a gram never spans
# one); Python's str.split() splits on each, so a query word never holds one, and the
# index has every gram of every word.
FUNCTION = r"""
CREATE OR REPLACE FUNCTION submissions_search_grams(title text, body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_to_tsvector(coalesce(array_agg(DISTINCT g), '{}')) FROM (
    SELECT ch, lead(ch) OVER (ORDER BY n) AS nx
    FROM string_to_table(coalesce(title, '') || E'\n' || coalesce(body, ''), NULL) WITH ORDINALITY AS t(ch, n)
  ) s, LATERAL (VALUES (ch), (ch || nx)) AS v(g)
  WHERE ch !~ '[ \t\n\r\f\v\u00a0\u3000]' AND g IS NOT NULL AND (g = ch OR nx !~ '[ \t\n\r\f\v\u00a0\u3000]')
$$
"""
# string_to_table and lead() walk the text once: indexing a text[] by position in SQL
# costs O(n) per access (variable-width elements), O(n²) an item — 240 ms for 1,500 chars.

TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION submissions_item_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.confidentiality = 'sensitive' THEN
        DELETE FROM submissions_itemsearch WHERE item_id = NEW.id;
    ELSE
        INSERT INTO submissions_itemsearch (item_id, grams)
        VALUES (NEW.id, submissions_search_grams(NEW.title, NEW.body))
        ON CONFLICT (item_id) DO UPDATE SET grams = EXCLUDED.grams;
    END IF;
    RETURN NULL;
END
$$
"""
TRIGGERS = [
    "CREATE TRIGGER item_search_ins AFTER INSERT ON submissions_item"
    " FOR EACH ROW EXECUTE FUNCTION submissions_item_search()",
    # Only a change of the text or of 敏感 touches the grams: moves, edits of other fields
    # and a full save() that rewrites the same text cost nothing.
    "CREATE TRIGGER item_search_upd AFTER UPDATE OF title, body, confidentiality ON submissions_item"
    " FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.body IS DISTINCT FROM NEW.body"
    " OR OLD.confidentiality IS DISTINCT FROM NEW.confidentiality) EXECUTE FUNCTION submissions_item_search()",
]
INDEX = "CREATE INDEX IF NOT EXISTS itemsearch_grams_gin ON submissions_itemsearch USING gin (grams)"
DROP = [
    "DROP TRIGGER IF EXISTS item_search_upd ON submissions_item",
    "DROP TRIGGER IF EXISTS item_search_ins ON submissions_item",
    "DROP FUNCTION IF EXISTS submissions_item_search()",
    "DROP FUNCTION IF EXISTS submissions_search_grams(text, text)",
]


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
    spaces = set(" \t\n\r\f\v\u00a0\u3000")
    text = f"{title}\n{body}"
    grams = {ch for ch in text if ch not in spaces}
    grams.update(a + b for a, b in zip(text, text[1:], strict=False) if a not in spaces and b not in spaces)
    return grams


def _lexeme(gram: str) -> str:
    # tsquery input: a quoted lexeme, quotes doubled and backslashes escaped; no parser
    # and no dictionary run on it, so it is compared as stored.
    return "'" + gram.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(found: list[str]) -> str:
    grams = dict.fromkeys(g for w in found for g in word_grams(w))
    return " & ".join(_lexeme(g) for g in grams)


class GramsMatch(Func):
    """`grams @@ '<lexemes>'::tsquery` on the item search table."""

    arg_joiner = " @@ "
    template = "%(expressions)s"
    output_field = BooleanField()

    def __init__(self, query: str):
        super().__init__(F("grams"), Cast(Value(query), SearchQueryField()))


def _contains_all(found: list[str], field: str) -> Q:
    q = Q()
    for word in found:
        q &= Q(**{f"{field}__contains": word})
    return q


def _contains_each(found: list[str]) -> Q:
    """Every word in the title or in the body (each word may be in either)."""
    q = Q()
    for word in found:
        q &= Q(title__contains=word) | Q(body__contains=word)
    return q


def filter_text(qs: QuerySet, q: str) -> QuerySet:
    """Items of `qs` whose title or body contains every word of `q`; 敏感 items never."""
    from .models import Confidentiality, ItemSearch

    found = words(q)
    if not found:
        return qs
    qs = qs.exclude(confidentiality=Confidentiality.SENSITIVE)
    if connection.vendor != "postgresql":
        return qs.filter(_contains_each(found))
    qs = qs.filter(pk__in=ItemSearch.objects.filter(GramsMatch(tsquery(found))).values("item_id"))
    # Grams of one or two characters are the word itself; longer words are checked on
    # the candidates, whose bigrams may stand apart.
    longer = [w for w in found if len(w) > 2]
    return qs.filter(_contains_each(longer)) if longer else qs


def ranked(qs: QuerySet, q: str, *order: str) -> QuerySet:
    """`qs` ordered for a search: items whose title holds every word first, then `order`."""
    found = words(q)
    if not found:
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
    return _contains_each_in(words(q), title, body)


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


def _contains_each_in(found: list[str], title: str, body: str) -> Q:
    q = Q()
    for word in found:
        q &= Q(**{f"{title}__contains": word}) | Q(**{f"{body}__contains": word})
    return q


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
    """Grams for every item that has none (items from before the index, or a restore
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
                "INSERT INTO submissions_itemsearch (item_id, grams)"
                " SELECT id, submissions_search_grams(title, body) FROM submissions_item"
                " WHERE id = ANY(%s) AND confidentiality <> 'sensitive' ON CONFLICT (item_id) DO NOTHING",
                [ids],
            )
            filled += cursor.rowcount
        after = ids[-1]
        if log:
            log(f"  {filled:,} items indexed (up to id {after})")
