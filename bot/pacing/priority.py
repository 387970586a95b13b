"""Which class a request to Telegram belongs to: a reply, a notification, or a bulk delivery."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from enum import IntEnum
from typing import Any, TypedDict


class Priority(IntEnum):
    """Lower goes first; within a class, first come first served."""

    REPLY = 0  # to someone who just wrote or pressed a button
    NOTIFICATION = 1  # reminders, digests, join requests, approvals: nobody is waiting on the screen
    BULK = 2  # broadcast deliveries

    @property
    def label(self) -> str:
        """The class's name in counters and logs."""
        return self.name.lower()


class PacingArgs(TypedDict, total=False):
    """What a caller may pass as `rate_limit_args` to any Bot method: `rate_limit_args={"priority": ...}`."""

    priority: Priority


# Set by the update processor (a reply) and by services that send on their own (a notification, bulk).
_current: ContextVar[Priority | None] = ContextVar("send_priority", default=None)

# Sends made outside any update and without a stated class (a job, start-up) are notifications.
DEFAULT_PRIORITY = Priority.NOTIFICATION


@contextmanager
def sending_as(priority: Priority) -> Iterator[None]:
    """Every request made inside the block (and in tasks it starts) belongs to `priority`."""
    token = _current.set(priority)
    try:
        yield
    finally:
        _current.reset(token)


def priority_of(rate_limit_args: Mapping[str, Any] | None) -> Priority:
    """A request's class: what the caller said, else what the code around it set, else a notification."""
    if rate_limit_args:
        stated = rate_limit_args.get("priority")
        if stated is not None:
            return Priority(stated)
    current = _current.get()
    return DEFAULT_PRIORITY if current is None else current
