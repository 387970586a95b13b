"""Helpers for running a real Application against the sandbox."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

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
