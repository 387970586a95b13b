"""The queue of updates waiting for the bot, with Telegram's offset and allowed_updates rules."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Iterable
from typing import Any

_LOGGER = logging.getLogger(__name__)

# Telegram's default when allowed_updates is empty or never given.
_OPT_IN_ONLY = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdateQueue:
    """Updates not yet confirmed by the bot; getUpdates and the webhook both drain it."""

    def __init__(self) -> None:
        self._pending: deque[dict[str, Any]] = deque()
        self._next_id = 1
        self.allowed: frozenset[str] | None = None
        self._arrived = asyncio.Event()
        self.delivered = 0

    def __len__(self) -> int:
        return len(self._pending)

    def is_allowed(self, kind: str) -> bool:
        """Whether an update of `kind` would be queued under the current allowed_updates."""
        if self.allowed is None:
            return kind not in _OPT_IN_ONLY
        return kind in self.allowed

    def set_allowed(self, kinds: Iterable[str] | None) -> None:
        """Persist allowed_updates as Telegram does; None keeps the previous setting, [] resets it."""
        if kinds is None:
            return
        chosen = frozenset(kinds)
        self.allowed = chosen or None

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update; like Telegram, drop it when the bot did not subscribe to its kind."""
        if not self.is_allowed(kind):
            _LOGGER.debug("Dropping a %s update: not in allowed_updates", kind)
            return None
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._pending.append(update)
        self.wake()
        return update

    def confirm(self, offset: int) -> None:
        """Forget updates below a positive offset, or all but the last -offset ones for a negative one."""
        if offset > 0:
            while self._pending and self._pending[0]["update_id"] < offset:
                self._pending.popleft()
        elif offset < 0:
            while len(self._pending) > -offset:
                self._pending.popleft()

    def peek(self, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` oldest pending updates, still pending until confirmed."""
        return [self._pending[i] for i in range(min(limit, len(self._pending)))]

    def pop_first(self, update_id: int) -> None:
        """Remove the oldest update after a webhook delivered it."""
        if self._pending and self._pending[0]["update_id"] == update_id:
            self._pending.popleft()
            self.delivered += 1

    def clear(self) -> None:
        """drop_pending_updates."""
        self._pending.clear()

    async def wait(self, within: float) -> bool:
        """Wait until at least one update is pending; False on timeout."""
        if self._pending:
            return True
        # Each wake replaces the event, so a waiter can never miss one by clearing it.
        arrived = self._arrived
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                await arrived.wait()
        return bool(self._pending)

    def wake(self) -> None:
        """Release every waiting long poll and webhook sender."""
        self._arrived.set()
        self._arrived = asyncio.Event()
