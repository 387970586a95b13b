"""Helpers for running a real Application against the sandbox."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

from telegram import Message, Update
from telegram.ext import Application


@contextlib.asynccontextmanager
async def polling(app: Application, **kwargs: Any) -> AsyncIterator[Application]:
    """Run `app` with long polling for the duration of the block, then shut it down cleanly."""
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(**kwargs)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def message_of(update: Update) -> Message:
    """The update's message: the handlers in these tests only receive updates that have one."""
    if update.effective_message is None:
        raise AssertionError(f"update without a message: {update}")
    return update.effective_message


def text_of(update: Update) -> str:
    """The text of the update's message."""
    return message_of(update).text or ""
