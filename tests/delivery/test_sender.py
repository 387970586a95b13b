"""The bulk sender: bounded in flight, one outcome per recipient, 5xx tried again, RetryAfter stops it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut

from bot.delivery import BulkSender, Envelope, Outcome, Result, ServerError


class Chats:
    """A transport that answers each chat from a script of failures, then with a message id."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.failures: dict[int, list[Exception]] = {}
        self.calls: list[int] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def __call__(self, envelope: Envelope) -> int:
        self.calls.append(envelope.chat_id)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            if self.failures.get(envelope.chat_id):
                raise self.failures[envelope.chat_id].pop(0)
            return 1000 + envelope.chat_id
        finally:
            self.in_flight -= 1


class Members:
    def __init__(self) -> None:
        self.inactive: list[int] = []

    async def set_active(self, member_id: int, active: bool) -> None:
        if not active:
            self.inactive.append(member_id)


async def run(sender: BulkSender, chats: list[int]) -> tuple[dict[int, Result], list[int], int]:
    results: dict[int, Result] = {}
    prepared: list[int] = []

    async def prepare(chat: int) -> Envelope:
        prepared.append(chat)
        return Envelope(chat, f"hello {chat}")

    async def settle(chat: int, envelope: Envelope, result: Result) -> None:
        results[chat] = result

    tally = await sender.send_all(chats, prepare, settle)
    assert tally.sent == sum(1 for r in results.values() if r.outcome is Outcome.SENT)
    return results, prepared, tally.retried


async def test_each_recipient_ends_in_one_outcome() -> None:
    chats, members = Chats(), Members()
    chats.failures = {
        2: [Forbidden("Forbidden: bot was blocked by the user")],
        3: [BadRequest("Bad Request: chat not found")],
        4: [TimedOut()],
        5: [ServerError("Internal Server Error (500)", 500), ServerError("Bad Gateway (502)", 502)],
    }
    sender = BulkSender(chats, members=members, retry_delay=0.01)
    results, _, retried = await run(sender, [1, 2, 3, 4, 5])
    assert {chat: r.outcome for chat, r in results.items()} == {
        1: Outcome.SENT,
        2: Outcome.BLOCKED,
        3: Outcome.FAILED,
        4: Outcome.UNKNOWN,
        5: Outcome.SENT,
    }
    assert results[5].attempts == 3
    assert results[5].message_id == 1005
    assert retried == 2
    assert chats.calls.count(4) == 1, "a timeout may have arrived: never sent again"
    assert members.inactive == [2]


async def test_a_server_that_keeps_failing_is_given_up_on() -> None:
    chats = Chats()
    chats.failures[1] = [ServerError("Internal Server Error (500)", 500) for _ in range(10)]
    results, _, _ = await run(BulkSender(chats, server_retries=3, retry_delay=0.01), [1])
    assert results[1].outcome is Outcome.FAILED
    assert chats.calls == [1, 1, 1, 1]


async def test_no_more_than_in_flight_at_once_and_it_opens_up_after_the_first() -> None:
    chats = Chats(delay=0.02)
    results, _, _ = await run(BulkSender(chats, in_flight=5), list(range(1, 41)))
    assert len(results) == 40
    assert chats.most_in_flight == 5


async def test_a_retry_after_stops_the_run_and_defers_what_was_in_hand() -> None:
    chats = Chats(delay=0.01)
    chats.failures[3] = [RetryAfter(timedelta(seconds=7))]
    sender = BulkSender(chats, in_flight=2)
    results, prepared, _ = await run(sender, list(range(1, 21)))
    assert results[3].outcome is Outcome.DEFERRED
    assert results[3].retry_after == 7
    assert len(prepared) < 20, "the rest were not taken"
    assert all(results[chat].outcome in (Outcome.SENT, Outcome.DEFERRED) for chat in prepared)


async def test_it_stops_taking_recipients_when_told_to() -> None:
    chats = Chats()
    going = [True]
    sender = BulkSender(chats, keep_going=lambda: going[0])
    sent: list[int] = []

    async def prepare(chat: int) -> Envelope:
        if chat == 3:
            going[0] = False
        return Envelope(chat, "x")

    async def settle(chat: int, envelope: Envelope, result: Result) -> None:
        if result.outcome is Outcome.SENT:
            sent.append(chat)

    await sender.send_all(range(1, 10), prepare, settle)
    assert sent == [1, 2]


async def test_a_failing_step_is_raised_once_the_others_settled() -> None:
    chats = Chats()
    settled: list[int] = []

    async def prepare(chat: int) -> Envelope | None:
        if chat == 2:
            raise RuntimeError("database is locked")
        return Envelope(chat, "x")

    async def settle(chat: int, envelope: Envelope, result: Result) -> None:
        settled.append(chat)

    with pytest.raises(RuntimeError, match="locked"):
        await BulkSender(chats).send_all([1, 2, 3], prepare, settle)
    assert 1 in settled
