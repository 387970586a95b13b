"""The pacer and the per-person update processor end to end: the real bot on the offline server.

Asserted by the order of what the server received and by the pacer's counters, never by wall-clock time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.app import build_application, running
from bot.config import Config, TelegramConfig
from bot.context import BotApplication
from bot.delivery import BulkSender, Envelope, Outcome, Result, TelegramTransport
from bot.pacing import PaceLimits, Pacer, Priority
from bot.registry.import_export import import_registry_csv
from bot.sandbox import BotApiServer, Call, Limits, SandboxUser
from storage.db import Database
from tests.conftest import SAMPLE_CSV


def pacer_of(app: BotApplication) -> Pacer:
    pacer = app.bot.rate_limiter
    assert isinstance(pacer, Pacer)
    return pacer


def sent_to(sandbox: BotApiServer, chat: int) -> list[Call]:
    return [call for call in sandbox.calls("sendMessage") if call.ok and call.chat_id == chat]


def position(sandbox: BotApiServer, call: Call) -> int:
    return sandbox.journal.index(call)


@asynccontextmanager
async def bot_with(
    tmp_path: Path, sandbox_limits: Limits, pacer: Pacer | None = None, rate: float = 30.0
) -> AsyncIterator[tuple[BotApiServer, BotApplication]]:
    """The sample registry and the real bot, on an offline server with the given limits."""
    server = BotApiServer(limits=sandbox_limits)
    await server.start()
    try:
        config = Config(
            telegram=TelegramConfig(
                token=server.token, base_url=server.base_url, base_file_url=server.base_file_url
            ),
            database_path=tmp_path / "bot.db",
            broadcast_rate_per_second=rate,
        )
        db = await Database.open(config.database_path)
        try:
            await import_registry_csv(db, SAMPLE_CSV.read_bytes(), recorded_by="tests", source="sample")
        finally:
            await db.close()
        async with running(build_application(config, rate_limiter=pacer), poll_timeout=1) as app:
            yield server, app
    finally:
        await server.stop()
    assert not server.violations, f"the bot broke the Bot API spec: {server.violations}"


async def bulk(app: BotApplication, people: list[SandboxUser]) -> dict[int, Result]:
    """A bulk delivery to everyone in `people`, paced as bulk, through the bot."""
    results: dict[int, Result] = {}

    async def prepare(user: SandboxUser) -> Envelope:
        return Envelope(user.id, "A policy statement from the network.")

    async def settle(user: SandboxUser, envelope: Envelope, result: Result) -> None:
        results[user.id] = result

    sender = BulkSender(TelegramTransport(app.bot, Priority.BULK), in_flight=8)
    await sender.send_all(people, prepare, settle)
    return results


async def test_one_person_flooding_does_not_delay_the_others(tmp_path: Path) -> None:
    # Telegram's limit for one chat is tighter than this pacer's guess, so the flooder's chat is
    # answered with 429s: that chat must wait, nobody else.
    strict = Limits(private_per_second=5.0, private_burst=3.0)
    pacer = Pacer(PaceLimits(private_per_second=20.0, private_burst=3.0))
    async with bot_with(tmp_path, strict, pacer) as (sandbox, _app):
        flooder = sandbox.user("Flo")
        others = [sandbox.user(f"Person {n}") for n in range(20)]
        for _ in range(20):
            await flooder.send("/help")
        for person in others:
            await person.send("/status Roanoke")
        for person in others:
            assert (await person.reply(timeout=10)).text.split("\n")[0].endswith("Roanoke – Kisumu")
        await sandbox.wait_until(lambda: len(sent_to(sandbox, flooder.id)) == 20, timeout=30)

        refused = [call for call in sandbox.calls("sendMessage") if call.error_code == 429]
        assert refused, "the flooder's chat was answered with 429s"
        assert {call.chat_id for call in refused} == {flooder.id}
        counters = pacer.counters
        assert set(counters.retry_after_by_chat) == {flooder.id}
        assert counters.chat_pauses == counters.retry_after > 0
        assert counters.global_pauses == 0
        # Everyone else was answered before the flooder's backlog was through, and nothing was dropped.
        last_flood = position(sandbox, sent_to(sandbox, flooder.id)[-1])
        assert all(position(sandbox, sent_to(sandbox, p.id)[0]) < last_flood for p in others)
        assert [m.text for m in flooder.messages] == [flooder.messages[0].text] * 20
        assert counters.late == 0


async def test_a_reply_goes_ahead_of_queued_bulk_deliveries(tmp_path: Path) -> None:
    async with bot_with(tmp_path, Limits(), rate=10.0) as (sandbox, app):
        members = [sandbox.user(f"Member {n}") for n in range(40)]
        asker = sandbox.user("Asker")
        delivery = asyncio.create_task(bulk(app, members))
        await sandbox.wait_until(lambda: len(sandbox.calls("sendMessage")) >= 5)
        bulk_before = len(sandbox.calls("sendMessage"))
        await asker.send("/status Roanoke")
        reply = await asker.reply(timeout=10)
        results = await delivery

        assert reply.text.split("\n")[0].endswith("Roanoke – Kisumu")
        [answer] = sent_to(sandbox, asker.id)
        bulk_calls = [call for call in sandbox.calls("sendMessage") if call.chat_id != asker.id]
        ahead = [call for call in bulk_calls if position(sandbox, call) < position(sandbox, answer)]
        # Eight bulk sends were waiting in the pacer when it came: first come, first served would put
        # the reply behind them; it went at the next slot or so.
        assert len(ahead) - bulk_before <= 3
        assert len(bulk_calls) - len(ahead) >= 20
        assert {r.outcome for r in results.values()} == {Outcome.SENT}
        assert pacer_of(app).counters.sent["bulk"] == 40


async def test_a_global_429_pauses_bulk_and_not_a_reply(tmp_path: Path) -> None:
    async with bot_with(tmp_path, Limits(), rate=10.0) as (sandbox, app):
        members = [sandbox.user(f"Member {n}") for n in range(30)]
        asker = sandbox.user("Asker")
        delivery = asyncio.create_task(bulk(app, members))
        await sandbox.wait_until(lambda: len(sandbox.calls("sendMessage")) >= 3)
        # Two chats answered 429 in a row: the whole bot is over Telegram's limit.
        sandbox.inject_fault("sendMessage", "429", times=2, retry_after=3)

        def refused() -> list[Call]:
            return [call for call in sandbox.calls("sendMessage") if call.error_code == 429]

        await sandbox.wait_until(lambda: len(refused()) == 2)
        await asker.send("/status Roanoke")
        reply = await asker.reply(timeout=10)
        results = await delivery

        assert reply.text.split("\n")[0].endswith("Roanoke – Kisumu")
        [answer] = sent_to(sandbox, asker.id)
        second_refusal = position(sandbox, refused()[-1])
        resumed = [
            call
            for call in sandbox.calls("sendMessage")
            if call.ok and call.chat_id != asker.id and position(sandbox, call) > second_refusal
        ]
        assert position(sandbox, answer) < position(sandbox, resumed[0]), "the reply did not wait"
        counters = pacer_of(app).counters
        assert counters.global_pauses == 1
        assert counters.retry_after == 2
        # The refused deliveries were sent once the pause was over: every member got exactly one.
        assert all(len(sent_to(sandbox, m.id)) == 1 for m in members)
        assert {r.outcome for r in results.values()} == {Outcome.SENT}


async def test_one_persons_messages_are_handled_in_order_and_another_is_served_between_them(
    tmp_path: Path,
) -> None:
    async with bot_with(tmp_path, Limits()) as (sandbox, app):
        alice = sandbox.user("Alice")
        bob = sandbox.user("Bob")
        asked = ["/status Roanoke", "/help", "/status Durham", "/privacy", "/status Roanoke"]
        for text in asked:
            await alice.send(text)
        await bob.send("/help")
        answers = [await alice.reply(timeout=10) for _ in asked]
        await bob.reply(timeout=10)

        # In the order she asked (a burst of three, then her chat's one a second).
        assert answers[0].text.split("\n")[0].endswith("Roanoke – Kisumu")
        assert answers[2].text.split("\n")[0].endswith("Durham – Kostroma")
        assert answers[4].text == answers[0].text
        assert answers[1].text != answers[3].text
        # Bob was not kept waiting behind the rest of Alice's messages.
        alice_calls = sent_to(sandbox, alice.id)
        [bob_call] = sent_to(sandbox, bob.id)
        assert position(sandbox, bob_call) < position(sandbox, alice_calls[3])
        assert pacer_of(app).counters.waited["reply"] >= 2  # Alice's fourth and fifth waited for her chat


async def test_conversations_stay_correct_with_people_side_by_side(tmp_path: Path) -> None:
    async with bot_with(tmp_path, Limits()) as (sandbox, app):
        newcomers = [sandbox.user(f"Newcomer {n}") for n in range(10)]
        # Each types /start and, without waiting for the bot, their city: the city is the conversation's
        # answer (a choice of committees), not a question about Pskov.
        for person in newcomers:
            await person.send("/start")
            await person.send("Pskov")
        for person in newcomers:
            await person.reply(timeout=10)
            offer = await person.reply(timeout=10)
            assert offer.buttons[0] == ["Roanoke – Pskov (Russia)"]
        assert app.update_processor.max_concurrent_updates > 1


async def test_replies_are_counted_by_class_and_requests_without_a_chat_are_not_held(
    tmp_path: Path,
) -> None:
    async with bot_with(tmp_path, Limits()) as (sandbox, app):
        users = [sandbox.user(f"Person {n}") for n in range(5)]
        for user in users:
            await user.send("/help")
        for user in users:
            await user.reply()
        await sandbox.wait_idle()
        counters = pacer_of(app).counters
        assert counters.sent == {"reply": 5}
        assert counters.unpaced >= 1  # getMe and setMyCommands name no chat: not held
