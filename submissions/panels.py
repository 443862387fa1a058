"""Extra panels on the item page, contributed by apps to the right (publications shows
adoptions there) without this app importing them: they register in AppConfig.ready()."""

from collections.abc import Callable

# Each provider takes (request, item) and returns {"template": ..., **context} or None.
ITEM_PANELS: list[Callable] = []


def register(provider: Callable) -> Callable:
    ITEM_PANELS.append(provider)
    return provider


def panels_for(request, item) -> list[dict]:
    return [p for p in (provider(request, item) for provider in ITEM_PANELS) if p]
