"""Fixtures that run a real python-telegram-bot Application against the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from telegram import Bot
from telegram.ext import Application, ApplicationBuilder

from bot.sandbox import BotApiServer


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    """A started sandbox; the test fails if the bot sent anything the Bot API does not define."""
    async with BotApiServer() as sandbox:
        yield sandbox
        assert not sandbox.violations, f"Bot API spec violations: {sandbox.violations}"


@pytest.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    """A plain Bot talking to the sandbox."""
    async with Bot(server.token, base_url=server.base_url, base_file_url=server.base_file_url) as client:
        yield client


@pytest.fixture
def builder(server: BotApiServer) -> Callable[[], ApplicationBuilder]:
    """An Application builder already pointed at the sandbox."""

    def make() -> ApplicationBuilder:
        return (
            Application.builder()
            .token(server.token)
            .base_url(server.base_url)
            .base_file_url(server.base_file_url)
        )

    return make
