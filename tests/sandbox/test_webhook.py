"""Webhook mode: the sandbox POSTs updates to PTB's own webhook server, secret header included."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from telegram import Bot, Update
from telegram.error import BadRequest, Conflict
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from bot.sandbox import BotApiServer
from tests.sandbox.helpers import free_port, message_of


async def _pong(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer /ping."""
    await message_of(update).reply_text("pong")


async def test_updates_arrive_through_the_webhook_with_the_secret(
    server: BotApiServer, builder: Callable[[], ApplicationBuilder]
) -> None:
    app = builder().build()
    app.add_handler(CommandHandler("ping", _pong))
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    alice = server.user()
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="telegram", webhook_url=url, secret_token="s3cret-Token"
        )
        try:
            info = await app.bot.get_webhook_info()
            await alice.send("/ping")
            reply = await alice.reply()
            with pytest.raises(Conflict, match="webhook is active"):
                await app.bot.get_updates()
        finally:
            await app.updater.stop()
            await app.stop()

    assert info.url == url
    assert reply.text == "pong"
    assert server.world.webhook_status.last_error_message is None


async def test_a_wrong_secret_is_refused_by_ptb(
    server: BotApiServer, builder: Callable[[], ApplicationBuilder], bot: Bot
) -> None:
    app = builder().build()
    app.add_handler(CommandHandler("ping", _pong))
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    alice = server.user()
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="telegram", webhook_url=url, secret_token="right"
        )
        try:
            await bot.set_webhook(url, secret_token="wrong")
            await alice.send("/ping")
            error = await server.wait_until(lambda: server.world.webhook_status.last_error_message)
            await alice.no_reply(within=0.2)
        finally:
            await app.updater.stop()
            await app.stop()

    assert "403" in error


async def test_webhooks_only_go_to_loopback_addresses(bot: Bot, server: BotApiServer) -> None:
    for url in ("https://example.org/hook", "http://10.0.0.1/hook", "http://[::2]/hook"):
        with pytest.raises(BadRequest, match="Bad webhook"):
            await bot.set_webhook(url)
    for url in ("http://localhost:1/hook", "http://127.1.2.3:1/hook", "http://[::1]:1/hook"):
        assert await bot.set_webhook(url)
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == ""


async def test_drop_pending_updates(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    await alice.send("old news")
    await bot.delete_webhook(drop_pending_updates=True)
    await alice.send("fresh")
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["fresh"]
