"""The audit log in the dashboard: the admins read it, staff do not."""

from __future__ import annotations

from typing import Any

from bot.context import BotApplication
from bot.sandbox import BotApiServer, SandboxUser
from tests.dashboard.conftest import DashboardClient
from tests.people import Who, person, register


async def test_an_admin_reads_what_staff_and_admins_did(
    dashboard_bot: BotApplication,
    dashboard: DashboardClient,
    sandbox: BotApiServer,
    admin: SandboxUser,
    sign_for: Any,
) -> None:
    await register(dashboard_bot, admin)
    someone = sandbox.user("Pat", username="pat")
    await register(dashboard_bot, someone)
    await admin.send("/promote @pat")
    assert "now staff" in (await admin.reply()).text
    status, body = await dashboard.get("api/audit", sign_for(admin))
    assert status == 200
    assert body["total"] == 1
    [entry] = body["rows"]
    assert (entry["actor"], entry["action"], entry["subject"]) == (
        "Ada (@ada_admin)",
        "staff_promoted",
        "Pat (@pat)",
    )
    assert entry["action_label"] == "made staff"
    assert (entry["before"], entry["after"]) == ({"staff": False}, {"staff": True})
    _status, me = await dashboard.get("api/me", sign_for(admin))
    assert me["sees_audit"] is True


async def test_staff_are_refused_the_audit_log(
    dashboard_bot: BotApplication, dashboard: DashboardClient, sandbox: BotApiServer, sign_for: Any
) -> None:
    staff = await person(dashboard_bot, sandbox, Who.STAFF)
    status, body = await dashboard.get("api/audit", sign_for(staff))
    assert status == 403
    assert "admins" in body["message"]
    _status, me = await dashboard.get("api/me", sign_for(staff))
    assert me["sees_audit"] is False
