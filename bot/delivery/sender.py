"""The bulk-sending service: many messages, a bounded number in flight, one outcome per recipient.

Reminders and digests use it now, broadcasts next. The caller hands over recipients and two steps:
`prepare` claims a recipient in the database and composes their message (None: nothing to send, e.g. another
tick took it), and `settle` records the result. Between the two the sender sends, through `transport` (so
through the pacer, in whatever class the transport sends as):

- a 5xx answer is tried again, a few times with a growing pause (Telegram answered: it was not delivered);
- Forbidden is `blocked` and marks the member inactive; any other refusal is `failed`;
- a timeout or a broken connection is `unknown` (it may have arrived) and never sent again;
- a RetryAfter that reaches it (the pacer already waited some out) is `deferred`: sending stops for the
  rest of the run, which the caller resumes after the wait.

It starts with one message in flight and opens up to `in_flight` once that one is answered (or after a
second), so a bot Telegram is refusing does not fire a volley of requests into the refusal.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Callable, Iterable
from datetime import timedelta
from typing import Generic, Protocol, TypeVar

from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.delivery.outcomes import Envelope, Outcome, Result, Tally
from bot.delivery.request import ServerError

log = logging.getLogger(__name__)

T = TypeVar("T")

IN_FLIGHT = 8  # 30 sends a second at 100 ms each need about 3; the rest absorbs slow answers
SERVER_RETRIES = 3
RETRY_DELAY_SECONDS = 0.5  # then 1 s, 2 s
OPEN_AFTER_SECONDS = 1.0  # in flight opens up after the first answer, or after this long without one


class Transport(Protocol):
    """Sends one envelope; its message id. Raises Telegram's errors."""

    async def __call__(self, envelope: Envelope) -> int: ...


class Inactive(Protocol):
    """Marks a member who blocked the bot as inactive (the members repository)."""

    async def set_active(self, member_id: int, active: bool) -> None: ...


def _always() -> bool:
    return True


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class BulkSender:
    """Sends many envelopes with a bounded number in flight; see the module docstring."""

    def __init__(
        self,
        transport: Transport,
        *,
        members: Inactive | None = None,
        in_flight: int = IN_FLIGHT,
        server_retries: int = SERVER_RETRIES,
        retry_delay: float = RETRY_DELAY_SECONDS,
        keep_going: Callable[[], bool] = _always,
    ) -> None:
        self.transport = transport
        self.members = members
        self.in_flight = max(1, in_flight)
        self.server_retries = server_retries
        self.retry_delay = retry_delay
        self.keep_going = keep_going

    async def send(self, envelope: Envelope) -> Result:
        """Send one envelope, trying again after 5xx answers; never raises Telegram's errors."""
        attempts = 0
        while True:
            attempts += 1
            try:
                message_id = await self.transport(envelope)
            except Forbidden as error:
                result = Result(Outcome.BLOCKED, error=str(error), attempts=attempts)
            except RetryAfter as error:
                delay = _seconds(error.retry_after)
                result = Result(Outcome.DEFERRED, retry_after=delay, error=str(error), attempts=attempts)
            except ServerError as error:
                if attempts <= self.server_retries:
                    await asyncio.sleep(self.retry_delay * 2 ** (attempts - 1))
                    continue
                result = Result(Outcome.FAILED, error=str(error), attempts=attempts)
            except BadRequest as error:  # a NetworkError to PTB, but Telegram answered: not delivered
                result = Result(Outcome.FAILED, error=str(error), attempts=attempts)
            except NetworkError as error:  # TimedOut included: it may have arrived
                result = Result(Outcome.UNKNOWN, error=str(error), attempts=attempts)
            except InvalidToken:
                raise
            except TelegramError as error:
                result = Result(Outcome.FAILED, error=str(error), attempts=attempts)
            else:
                return Result(Outcome.SENT, message_id=message_id, attempts=attempts)
            if result.outcome is Outcome.BLOCKED and self.members is not None:
                await self.members.set_active(envelope.chat_id, False)
                log.info("member %s blocked the bot; marked inactive", envelope.chat_id)
            return result

    async def send_all(
        self,
        recipients: Iterable[T] | AsyncIterable[T],
        prepare: Callable[[T], Awaitable[Envelope | None]],
        settle: Callable[[T, Envelope, Result], Awaitable[None]],
    ) -> Tally:
        """Prepare, send and settle each recipient, a bounded number at once; what it came to."""
        run = _Run(self, prepare, settle)
        try:
            if isinstance(recipients, AsyncIterable):
                async for recipient in recipients:
                    if not await run.start(recipient):
                        break
            else:
                for recipient in recipients:
                    if not await run.start(recipient):
                        break
        finally:
            await run.finish()
            if isinstance(recipients, AsyncGenerator):
                await recipients.aclose()  # left early (a pause, shutdown): close it here, not at exit
        return run.tally


class _Run(Generic[T]):
    """One send_all: the tasks in flight, how many may be, and whether Telegram asked us to stop."""

    def __init__(
        self,
        sender: BulkSender,
        prepare: Callable[[T], Awaitable[Envelope | None]],
        settle: Callable[[T, Envelope, Result], Awaitable[None]],
    ) -> None:
        self.sender = sender
        self.prepare = prepare
        self.settle = settle
        self.tally = Tally()
        self.tasks: set[asyncio.Task[None]] = set()
        self.limit = 1
        self.opens_at = asyncio.get_running_loop().time() + OPEN_AFTER_SECONDS
        self.deferred: float | None = None
        self.error: BaseException | None = None

    def stopped(self) -> bool:
        return self.deferred is not None or self.error is not None or not self.sender.keep_going()

    async def start(self, recipient: T) -> bool:
        """Start on one more recipient once there is room; False when the run should stop instead."""
        while not self.stopped() and len(self.tasks) >= self.limit:
            loop = asyncio.get_running_loop()
            timeout = max(0.0, self.opens_at - loop.time()) if self.limit == 1 else None
            await asyncio.wait(self.tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            self.limit = self.sender.in_flight
        if self.stopped():
            return False
        task = asyncio.create_task(self._one(recipient))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return True

    async def finish(self) -> None:
        """Wait for what is in flight; raise the first unexpected error (a database failure, say)."""
        while self.tasks:
            await asyncio.wait(list(self.tasks))
        if self.error is not None:
            raise self.error

    async def _one(self, recipient: T) -> None:
        try:
            envelope = await self.prepare(recipient)
            if envelope is None:
                return
            if self.deferred is not None:
                result = Result(Outcome.DEFERRED, retry_after=self.deferred, attempts=0)
            elif not self.sender.keep_going():
                result = Result(Outcome.DEFERRED, attempts=0)  # shutting down: not sent, still owed
            else:
                result = await self.sender.send(envelope)
                if result.outcome is Outcome.DEFERRED:
                    self.deferred = max(self.deferred or 0.0, result.retry_after or 0.0)
            await self.settle(recipient, envelope, result)
            self.tally.add(result)
        except Exception as error:  # kept and raised by finish(), once the rest have settled
            if self.error is None:
                self.error = error
