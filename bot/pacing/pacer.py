"""The one pacer every request to Telegram goes through: a python-telegram-bot BaseRateLimiter of our own.

Requests that name a chat wait for their turn (see schedule.py); the rest (answering a button press or an
inline query, setting the command list) go at once. A RetryAfter answer pauses that chat for the time
Telegram asks; answers for two different chats within a second mean the whole bot is over its limit, and
bulk deliveries pause (replies and notifications are few, and wait out their own answers). The request is
then tried again, a few times at most. A reply waits at most `reply_hold` seconds inside its handler: one
that cannot go by then is sent as soon as it may, in the background, and the handler gets ReplyQueued
(the error handler knows it is not a failure).

PTB's AIORateLimiter is not used: aiolimiter's leaky bucket lets a full bucket through after a quiet spell
(59 sends in the first second at 30/s), it has no classes, and one RetryAfter stops every request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

from bot.pacing.priority import PacingArgs, Priority, priority_of
from bot.pacing.schedule import ChatKey, PaceLimits, Schedule, Ticket

log = logging.getLogger(__name__)

Callback = Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]]
Result = bool | dict[str, Any] | list[dict[str, Any]]

REPLY_HOLD_SECONDS = 4.0
RETRIES = 3  # RetryAfter answers waited out for one request before the caller is told
GLOBAL_EVIDENCE_SECONDS = 1.0  # RetryAfter for two chats within this long: the whole bot is limited
SHUTDOWN_GRACE_SECONDS = 5.0  # how long shutdown waits for late replies still queued


class ReplyQueued(TelegramError):
    """A reply could not go within the hold: the pacer sends it as soon as Telegram allows. Do not resend."""

    def __init__(self, chat: ChatKey) -> None:
        super().__init__(f"the reply to chat {chat} is queued and will be sent late")
        self.chat = chat


@dataclass
class PacerCounters:
    """What the pacer did, for tests, the benchmark and the logs."""

    sent: Counter[str] = field(default_factory=Counter)  # by class
    waited: Counter[str] = field(default_factory=Counter)  # requests that had to wait for their turn
    wait_seconds: dict[str, float] = field(default_factory=dict)
    longest_wait: dict[str, float] = field(default_factory=dict)
    retry_after: int = 0  # 429 answers received
    retry_after_by_chat: Counter[ChatKey] = field(default_factory=Counter)
    chat_pauses: int = 0
    global_pauses: int = 0
    late: int = 0  # replies handed to the background after the hold
    late_sent: int = 0
    unpaced: int = 0  # requests that name no chat (answering a press, an inline query): not held

    def snapshot(self) -> dict[str, Any]:
        """A plain copy."""
        return {
            "sent": dict(self.sent),
            "waited": dict(self.waited),
            "wait_seconds": {key: round(value, 3) for key, value in self.wait_seconds.items()},
            "longest_wait": {key: round(value, 3) for key, value in self.longest_wait.items()},
            "retry_after": self.retry_after,
            "chat_pauses": self.chat_pauses,
            "global_pauses": self.global_pauses,
            "late": self.late,
            "late_sent": self.late_sent,
            "unpaced": self.unpaced,
        }


def chat_of(endpoint: str, data: dict[str, Any]) -> ChatKey | None:
    """The chat a request is paced in, or None for requests Telegram does not count against a chat."""
    chat = data.get("chat_id")
    if chat is None or endpoint.startswith("get") or endpoint == "sendChatAction":
        return None
    if isinstance(chat, str):
        with contextlib.suppress(ValueError):
            return int(chat)
        return chat  # @channelusername
    return int(chat) if isinstance(chat, int) else None


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Pacer(BaseRateLimiter[PacingArgs]):
    """Paces every request by class, per chat and overall; see the module docstring."""

    def __init__(
        self,
        limits: PaceLimits | None = None,
        *,
        reply_hold: float = REPLY_HOLD_SECONDS,
        retries: int = RETRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits or PaceLimits()
        self.reply_hold = reply_hold
        self.retries = retries
        self.counters = PacerCounters()
        self._clock = clock
        self._schedule: Schedule | None = None
        self._wake = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None
        self._late: set[asyncio.Task[None]] = set()
        self._recent: deque[tuple[float, ChatKey]] = deque()

    @property
    def waiting(self) -> int:
        """Requests waiting for their turn now."""
        return self._schedule.waiting if self._schedule is not None else 0

    async def initialize(self) -> None:
        """Start releasing requests."""
        if self._dispatcher is None:
            self._schedule = Schedule(self.limits, self._clock())
            self._dispatcher = asyncio.create_task(self._dispatch(), name="pacer")

    async def shutdown(self) -> None:
        """Send the late replies still queued (briefly), then stop."""
        if self._late:
            _done, pending = await asyncio.wait(self._late, timeout=SHUTDOWN_GRACE_SECONDS)
            for task in pending:
                task.cancel()
            if pending:
                log.warning("shutting down with %s late replies unsent", len(pending))
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dispatcher
            self._dispatcher = None
            self._schedule = None

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: PacingArgs | None,
    ) -> Result:
        """Wait for the request's turn, make it, and wait out RetryAfter answers (see the module doc)."""
        chat = chat_of(endpoint, data)
        schedule = self._schedule
        if chat is None or schedule is None:
            self.counters.unpaced += 1
            return await callback(*args, **kwargs)
        priority = priority_of(rate_limit_args)
        deadline = self._clock() + self.reply_hold if priority is Priority.REPLY else None
        seq = schedule.next_seq()
        tries = 0
        while True:
            ticket = Ticket(priority, seq, chat, self._clock())
            ticket.waiter = asyncio.get_running_loop().create_future()
            schedule.add(ticket, ticket.enqueued)
            self._wake.set()
            if not await self._turn(ticket, deadline):
                self._send_late(ticket, callback, args, kwargs, tries)
                raise ReplyQueued(chat)
            try:
                result = await callback(*args, **kwargs)
            except RetryAfter as error:
                tries += 1
                self._retry_after(chat, _seconds(error.retry_after))
                if tries > self.retries:
                    raise
                continue
            self.counters.sent[priority.label] += 1
            return result

    async def _turn(self, ticket: Ticket, deadline: float | None) -> bool:
        """Wait until the ticket is released; False if the deadline came first (it stays queued)."""
        waiter: asyncio.Future[None] = ticket.waiter
        try:
            if deadline is None:
                await waiter
                return True
            await asyncio.wait_for(asyncio.shield(waiter), max(0.0, deadline - self._clock()))
        except TimeoutError:
            return waiter.done()
        except asyncio.CancelledError:
            if self._schedule is not None and not waiter.done():
                self._schedule.cancel(ticket)
                waiter.cancel()
            raise
        return True

    def _send_late(
        self, ticket: Ticket, callback: Callback, args: Any, kwargs: dict[str, Any], tries: int
    ) -> None:
        self.counters.late += 1
        log.info("reply to chat %s held over %ss; sending it in the background", ticket.chat, self.reply_hold)
        task = asyncio.create_task(self._late_reply(ticket, callback, args, kwargs, tries))
        self._late.add(task)
        task.add_done_callback(self._late.discard)

    async def _late_reply(
        self, ticket: Ticket, callback: Callback, args: Any, kwargs: dict[str, Any], tries: int
    ) -> None:
        schedule = self._schedule
        while schedule is not None:
            await self._turn(ticket, None)
            try:
                await callback(*args, **kwargs)
            except RetryAfter as error:
                tries += 1
                self._retry_after(ticket.chat, _seconds(error.retry_after))
                if tries > self.retries:
                    log.warning("late reply to chat %s given up after %s RetryAfter", ticket.chat, tries)
                    return
                ticket = Ticket(ticket.priority, ticket.seq, ticket.chat, self._clock())
                ticket.waiter = asyncio.get_running_loop().create_future()
                schedule.add(ticket, ticket.enqueued)
                self._wake.set()
                continue
            except TelegramError as error:
                log.warning("late reply to chat %s failed: %s", ticket.chat, error)
                return
            self.counters.sent[ticket.priority.label] += 1
            self.counters.late_sent += 1
            return

    def _retry_after(self, chat: ChatKey, seconds: float) -> None:
        """Telegram said "too many requests": pause that chat, and bulk too if it is the whole bot."""
        schedule = self._schedule
        now = self._clock()
        self.counters.retry_after += 1
        self.counters.retry_after_by_chat[chat] += 1
        if schedule is None:
            return
        schedule.block(chat, now + seconds)
        while self._recent and self._recent[0][0] < now - GLOBAL_EVIDENCE_SECONDS:
            self._recent.popleft()
        self._recent.append((now, chat))
        if len({key for _, key in self._recent}) > 1:
            if schedule.pause(now + seconds):
                self.counters.global_pauses += 1
                log.warning("Telegram's flood control: bulk deliveries wait %ss", seconds)
        else:
            self.counters.chat_pauses += 1
            log.info("Telegram's flood control: chat %s waits %ss", chat, seconds)
        self._wake.set()

    async def _dispatch(self) -> None:
        schedule = self._schedule
        assert schedule is not None  # noqa: S101 - started by initialize
        counters = self.counters
        while True:
            now = self._clock()
            ticket, wake_at = schedule.pick(now)
            if ticket is not None:
                waiter: asyncio.Future[None] = ticket.waiter
                if not waiter.done():
                    waiter.set_result(None)
                waited = now - ticket.enqueued
                if waited > 0.001:
                    label = ticket.priority.label
                    counters.waited[label] += 1
                    counters.wait_seconds[label] = counters.wait_seconds.get(label, 0.0) + waited
                    counters.longest_wait[label] = max(counters.longest_wait.get(label, 0.0), waited)
                continue
            self._wake.clear()
            timeout = None if wake_at is None else max(0.0, wake_at - now)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
