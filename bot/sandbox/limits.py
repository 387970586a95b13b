"""Telegram's size limits and flood control, as the sandbox enforces them."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """Sizes and rates the sandbox enforces; the defaults are Telegram's published ones."""

    text_length: int = 4096
    caption_length: int = 1024
    callback_data_bytes: int = 64
    inline_keyboard_buttons: int = 100
    inline_results: int = 50
    global_per_second: float = 30.0
    private_per_second: float = 1.0
    private_burst: float = 3.0
    group_per_minute: float = 20.0
    # How early a call may come and still pass: absorbs network jitter for a client that paces itself exactly
    # (PTB's AIORateLimiter is otherwise refused now and then). Overall that is 3 extra in a burst.
    timing_tolerance: float = 0.1


class TokenBucket:
    """Allows `capacity` calls at once, refilling at `rate` calls a second."""

    __slots__ = ("_last", "_tokens", "capacity", "rate")

    def __init__(self, capacity: float, rate: float, now: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self._tokens = capacity
        self._last = now

    def wait_time(self, now: float) -> float:
        """Seconds until one call is allowed (0 when it is allowed now)."""
        self._refill(now)
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate

    def take(self, now: float) -> None:
        """Spend one call; only after wait_time said 0."""
        self._refill(now)
        self._tokens -= 1

    def is_full(self, now: float) -> bool:
        """True when the bucket forgot all earlier calls (it can be discarded)."""
        self._refill(now)
        return self._tokens >= self.capacity

    def _refill(self, now: float) -> None:
        self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
        self._last = now


class FloodControl:
    """Decides whether a message-creating call is over Telegram's rate limits.

    Telegram documents the limits (30 messages a second overall, about one a second per private chat,
    20 a minute per group) but not the algorithm. These are leaky buckets of the documented size, the same
    shape as python-telegram-bot's AIORateLimiter, so a bot throttled that way is never refused while a bot
    that bursts past the limits is.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._global: TokenBucket | None = None
        self._chats: dict[int, TokenBucket] = {}
        self._checks = 0

    def admit(self, chat_id: int, chat_type: str, now: float) -> int | None:
        """Record the call and return None, or return the retry_after seconds Telegram would ask for."""
        limits = self.limits
        if self._global is None:
            self._global = TokenBucket(limits.global_per_second, limits.global_per_second, now)
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_type == "private":
                chat = TokenBucket(limits.private_burst, limits.private_per_second, now)
            else:
                chat = TokenBucket(limits.group_per_minute, limits.group_per_minute / 60.0, now)
            self._chats[chat_id] = chat
        wait = max(self._global.wait_time(now), chat.wait_time(now))
        if wait > limits.timing_tolerance:
            return max(1, math.ceil(wait))
        self._global.take(now)
        chat.take(now)
        self._forget_idle(now)
        return None

    def _forget_idle(self, now: float) -> None:
        """Drop buckets of chats that went quiet, so a large broadcast keeps memory flat."""
        self._checks += 1
        if self._checks % 1024 == 0:
            self._chats = {chat_id: b for chat_id, b in self._chats.items() if not b.is_full(now)}
