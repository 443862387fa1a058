from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.filter
def link_pairs(spec: str) -> list[tuple[str, str]]:
    """'a:标签,ns:b:标签2' → [('a', '标签'), ('ns:b', '标签2')]: home-card links in one string."""
    pairs = []
    for part in spec.split(","):
        name, _, label = part.rpartition(":")
        pairs.append((name, label))
    return pairs


@register.simple_tag
def url_or_blank(name: str) -> str:
    """The URL of a named route, or '' while the feature behind it is not built yet."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@register.filter
def get_item(mapping: dict, key):
    """`mapping|get_item:key` in a template; None for a missing mapping."""
    return mapping.get(key) if mapping else None


@register.filter
def field_label(form, name: str) -> str:
    """The label of a form's field `name`, or the name when the form has no such field."""
    field = form.fields.get(name)
    return field.label if field is not None else name
