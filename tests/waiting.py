"""Waiting in tests: on a condition, with a deadline, never for a fixed time.

A fixed sleep is either too short on a busy machine (the test fails by chance) or too
long on an idle one (every run pays for it). Polling a condition returns as soon as it
holds and fails with a message when it never does.
"""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(condition: Callable[[], T], *, timeout: float, interval: float = 0.05, what: str = "") -> T:
    """Call `condition` until it returns something truthy, and return that; fail the test
    after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"not within {timeout:g} s: {what or getattr(condition, '__name__', condition)}")
        time.sleep(interval)
