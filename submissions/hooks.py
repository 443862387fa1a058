"""After-transition hooks: a small, named registry that lets code react to an item's act
without actions.py importing it (emergencies time and close their case on sign-off).

`actions.transition()` calls `after_transition(item, user, action)` as its last step, so
every receiver runs inside the act's transaction: if a receiver fails, the act is undone.
Receivers register in `SubmissionsConfig.ready()`; they must tolerate being called twice
for the same item (a returned item is signed off again).
"""

from collections.abc import Callable

# Each receiver takes (item, user, action) and returns nothing.
AFTER_TRANSITION: list[Callable] = []


def register(receiver: Callable) -> Callable:
    """Add a receiver once (ready() may run more than once in tests)."""
    if receiver not in AFTER_TRANSITION:
        AFTER_TRANSITION.append(receiver)
    return receiver


def after_transition(item, user, action: str) -> None:
    for receiver in AFTER_TRANSITION:
        receiver(item, user, action)
