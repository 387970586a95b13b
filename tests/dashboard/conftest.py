"""The bot with its dashboard on, and a client that opens the dashboard as Telegram would for a person."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from bot.app import build_application, running
from bot.config import Config, WebAppConfig
from bot.context import BotApplication
from bot.dashboard.initdata import sign
from bot.sandbox import BotApiServer, SandboxUser
from storage.contacts import Channel
from tests.sandbox.helpers import free_port

_TODAY = datetime.now(UTC).date()
# A few months of contacts for charts: (channel, date).
TODAY_CONTACTS: list[tuple[Channel, date]] = [
    (Channel.ZOOM, _TODAY),
    (Channel.ZOOM, _TODAY - timedelta(days=35)),
    (Channel.EMAIL, _TODAY - timedelta(days=35)),
    (Channel.LETTER_SENT, _TODAY - timedelta(days=70)),
    (Channel.LETTER_RECEIVED, _TODAY - timedelta(days=100)),
]


@pytest.fixture
def webapp_config(bot_config: Config) -> Config:
    """The sandbox's configuration with the dashboard served on a free port of this machine."""
    port = free_port()
    webapp = WebAppConfig(url=f"http://127.0.0.1:{port}/dashboard/", listen="127.0.0.1", port=port)
    return replace(bot_config, webapp=webapp)


@pytest.fixture
async def dashboard_bot(webapp_config: Config, registry: object) -> AsyncIterator[BotApplication]:
    """The real bot on the sample registry, its dashboard listening."""
    async with running(build_application(webapp_config), poll_timeout=1) as application:
        yield application


def init_data_for(
    user: SandboxUser, token: str, *, signed_at: datetime | None = None, language: str | None = None
) -> str:
    """initData Telegram would give `user` opening this bot's Mini App."""
    person = {"id": user.id, "first_name": user.first_name, "language_code": language or user.language_code}
    return sign(token, person, signed_at=signed_at or datetime.now(UTC) - timedelta(seconds=5))


@dataclass
class DashboardClient:
    """Calls the dashboard's endpoints with a given initData, as the page does."""

    base: str
    session: aiohttp.ClientSession

    async def get(self, path: str, init_data: str | None, **params: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"tma {init_data}"} if init_data is not None else {}
        query = {key: str(value) for key, value in params.items()}
        async with self.session.get(f"{self.base}{path}", headers=headers, params=query) as response:
            if response.content_type == "application/json":
                return response.status, await response.json()
            return response.status, await response.text()


@pytest.fixture
async def dashboard(dashboard_bot: BotApplication) -> AsyncIterator[DashboardClient]:
    """A client of the running dashboard."""
    url = dashboard_bot.bot_data.config.webapp.url
    assert url is not None
    async with aiohttp.ClientSession() as session:
        yield DashboardClient(url, session)


@pytest.fixture
def sign_for(sandbox: BotApiServer) -> Any:
    """initData for a sandbox user, signed with the bot's token."""

    def signer(user: SandboxUser, **kwargs: Any) -> str:
        return init_data_for(user, sandbox.token, **kwargs)

    return signer
