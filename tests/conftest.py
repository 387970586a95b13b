"""Fixtures: the offline Bot API server, and the real bot application running on it with a fresh database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_application, running
from bot.config import Config, TelegramConfig
from bot.context import BotApplication
from bot.registry.import_export import import_registry_csv
from bot.sandbox import BotApiServer, SandboxUser
from storage.db import Database

ADMIN_ID = 1001
SAMPLE_CSV = Path(__file__).parents[1] / "bot" / "data" / "partnerships-sample.csv"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh database file with the current schema, for repository tests."""
    database = await Database.open(tmp_path / "unit.db")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiServer]:
    """The offline Bot API server; a test fails if the bot called it in a way the Bot API spec forbids."""
    server = BotApiServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    assert not server.violations, f"the bot broke the Bot API spec: {server.violations}"
    assert not server.unanswered_callbacks(), "the bot left button presses unanswered"


@pytest.fixture
def bot_config(tmp_path: Path, sandbox: BotApiServer) -> Config:
    """A configuration pointing at the sandbox, with a fresh database and one admin."""
    return Config(
        telegram=TelegramConfig(
            token=sandbox.token, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url
        ),
        database_path=tmp_path / "bot.db",
        admins=(ADMIN_ID,),
    )


@pytest.fixture
async def registry(bot_config: Config) -> Path:
    """The sample partnerships, imported into the bot's database before it starts."""
    db = await Database.open(bot_config.database_path)
    try:
        report = await import_registry_csv(db, SAMPLE_CSV.read_bytes(), recorded_by="tests", source="sample")
    finally:
        await db.close()
    assert report.added == 8
    return bot_config.database_path


@pytest.fixture
async def bot(bot_config: Config, registry: Path) -> AsyncIterator[BotApplication]:
    """The real bot application, long polling the sandbox, on the sample registry."""
    async with running(build_application(bot_config), poll_timeout=1) as application:
        yield application


@pytest.fixture
def admin(sandbox: BotApiServer) -> SandboxUser:
    """The network's admin (named in the config)."""
    return sandbox.user(first_name="Ada", username="ada_admin", language_code="en", user_id=ADMIN_ID)
