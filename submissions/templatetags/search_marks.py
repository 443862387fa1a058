"""Highlights of a search in item lists (issue 18): the words of the query in <mark>,
in the title and in a piece of the body around the first match. Text is escaped; a 敏感
item is never marked nor quoted (a search never finds one, and its body stays sealed)."""

from django import template
from django.template.defaultfilters import truncatechars
from django.utils.html import format_html

from submissions import search

register = template.Library()


def _q(params) -> str:
    # The page's GET parameters: a list without a search has no "q".
    return params.get("q", "") if hasattr(params, "get") else str(params or "")


@register.filter
def search_title(item, params, length: int = 40):
    """The item's title as the list shows it (cut to `length`), the words searched marked."""
    q = _q(params)
    title = truncatechars(item.plain_title, length)
    if not q or item.is_sensitive:
        return title
    return search.mark(title, q)


@register.filter
def search_snippet(item, params):
    """Where the body holds a word searched, that part of it, marked; else ""."""
    q = _q(params)
    if not q or item.is_sensitive:
        return ""
    piece = search.snippet(item.body, q)
    return format_html('<div class="small text-muted search-snippet">{}</div>', piece) if piece else ""
