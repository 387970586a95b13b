"""Updates reach a real Application through getUpdates exactly as Telegram delivers them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from telegram import Bot, Update
from telegram.error import Conflict
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes, MessageHandler, filters

from bot.sandbox import BotApiServer
from tests.sandbox.helpers import message_of, polling, text_of


async def test_get_me_describes_the_bot(bot: Bot, server: BotApiServer) -> None:
    me = await bot.get_me()
    assert me.id == server.bot_id == 123456789
    assert me.username == "sister_cities_bot"
    assert me.is_bot
    assert me.first_name == "Sister Cities"


async def test_start_command_reaches_a_command_handler_and_the_reply_reaches_the_user(
    server: BotApiServer, builder: Callable[[], ApplicationBuilder]
) -> None:
    seen_args: list[list[str]] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet whoever starts the bot."""
        assert update.effective_user is not None
        seen_args.append(list(context.args or []))
        await message_of(update).reply_html(f"<b>Welcome</b>, {update.effective_user.first_name}!")

    app = builder().build()
    app.add_handler(CommandHandler("start", start))
    alice = server.user(first_name="Alice", language_code="ru", username="alice")
    async with polling(app):
        sent = await alice.send("/start roanoke")
        reply = await alice.reply()
        await alice.send(f"/start@{server.bot_username}")
        second = await alice.reply()

    assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert reply.text == "Welcome, Alice!"
    assert reply.entities == [{"type": "bold", "offset": 0, "length": 7}]
    assert reply.raw["from"]["id"] == server.bot_id
    assert reply.raw["chat"] == {
        "id": alice.id,
        "type": "private",
        "first_name": "Alice",
        "username": "alice",
    }
    assert reply.message_id == sent["message_id"] + 1, "user and bot share the chat's message ids"
    assert second.text == "Welcome, Alice!"
    assert seen_args == [["roanoke"], []]


async def test_a_confirmed_update_is_not_delivered_again(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    await alice.send("one")
    await alice.send("two")

    first = await bot.get_updates(timeout=0)
    again = await bot.get_updates(timeout=0)
    after_offset = await bot.get_updates(offset=first[0].update_id + 1, timeout=0)
    after_all = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)

    assert [u.message.text for u in first if u.message] == ["one", "two"]
    assert [u.update_id for u in again] == [u.update_id for u in first], "unconfirmed updates stay"
    assert [u.message.text for u in after_offset if u.message] == ["two"]
    assert after_all == ()


async def test_a_negative_offset_keeps_only_the_latest_updates(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    for text in ("a", "b", "c"):
        await alice.send(text)

    latest = await bot.get_updates(offset=-1, timeout=0)
    remaining = await bot.get_updates(timeout=0)

    assert [u.message.text for u in latest if u.message] == ["c"]
    assert [u.message.text for u in remaining if u.message] == ["c"], "earlier updates were forgotten"


async def test_a_restarted_application_gets_only_new_updates(
    server: BotApiServer, builder: Callable[[], ApplicationBuilder]
) -> None:
    handled: list[str] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Remember the text and acknowledge it."""
        handled.append(text_of(update))
        await message_of(update).reply_text("ok")

    alice = server.user()
    for _ in range(2):
        app = builder().build()
        app.add_handler(MessageHandler(filters.TEXT, record))
        async with polling(app):
            await alice.send(f"message {len(handled) + 1}")
            await alice.reply()

    assert handled == ["message 1", "message 2"]


async def test_long_polling_waits_instead_of_spinning(
    server: BotApiServer, builder: Callable[[], ApplicationBuilder]
) -> None:
    app = builder().build()
    async with polling(app, timeout=10):
        await asyncio.sleep(1.5)
        polls = len(server.calls("getUpdates"))
        alice = server.user()
        app.add_handler(MessageHandler(filters.TEXT, _echo))
        await alice.send("still there?")
        reply = await alice.reply(timeout=2)

    assert polls <= 3, f"{polls} getUpdates calls in 1.5 s of idleness"
    assert reply.text == "still there?", "a waiting long poll returns as soon as an update arrives"


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say the same thing back."""
    await message_of(update).reply_text(text_of(update))


async def test_allowed_updates_filter_and_persist(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    await alice.send("not subscribed")
    unsubscribed = await bot.get_updates(timeout=0)
    await bot.get_updates(timeout=0, allowed_updates=[])
    await alice.send("default again")
    subscribed = await bot.get_updates(timeout=0)

    assert unsubscribed == (), "the setting persisted into the next call without allowed_updates"
    assert [u.message.text for u in subscribed if u.message] == ["default again"]


async def test_a_second_bot_instance_terminates_the_first_poll_with_conflict(
    bot: Bot, server: BotApiServer
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await server.wait_until(lambda: server.world.poll_generation >= 1)
    async with Bot(server.token, base_url=server.base_url) as second_instance:
        await second_instance.get_updates(timeout=0)

    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first
