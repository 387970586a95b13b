"""The test-side API: what sandbox users do reaches the bot as Telegram would deliver it."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from telegram import Bot, ChatMember, Update
from telegram.error import BadRequest
from telegram.ext import ApplicationBuilder, ChatMemberHandler, ContextTypes

from bot.sandbox import BotApiServer
from tests.sandbox.helpers import polling


async def test_block_and_unblock_arrive_as_my_chat_member_updates(
    server: BotApiServer, builder: Callable[[], ApplicationBuilder]
) -> None:
    changes: list[tuple[int, str, str]] = []

    async def track(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Record who blocked or unblocked the bot."""
        change = update.my_chat_member
        assert change is not None
        changes.append((change.from_user.id, change.old_chat_member.status, change.new_chat_member.status))

    app = builder().build()
    app.add_handler(ChatMemberHandler(track, ChatMemberHandler.MY_CHAT_MEMBER))
    alice = server.user()
    async with polling(app, allowed_updates=Update.ALL_TYPES):
        await alice.block()
        await server.wait_until(lambda: len(changes) == 1)
        await alice.unblock()
        await server.wait_until(lambda: len(changes) == 2)

    assert changes == [
        (alice.id, ChatMember.MEMBER, ChatMember.BANNED),
        (alice.id, ChatMember.BANNED, ChatMember.MEMBER),
    ]


async def test_reply_times_out_with_what_the_bot_did_instead(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    await bot.send_message(alice.chat_id, "first")
    await alice.reply()
    with pytest.raises(BadRequest):
        await bot.send_message(alice.chat_id, "<b>broken", parse_mode="HTML")
    with pytest.raises(AssertionError, match=r"no reply in chat .* can't parse entities"):
        await alice.reply(timeout=0.1)


async def test_no_reply_fails_when_the_bot_did_send_something(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    await bot.send_message(alice.chat_id, "surprise")
    with pytest.raises(AssertionError, match="surprise"):
        await alice.no_reply(within=0.05)


async def test_latency_is_added_to_every_call(bot: Bot, server: BotApiServer) -> None:
    server.latency = 0.2
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.2
    server.latency = 0.0


async def test_users_get_distinct_ids_and_private_chats(server: BotApiServer) -> None:
    alice = server.user(first_name="Alice", username="alice")
    bob = server.user(first_name="Bob", user_id=555)
    assert alice.id != bob.id
    assert (bob.id, bob.chat_id) == (555, 555)
    with pytest.raises(ValueError, match="already exists"):
        server.user(user_id=555)
    assert alice.as_user() == {
        "id": alice.id,
        "is_bot": False,
        "first_name": "Alice",
        "username": "alice",
        "language_code": "en",
    }
    with pytest.raises(AssertionError, match="has not sent anything"):
        _ = alice.last


async def test_wait_idle_returns_once_the_bot_has_finished(
    server: BotApiServer, builder: Callable[[], ApplicationBuilder]
) -> None:
    app = builder().build()
    alice = server.user()
    async with polling(app):
        await alice.send("nobody handles this")
        await server.wait_idle(timeout=2)
        assert len(server.world.updates) == 0, "the update was fetched and confirmed"


async def test_writing_to_a_blocked_bot_unblocks_it(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    await alice.block()
    await alice.send("/start")
    await bot.send_message(alice.chat_id, "welcome back")
    kinds = [next(k for k in u if k != "update_id") for u in server.world.updates.peek(10)]
    assert kinds == ["my_chat_member", "my_chat_member", "message"]
