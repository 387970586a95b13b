"""The real application end to end on the offline server: commands, errors, webhook mode, secrets."""

from __future__ import annotations

import logging
import socket
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.app import build_application, running
from bot.config import Config, ConfigError, TelegramConfig
from bot.context import BotContext
from bot.sandbox import BotApiServer, SandboxUser
from tests.conftest import ADMIN_ID


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_help_answers_through_long_polling(sandbox: BotApiServer, bot: object) -> None:
    alice = sandbox.user(first_name="Alice", language_code="en")
    await alice.send("/help")
    reply = await alice.reply()
    assert "/start" in reply.text


async def test_command_lists_are_published_in_english_and_russian(sandbox: BotApiServer, bot: object) -> None:
    calls = [call for call in sandbox.journal if call.method == "setMyCommands"]
    by_language = {call.params.get("language_code"): call.params["commands"] for call in calls}
    assert set(by_language) == {None, "ru"}
    english = {c["command"]: c["description"] for c in by_language[None]}
    russian = {c["command"]: c["description"] for c in by_language["ru"]}
    assert set(english) == set(russian)
    assert "help" in english
    assert english["help"] != russian["help"]


async def test_an_error_is_reported_to_the_admins_and_the_person_hears_back(
    sandbox: BotApiServer, bot_config: Config, registry: Path, admin: SandboxUser
) -> None:
    async def fail(update: Update, context: BotContext) -> None:
        raise RuntimeError("the printer is on fire")

    application = build_application(bot_config)
    application.add_handler(CommandHandler("boom", fail), group=-1)
    olga = sandbox.user(first_name="Olga", language_code="ru")
    async with running(application, poll_timeout=1):
        await olga.send("/boom")
        apology = await olga.reply()
        report = await admin.reply()
    assert apology.text.startswith("Извините")
    assert "RuntimeError: the printer is on fire" in report.text


async def test_a_button_whose_handler_fails_is_still_answered(
    sandbox: BotApiServer, bot_config: Config, registry: Path, admin: SandboxUser
) -> None:
    async def offer(update: Update, context: BotContext) -> None:
        assert update.effective_message
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Break", callback_data="break")]])
        await update.effective_message.reply_text("Press it", reply_markup=keyboard)

    async def fail(update: Update, context: BotContext) -> None:
        raise RuntimeError("the button is broken")

    application = build_application(bot_config)
    application.add_handler(CommandHandler("offer", offer), group=-1)
    application.add_handler(CallbackQueryHandler(fail, pattern="^break$"), group=-1)
    alice = sandbox.user(first_name="Alice")
    async with running(application, poll_timeout=1):
        await alice.send("/offer")
        offered = await alice.reply()
        # (the test-only /offer is also answered by the bot's hint for commands it does not know)
        await alice.press(offered, "Break")
        await sandbox.wait_until(
            lambda: any(m.text.startswith("Sorry, something went wrong") for m in alice.messages)
        )
        assert "the button is broken" in (await admin.reply()).text


async def test_webhook_mode_receives_updates_with_the_secret_token(
    sandbox: BotApiServer, bot_config: Config, registry: Path
) -> None:
    port = free_port()
    config = replace(
        bot_config,
        telegram=replace(
            bot_config.telegram,
            mode="webhook",
            webhook_url=f"http://127.0.0.1:{port}/sisterbot/hook",
            listen="127.0.0.1",
            port=port,
            secret_token="test-secret-token",
        ),
    )
    alice = sandbox.user(first_name="Alice", language_code="en")
    async with running(build_application(config)):
        info = [call for call in sandbox.journal if call.method == "setWebhook"][-1]
        assert info.params["url"] == f"http://127.0.0.1:{port}/sisterbot/hook"
        assert info.params["secret_token"] == "test-secret-token"
        assert not [call for call in sandbox.journal if call.method == "getUpdates"]
        await alice.send("/help")
        assert "/start" in (await alice.reply()).text


def webhook_config(bot_config: Config, port: int, secret: str | None) -> Config:
    return replace(
        bot_config,
        telegram=replace(
            bot_config.telegram,
            mode="webhook",
            webhook_url=f"http://127.0.0.1:{port}/sisterbot/hook",
            listen="127.0.0.1",
            port=port,
            secret_token=secret,
        ),
    )


def forged_promotion(update_id: int, target: int) -> dict[str, object]:
    """An update anyone could post to the webhook: the admin, it claims, sends /promote."""
    text = f"/promote {target}"
    admin = {"id": ADMIN_ID, "is_bot": False, "first_name": "Ada"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": ADMIN_ID, "type": "private", "first_name": "Ada"},
            "from": admin,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len("/promote")}],
        },
    }


async def test_webhook_mode_without_a_secret_does_not_open_its_port(
    sandbox: BotApiServer, bot_config: Config, registry: Path
) -> None:
    # Before the fix, the server started and a forged POST made a stranger staff.
    port = free_port()
    with pytest.raises(ConfigError, match=r"^\[telegram\] secret_token: required"):
        async with running(build_application(webhook_config(bot_config, port, None))):
            pass
    assert not sandbox.calls("setWebhook")
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


async def test_a_webhook_post_without_the_secret_changes_nothing(
    sandbox: BotApiServer, bot_config: Config, registry: Path
) -> None:
    port = free_port()
    mallory = sandbox.user("Mallory")
    application = build_application(webhook_config(bot_config, port, "test-secret-token"))
    async with running(application), aiohttp.ClientSession() as session:
        await application.bot_data.services.members.upsert(
            mallory.id, first_name="Mallory", last_name="", username=None, telegram_language="en"
        )
        url = f"http://127.0.0.1:{port}/sisterbot/hook"
        async with session.post(url, json=forged_promotion(1, mallory.id)) as response:
            assert response.status == 403
        wrong = {"X-Telegram-Bot-Api-Secret-Token": "guessed"}
        async with session.post(url, json=forged_promotion(2, mallory.id), headers=wrong) as response:
            assert response.status == 403
        member = await application.bot_data.services.members.get(mallory.id)
        assert member is not None
        assert not member.is_staff


async def test_the_token_never_reaches_the_logs(
    sandbox: BotApiServer, bot_config: Config, registry: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    alice = sandbox.user(first_name="Alice")
    async with running(build_application(bot_config), poll_timeout=1):
        await alice.send("/help")
        await alice.reply()
    assert caplog.records
    secret = sandbox.token.split(":", 1)[1]
    assert secret not in caplog.text


async def test_stopping_closes_the_services(
    sandbox: BotApiServer, bot_config: Config, registry: Path
) -> None:
    application = build_application(bot_config)
    async with running(application, poll_timeout=1):
        assert application.bot_data.started
    assert not application.bot_data.started
    # Nothing holds the database any more: its write-ahead log was merged back when it closed.
    assert not bot_config.database_path.with_name(bot_config.database_path.name + "-wal").exists()


def test_a_config_for_the_sandbox_needs_no_real_token(sandbox: BotApiServer) -> None:
    config = Config(telegram=TelegramConfig(token=sandbox.token, base_url=sandbox.base_url))
    assert config.require_token() == sandbox.token


async def test_a_reader_of_another_language_gets_the_configured_default(
    sandbox: BotApiServer, bot_config: Config, registry: Path
) -> None:
    config = replace(bot_config, defaults=replace(bot_config.defaults, language="ru"))
    hans = sandbox.user(first_name="Hans", language_code="de")
    async with running(build_application(config), poll_timeout=1):
        await hans.send("/help")
        assert (await hans.reply()).text.startswith("Что я умею:")
