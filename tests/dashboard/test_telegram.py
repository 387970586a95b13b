"""How the dashboard is offered on Telegram: /dashboard's button, and a menu button for staff and admins."""

from __future__ import annotations

from bot.app import build_application, running
from bot.config import Config
from bot.context import BotApplication
from bot.sandbox import BotApiServer, SandboxUser
from tests.people import Who, person, register, services_of


async def test_staff_get_a_button_that_opens_the_dashboard(
    dashboard_bot: BotApplication, sandbox: BotApiServer
) -> None:
    staff = await person(dashboard_bot, sandbox, Who.STAFF)
    await staff.send("/dashboard")
    reply = await staff.reply()
    assert "at a glance" in reply.text
    assert reply.web_apps == {"Dashboard": dashboard_bot.bot_data.config.webapp.url}
    # And the chat's menu button opens it from now on.
    button = sandbox.menu_button(staff.chat_id)
    assert button is not None
    assert button["web_app"]["url"] == dashboard_bot.bot_data.config.webapp.url


async def test_a_coordinator_gets_the_button_but_no_menu_button(
    dashboard_bot: BotApplication, sandbox: BotApiServer
) -> None:
    coordinator = await person(dashboard_bot, sandbox, Who.COORDINATOR)
    await coordinator.send("/dashboard")
    reply = await coordinator.reply()
    assert list(reply.web_apps) == ["Dashboard"]
    assert sandbox.menu_button(coordinator.chat_id) is None


async def test_members_are_not_offered_the_dashboard(
    dashboard_bot: BotApplication, sandbox: BotApiServer
) -> None:
    member = await person(dashboard_bot, sandbox, Who.MEMBER)
    await member.send("/dashboard")
    reply = await member.reply()
    assert "staff" in reply.text
    assert reply.web_apps == {}
    assert sandbox.menu_button(member.chat_id) is None


async def test_the_button_speaks_russian_to_a_russian_reader(
    dashboard_bot: BotApplication, sandbox: BotApiServer
) -> None:
    staff = sandbox.user("Olga", language_code="ru")
    await register(dashboard_bot, staff)
    await services_of(dashboard_bot).members.set_staff(staff.id, True)
    await staff.send("/dashboard")
    reply = await staff.reply()
    assert list(reply.web_apps) == ["Панель"]
    assert sandbox.menu_button(staff.chat_id) == {
        "type": "web_app",
        "text": "Панель",
        "web_app": {"url": dashboard_bot.bot_data.config.webapp.url},
    }


async def test_admins_and_staff_get_the_menu_button_at_start_up(
    webapp_config: Config, registry: object, sandbox: BotApiServer, admin: SandboxUser
) -> None:
    staff = sandbox.user("Stan")
    member = sandbox.user("Mo")
    async with running(build_application(webapp_config), poll_timeout=1) as bot:
        await register(bot, staff)
        await services_of(bot).members.set_staff(staff.id, True)
        await register(bot, member)
    async with running(build_application(webapp_config), poll_timeout=1):
        await sandbox.wait_until(lambda: sandbox.menu_button(staff.chat_id))
        assert sandbox.menu_button(admin.chat_id) is not None
        assert sandbox.menu_button(member.chat_id) is None


async def test_promotion_brings_the_menu_button_and_demotion_takes_it_away(
    dashboard_bot: BotApplication, sandbox: BotApiServer, admin: SandboxUser
) -> None:
    await register(dashboard_bot, admin)
    someone = sandbox.user("Pat", username="pat")
    await register(dashboard_bot, someone)
    await admin.send("/promote @pat")
    assert "now staff" in (await admin.reply()).text
    assert sandbox.menu_button(someone.chat_id) is not None
    await admin.send("/demote @pat")
    assert "no longer staff" in (await admin.reply()).text
    assert sandbox.menu_button(someone.chat_id) is None


async def test_without_a_dashboard_nobody_gets_a_menu_button(
    bot: BotApplication, sandbox: BotApiServer, admin: SandboxUser
) -> None:
    await register(bot, admin)
    await admin.send("/dashboard")
    assert "not set up" in (await admin.reply()).text
    assert sandbox.menu_button(admin.chat_id) is None
    assert not [call for call in sandbox.journal if call.method == "setChatMenuButton"]
