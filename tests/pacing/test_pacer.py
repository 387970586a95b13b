"""The pacer's schedule with a chosen clock, and the pacer itself around recorded requests (no network).

End-to-end tests through the offline server are in test_e2e.py.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.pacing import PaceLimits, Pacer, Priority, ReplyQueued, sending_as
from bot.pacing.schedule import Schedule, Ticket

LIMITS = PaceLimits()


def drain(schedule: Schedule, start: float = 0.0, until: float = 600.0) -> list[Ticket]:
    """Release everything queued, jumping the clock to each moment the schedule names."""
    released, now = [], start
    while now < until:
        ticket, wake = schedule.pick(now)
        if ticket is not None:
            released.append(ticket)
            continue
        if wake is None:
            break
        now = wake
    return released


def queue(schedule: Schedule, chat: int, priority: Priority = Priority.BULK, at: float = 0.0) -> Ticket:
    ticket = Ticket(priority, schedule.next_seq(), chat, at)
    schedule.add(ticket, at)
    return ticket


def most_in_a_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= window:
            first += 1
        best = max(best, last - first + 1)
    return best


def test_never_more_than_the_rate_in_any_second_and_no_burst_after_a_quiet_spell() -> None:
    schedule = Schedule(LIMITS, 0.0)
    for chat in range(1, 301):
        queue(schedule, chat)
    released = drain(schedule)
    times = [t.released or 0.0 for t in released]
    assert len(released) == 300
    assert most_in_a_window(times, 1.0) <= 30
    assert most_in_a_window(times[:30], 0.5) <= 15, "the first second is spread out, not one burst"
    assert len(released) / times[-1] >= 28.5, "at least 95 % of the rate"
    # After a quiet minute, the next requests are spaced again.
    for chat in range(1, 61):
        queue(schedule, chat, at=100.0)
    later = [t.released or 0.0 for t in drain(schedule, start=100.0)]
    assert most_in_a_window(later, 1.0) <= 30
    assert later[1] - later[0] >= 1 / 30


def test_one_private_chat_gets_a_burst_of_three_then_one_a_second() -> None:
    schedule = Schedule(LIMITS, 0.0)
    for _ in range(8):
        queue(schedule, 42, Priority.REPLY)
    times = [t.released or 0.0 for t in drain(schedule)]
    assert times[2] < 0.2
    gaps = [b - a for a, b in itertools.pairwise(times[3:])]
    assert all(gap >= 1.0 for gap in gaps)
    assert most_in_a_window(times, 5.0) <= 3 + 5


def test_a_group_gets_at_most_twenty_a_minute() -> None:
    schedule = Schedule(LIMITS, 0.0)
    for _ in range(60):
        queue(schedule, -100500, Priority.REPLY)
    times = [t.released or 0.0 for t in drain(schedule, until=10_000)]
    assert len(times) == 60
    assert most_in_a_window(times, 60.0) <= 20


def test_a_reply_goes_ahead_of_queued_bulk_and_a_notification_ahead_of_bulk() -> None:
    schedule = Schedule(LIMITS, 0.0)
    bulk = [queue(schedule, chat) for chat in range(1, 11)]
    notification = queue(schedule, 500, Priority.NOTIFICATION)
    reply = queue(schedule, 600, Priority.REPLY)
    order = drain(schedule)
    assert order[:2] == [reply, notification]
    assert order[2:] == bulk


def test_a_reply_to_a_chat_waits_only_for_that_chat() -> None:
    schedule = Schedule(LIMITS, 0.0)
    flooder = [queue(schedule, 7, Priority.REPLY) for _ in range(20)]
    others = [queue(schedule, chat, Priority.REPLY) for chat in range(100, 120)]
    order = drain(schedule)
    last_other = max(order.index(t) for t in others)
    assert last_other < order.index(flooder[5]), "the others are served between the flooder's replies"
    assert [t for t in order if t.chat == 7] == flooder


def test_a_pause_holds_bulk_but_not_replies_or_notifications() -> None:
    schedule = Schedule(LIMITS, 0.0)
    bulk = [queue(schedule, chat) for chat in range(1, 6)]
    schedule.pause(10.0)
    reply = queue(schedule, 600, Priority.REPLY)
    notification = queue(schedule, 700, Priority.NOTIFICATION)
    order = drain(schedule)
    assert order == [reply, notification, *bulk]
    assert all((t.released or 0.0) >= 10.0 for t in bulk)
    assert (reply.released or 0.0) < 1.0


def test_a_blocked_chat_waits_and_the_others_do_not() -> None:
    schedule = Schedule(LIMITS, 0.0)
    queue(schedule, 1)
    schedule.block(1, 0.0)  # the lane exists from here on
    schedule.block(1, 5.0)
    others = [queue(schedule, chat) for chat in range(2, 5)]
    order = drain(schedule)
    assert order[:3] == others
    assert (order[3].released or 0.0) >= 5.0


def test_a_cancelled_request_is_forgotten() -> None:
    schedule = Schedule(LIMITS, 0.0)
    gone = queue(schedule, 1)
    kept = queue(schedule, 1)
    schedule.cancel(gone)
    assert drain(schedule) == [kept]
    assert schedule.waiting == 0


# --- the pacer around recorded requests ---


class Telegram:
    """Records requests in the order they are made; a chat can be made to answer RetryAfter."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, str]] = []
        self.refuse: dict[int, int] = {}  # chat -> how many RetryAfter answers to give

    async def post(self, endpoint: str, data: dict[str, Any]) -> dict[str, Any]:
        chat = data["chat_id"]
        if self.refuse.get(chat):
            self.refuse[chat] -= 1
            raise RetryAfter(timedelta(seconds=1))
        self.calls.append((chat, data.get("text", "")))
        return {"message_id": len(self.calls)}


@pytest.fixture
async def pacer() -> AsyncIterator[Pacer]:
    limiter = Pacer(PaceLimits(rate_per_second=30, private_per_second=20, private_burst=3), reply_hold=0.5)
    await limiter.initialize()
    try:
        yield limiter
    finally:
        await limiter.shutdown()


async def send(pacer: Pacer, telegram: Telegram, chat: int, text: str) -> Any:
    data = {"chat_id": chat, "text": text}
    return await pacer.process_request(telegram.post, ("sendMessage", data), {}, "sendMessage", data, None)


async def test_a_retry_after_for_one_chat_pauses_only_that_chat(pacer: Pacer) -> None:
    telegram = Telegram()
    telegram.refuse[1] = 1
    with sending_as(Priority.NOTIFICATION):
        await asyncio.gather(*(send(pacer, telegram, chat, "hi") for chat in (1, 2, 3)))
    assert telegram.calls[-1] == (1, "hi"), "chat 1 waited out its second, the others did not"
    assert pacer.counters.retry_after == 1
    assert pacer.counters.chat_pauses == 1
    assert pacer.counters.global_pauses == 0
    assert pacer.counters.sent["notification"] == 3


async def test_retry_after_for_two_chats_pauses_bulk_but_a_reply_goes(pacer: Pacer) -> None:
    telegram = Telegram()
    telegram.refuse = {1: 1, 2: 1}
    with sending_as(Priority.BULK):
        bulk = [asyncio.create_task(send(pacer, telegram, chat, "news")) for chat in (1, 2, 3, 4)]
        await asyncio.sleep(0.3)  # both refused by now; 3 and 4 may have gone before
    with sending_as(Priority.REPLY):
        await send(pacer, telegram, 9, "answer")
    await asyncio.gather(*bulk)
    assert pacer.counters.global_pauses == 1
    sent_during_pause = [chat for chat, _ in telegram.calls if chat in (1, 2)]
    assert telegram.calls.index((9, "answer")) < telegram.calls.index((sent_during_pause[0], "news"))


async def test_a_reply_held_too_long_is_sent_late_and_the_handler_told(pacer: Pacer) -> None:
    telegram = Telegram()
    telegram.refuse[5] = 1  # a second's wait for this chat: longer than the 0.5 s hold
    with sending_as(Priority.REPLY), pytest.raises(ReplyQueued):
        await send(pacer, telegram, 5, "late")
    assert telegram.calls == []
    await asyncio.sleep(1.3)
    assert telegram.calls == [(5, "late")]
    assert pacer.counters.late == pacer.counters.late_sent == 1


async def test_requests_that_name_no_chat_are_not_held(pacer: Pacer) -> None:
    async def answer(endpoint: str, data: dict[str, Any]) -> bool:
        return True

    data = {"callback_query_id": "1"}
    assert await pacer.process_request(
        answer, ("answerCallbackQuery", data), {}, "answerCallbackQuery", data, None
    )
    assert pacer.counters.unpaced == 1


async def test_rate_limit_args_name_the_class(pacer: Pacer) -> None:
    telegram = Telegram()
    data = {"chat_id": 3, "text": "x"}
    with sending_as(Priority.REPLY):
        await pacer.process_request(
            telegram.post, ("sendMessage", data), {}, "sendMessage", data, {"priority": Priority.BULK}
        )
    assert pacer.counters.sent == {"bulk": 1}
