"""Every request to the dashboard proves who sends it, and sees only what that person may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.context import BotApplication
from bot.sandbox import BotApiServer
from storage.members import Role
from tests.dashboard.conftest import DashboardClient, init_data_for
from tests.people import KOSTROMA, Who, person, seat

ENDPOINTS = ["api/me", "api/partnerships", "api/trends", "api/partnerships.csv", "api/partnerships/1"]


async def test_staff_see_the_whole_network(
    dashboard_bot: BotApplication, dashboard: DashboardClient, sandbox: BotApiServer, sign_for: Any
) -> None:
    staff = await person(dashboard_bot, sandbox, Who.STAFF)
    status, body = await dashboard.get("api/partnerships", sign_for(staff))
    assert status == 200
    assert body["total"] == 8
    status, me = await dashboard.get("api/me", sign_for(staff))
    assert (status, me["scope"], me["user"]["id"]) == (200, "network", staff.id)


async def test_the_admin_named_in_the_config_sees_everything(
    dashboard_bot: BotApplication, dashboard: DashboardClient, sandbox: BotApiServer, sign_for: Any
) -> None:
    admin = await person(dashboard_bot, sandbox, Who.ADMIN)
    status, body = await dashboard.get("api/partnerships", sign_for(admin))
    assert (status, body["total"]) == (200, 8)


@pytest.mark.parametrize("who", [Who.ANYONE, Who.MEMBER])
async def test_members_and_strangers_are_refused_staff_data(
    dashboard_bot: BotApplication, dashboard: DashboardClient, sandbox: BotApiServer, sign_for: Any, who: Who
) -> None:
    someone = await person(dashboard_bot, sandbox, who)
    for endpoint in ENDPOINTS:
        status, body = await dashboard.get(endpoint, sign_for(someone))
        assert status == 403, endpoint
        assert "staff" in body["message"]


async def test_someone_the_bot_never_met_is_refused(
    dashboard_bot: BotApplication, dashboard: DashboardClient, sandbox: BotApiServer, sign_for: Any
) -> None:
    stranger = sandbox.user("Eve")
    status, _body = await dashboard.get("api/partnerships", sign_for(stranger))
    assert status == 403


async def test_a_coordinator_sees_only_their_committees(
    dashboard_bot: BotApplication, dashboard: DashboardClient, sandbox: BotApiServer, sign_for: Any
) -> None:
    coordinator = await person(dashboard_bot, sandbox, Who.COORDINATOR)  # of Roanoke – Pskov
    # A seat as a plain member elsewhere does not widen the view.
    kostroma = await seat(dashboard_bot, coordinator, KOSTROMA, Role.MEMBER)
    init_data = sign_for(coordinator)
    status, body = await dashboard.get("api/partnerships", init_data)
    assert status == 200
    assert [(row["us_name"], row["partner_name"]) for row in body["rows"]] == [("Roanoke", "Pskov")]
    status, me = await dashboard.get("api/me", init_data)
    assert me["scope"] == "committees"
    assert [c["value"] for c in me["countries"]] == ["Russia"]
    status, trends = await dashboard.get("api/trends", init_data)
    assert [(c["country"], c["total"]) for c in trends["countries"]] == [("Russia", 1)]
    status, csv_text = await dashboard.get("api/partnerships.csv", init_data)
    assert status == 200
    assert "Pskov" in csv_text
    assert "Kostroma" not in csv_text
    assert "Wonju" not in csv_text
    status, _body = await dashboard.get(f"api/partnerships/{kostroma}", init_data)
    assert status == 403
    pskov = body["rows"][0]["id"]
    status, detail = await dashboard.get(f"api/partnerships/{pskov}", init_data)
    assert status == 200
    assert detail["contacts"] is not None
    assert [seat["name"] for seat in detail["committee"]] == ["Coordinator"]


def _tamper(init_data: str, **changes: str) -> str:
    fields = dict(parse_qsl(init_data))
    fields.update(changes)
    return urlencode(fields)


def _without(init_data: str, name: str) -> str:
    return urlencode({k: v for k, v in parse_qsl(init_data) if k != name})


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda good, staff, token: _tamper(good, query_id="changed"), id="changed field"),
        pytest.param(lambda good, staff, token: _tamper(good, hash="ab" * 32), id="wrong hash"),
        pytest.param(lambda good, staff, token: _without(good, "hash"), id="missing hash"),
        pytest.param(
            lambda good, staff, token: init_data_for(
                staff, token, signed_at=datetime.now(UTC) - timedelta(hours=1, minutes=1)
            ),
            id="expired auth_date",
        ),
        pytest.param(
            lambda good, staff, token: init_data_for(staff, "987654321:another-bots-token-entirely"),
            id="another bot's token",
        ),
        pytest.param(lambda good, staff, token: None, id="no initData"),
    ],
)
async def test_forged_or_stale_init_data_is_refused(
    dashboard_bot: BotApplication, dashboard: DashboardClient, sandbox: BotApiServer, forge: Any
) -> None:
    staff = await person(dashboard_bot, sandbox, Who.STAFF)
    good = init_data_for(staff, sandbox.token)
    assert (await dashboard.get("api/partnerships", good))[0] == 200
    forged = forge(good, staff, sandbox.token)
    for endpoint in ENDPOINTS:
        status, body = await dashboard.get(endpoint, forged)
        assert status == 401, endpoint
        assert "Telegram" in body["message"]


async def test_a_refusal_is_in_the_browser_s_language(
    dashboard_bot: BotApplication, dashboard: DashboardClient
) -> None:
    async with dashboard.session.get(
        f"{dashboard.base}api/me", headers={"Accept-Language": "ru-RU,ru;q=0.9"}
    ) as response:
        assert response.status == 401
        assert "Telegram" in (await response.json())["message"]
        assert "Откройте" in (await response.json())["message"]


async def test_the_page_and_its_files_need_no_signature_but_are_never_cached(
    dashboard_bot: BotApplication, dashboard: DashboardClient
) -> None:
    for path in ["", "static/app.js", "static/app.css"]:
        async with dashboard.session.get(f"{dashboard.base}{path}") as response:
            assert response.status == 200
            assert response.headers["Cache-Control"] == "no-store"
            assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    async with dashboard.session.get(dashboard.base.rstrip("/"), allow_redirects=False) as response:
        assert response.status == 308
        assert response.headers["Location"] == "/dashboard/"
