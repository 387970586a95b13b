"""People served side by side: updates from different people run concurrently, one person's in order.

python-telegram-bot's own concurrent mode runs any updates at once, which would let someone's second
message overtake their first and break their conversation (ConversationHandler relies on updates of one
conversation arriving one by one). Here each update waits for the previous update of the same person (the
same chat, or the same user where there is no chat) and then for one of `running` places; updates of
other people do not wait for it. Handlers run as replies for the pacer.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.pacing import Priority, sending_as

RUNNING = 32  # handlers running at once; enough to keep the pacer's 30 slots a second busy
WAITING = 4096  # updates taken from the queue at once (running, or waiting behind their person)


def person_of(update: object) -> int | str | None:
    """The key that orders updates: the chat (a private chat's id is its user's), else the user."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class PerPersonUpdates(BaseUpdateProcessor):
    """Bounded concurrent processing that keeps each person's updates in the order they came."""

    def __init__(self, running: int = RUNNING, waiting: int = WAITING) -> None:
        # PTB's semaphore bounds the updates in hand; a person's queued updates wait without a place.
        super().__init__(max_concurrent_updates=max(waiting, running))
        self.running = running
        self._places = asyncio.Semaphore(running)
        self._last: dict[int | str, asyncio.Future[None]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the person's previous update and a free place, then handle this one as a reply."""
        key = person_of(update)
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        previous = self._last.get(key) if key is not None else None
        if key is not None:
            self._last[key] = done
        started = False
        try:
            if previous is not None:
                await asyncio.shield(previous)
            async with self._places:
                started = True
                with sending_as(Priority.REPLY):
                    await coroutine
        finally:
            if not started and inspect.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting: never started, so no "never awaited" warning
            done.set_result(None)
            if key is not None and self._last.get(key) is done:
                del self._last[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: PTB waits for the updates in hand before it shuts down."""
        self._last.clear()
