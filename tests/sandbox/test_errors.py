"""Each failure reaches python-telegram-bot as the exception class Telegram's answer would produce."""

from __future__ import annotations

import asyncio
import datetime as dtm
import gc

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import AIORateLimiter, ExtBot

from bot.sandbox import BotApiServer, Limits, SandboxGroup, SandboxUser


async def test_unsupported_html_tag_is_a_bad_request(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    with pytest.raises(BadRequest, match=r'(?i)unsupported start tag "script" at byte offset 6'):
        await bot.send_message(alice.chat_id, "Hello <script>x</script>", parse_mode=ParseMode.HTML)
    assert alice.messages == []


async def test_unclosed_html_tag_is_a_bad_request(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    with pytest.raises(BadRequest, match=r'(?i)can\'t find end tag corresponding to start tag "b"'):
        await bot.send_message(alice.chat_id, "<b>Roanoke", parse_mode=ParseMode.HTML)


async def test_unescaped_markdown_v2_character_is_a_bad_request(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    with pytest.raises(BadRequest, match=r"(?i)character '\.' is reserved and must be escaped"):
        await bot.send_message(alice.chat_id, "Next check in: 1.5.2026", parse_mode=ParseMode.MARKDOWN_V2)


async def test_text_longer_than_4096_characters_is_a_bad_request(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    await bot.send_message(alice.chat_id, "я" * 4096)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(alice.chat_id, "я" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(alice.chat_id, "<b> </b>", parse_mode=ParseMode.HTML)


async def test_caption_longer_than_1024_characters_is_a_bad_request(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(alice.chat_id, b"data", filename="a.txt", caption="x" * 1025)


async def test_callback_data_over_64_bytes_is_a_bad_request(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    fits = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="é" * 32)]])
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data="é" * 33)]])
    await bot.send_message(alice.chat_id, "64 bytes", reply_markup=fits)
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(alice.chat_id, "66 bytes", reply_markup=too_long)


async def test_unknown_chat_is_a_bad_request(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "anyone there?")


async def test_user_who_blocked_the_bot_is_forbidden(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    await alice.block()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.chat_id, "hello?")
    await alice.unblock()
    await bot.send_message(alice.chat_id, "welcome back")
    assert alice.last.text == "welcome back"


async def test_deactivated_user_is_forbidden(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    alice.deactivate()
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(alice.chat_id, "hello?")


async def test_user_who_never_started_the_bot_is_forbidden(bot: Bot, server: BotApiServer) -> None:
    bob = server.user(first_name="Bob", started=False)
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(bob.chat_id, "hello?")
    await bob.send("/start")
    await bot.send_message(bob.chat_id, "hello!")


async def test_injected_429_is_retry_after_with_its_delay(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    server.inject_fault("sendMessage", "429", times=2, retry_after=3)
    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(alice.chat_id, "hi")
        assert caught.value.retry_after == dtm.timedelta(seconds=3)
    await bot.send_message(alice.chat_id, "third time lucky")
    assert [m.text for m in alice.messages] == ["third time lucky"]
    assert [(c.ok, c.error_code) for c in server.calls("sendMessage")] == [
        (False, 429),
        (False, 429),
        (True, None),
    ]


async def test_a_burst_to_one_private_chat_hits_flood_control(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    for number in range(3):
        await bot.send_message(alice.chat_id, f"burst {number}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(alice.chat_id, "one too many")
    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    assert server.journal[-1].error_code == 429


async def test_more_than_20_messages_a_minute_to_a_group_hits_flood_control(
    bot: Bot, server: BotApiServer
) -> None:
    group = server.group("Roanoke committee", members=[server.user()])
    for number in range(20):
        await bot.send_message(group.chat_id, f"notice {number}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(group.chat_id, "one too many")
    assert caught.value.retry_after == dtm.timedelta(seconds=3)


async def test_more_than_30_messages_a_second_overall_hits_flood_control(
    bot: Bot, server: BotApiServer
) -> None:
    members = [server.user(first_name=f"Member {n}") for n in range(45)]
    results = await asyncio.gather(
        *(bot.send_message(member.chat_id, "broadcast") for member in members), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, RetryAfter)]
    assert 30 <= len(results) - len(refused) < 45
    assert refused, "an unthrottled broadcast is refused once the overall limit is spent"


async def test_limits_can_be_switched_off() -> None:
    async with BotApiServer(enforce_limits=False, limits=Limits(private_burst=1)) as server:
        alice = server.user()
        async with Bot(server.token, base_url=server.base_url) as bot:
            for number in range(40):
                await bot.send_message(alice.chat_id, f"message {number}")
        assert len(alice.messages) == 40


async def test_injected_timeout_is_timed_out(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    server.inject_fault("sendMessage", "timeout", hang_seconds=5)
    with pytest.raises(TimedOut):
        await bot.send_message(alice.chat_id, "lost", read_timeout=0.2)
    assert alice.messages == []


async def test_a_timeout_may_still_deliver_the_message(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    server.inject_fault("sendMessage", "timeout", hang_seconds=5, deliver=True)
    with pytest.raises(TimedOut):
        await bot.send_message(alice.chat_id, "delivered anyway", read_timeout=0.2)
    assert alice.last.text == "delivered anyway"


async def test_injected_500_is_a_network_error(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    server.inject_fault("*", "500")
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(alice.chat_id, "hi")
    assert type(caught.value) is NetworkError


async def test_injected_403_and_400(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    server.inject_fault("sendMessage", "403")
    server.inject_fault("sendMessage", "400", description="PEER_ID_INVALID")
    with pytest.raises(Forbidden):
        await bot.send_message(alice.chat_id, "hi")
    with pytest.raises(BadRequest, match="Peer_id_invalid"):
        await bot.send_message(alice.chat_id, "hi")


async def test_a_parameter_the_method_does_not_have_is_a_violation(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    await bot.send_message(alice.chat_id, "hi", api_kwargs={"colour": "red"})
    assert [(v.method, v.field) for v in server.violations] == [("sendMessage", "colour")]
    assert alice.last.text == "hi", "the call is still answered"
    server.violations.clear()


async def test_a_malformed_keyboard_is_a_violation(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go", "colour": "red"}]]}
    await bot.send_message(alice.chat_id, "hi", api_kwargs={"reply_markup": markup})
    assert ["colour" in v.problem for v in server.violations] == [True]
    server.violations.clear()


async def test_unknown_method_is_not_found(bot: Bot, server: BotApiServer) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    assert (server.journal[-1].method, server.journal[-1].error_code) == ("noSuchMethod", 404)


async def test_a_missing_required_parameter_is_a_bad_request(server: BotApiServer) -> None:
    alice = server.user()
    api = f"{server.base_url}{server.token}"
    async with httpx.AsyncClient() as client:
        no_text = await client.post(f"{api}/sendMessage", json={"chat_id": alice.chat_id})
        no_message_id = await client.post(f"{api}/pinChatMessage", json={"chat_id": alice.chat_id})
    assert (no_text.status_code, no_text.json()["description"]) == (400, "Bad Request: message text is empty")
    assert no_message_id.json()["description"] == "Bad Request: parameter message_id is required"


async def test_methods_the_sandbox_does_not_implement(bot: Bot, server: BotApiServer) -> None:
    assert await bot.set_chat_title(-1, "answered true because the method returns a Boolean") is True
    with pytest.raises(BadRequest, match="Method not supported by the sandbox"):
        await bot.send_dice(1)
    assert server.unsupported == ["setChatTitle", "sendDice"]


async def test_a_wrong_token_is_unauthorized(server: BotApiServer) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("42:not-this-bot", base_url=server.base_url):
            pass


async def test_raw_http_shapes_and_encodings(server: BotApiServer) -> None:
    alice = server.user()
    api = f"{server.base_url}{server.token}"
    async with httpx.AsyncClient() as client:
        unknown = await client.post(f"{api}/noSuchMethod")
        wrong_token = await client.get(f"{server.base_url}1:wrong/getMe")
        by_query = await client.get(f"{api}/sendMessage", params={"chat_id": alice.chat_id, "text": "query"})
        by_json = await client.post(f"{api}/sendMessage", json={"chat_id": alice.chat_id, "text": "json"})
        by_form = await client.post(
            f"{api}/sendMessage", data={"chat_id": str(alice.chat_id), "text": "form"}
        )
        limited = [await client.post(f"{api}/sendMessage", json={"chat_id": alice.chat_id, "text": "x"})]

    assert (unknown.status_code, unknown.json()) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    assert (wrong_token.status_code, wrong_token.json()["description"]) == (401, "Unauthorized")
    assert [r.json()["result"]["text"] for r in (by_query, by_json, by_form)] == ["query", "json", "form"]
    assert limited[0].json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }


async def test_a_bot_paced_by_ptbs_rate_limiter_is_never_refused(server: BotApiServer) -> None:
    members = [server.user(first_name=f"Member {n}") for n in range(40)]
    group = server.group("Roanoke committee", members=members[:2])
    # The bot and the server share this process: a garbage collection pause (longer once the suite has
    # built up a large heap) holds requests the limiter released on time and lets the server see them
    # arrive together, which is not the limiter's doing. No collection while the arrivals are timed.
    gc.collect()
    gc.disable()
    try:
        await _send_paced(server, group, members)
    finally:
        gc.enable()

    assert [call for call in server.journal if not call.ok] == []
    assert len(group.messages) == 21


async def _send_paced(server: BotApiServer, group: SandboxGroup, members: list[SandboxUser]) -> None:
    async with ExtBot(server.token, base_url=server.base_url, rate_limiter=AIORateLimiter()) as paced:
        # One after the other: when both queue at once, PTB counts a group message before it waits for the
        # overall limit, so Telegram (and the sandbox) may see the group faster than PTB thinks it sent.
        await asyncio.gather(*(paced.send_message(group.chat_id, f"notice {n}") for n in range(21)))
        await asyncio.gather(*(paced.send_message(member.chat_id, "Annual meeting") for member in members))
