"""The pacer's bookkeeping without asyncio: which waiting request may go now, and when the next one may.

Every request to a chat waits in that chat's lane, best class first and first come first served within a
class. A lane may send when its own bucket allows (a short burst, then the sustained rate) and Telegram has
not told it to wait; the whole bot sends one request per slot of the overall rate, so no second ever holds
more than the configured number and nothing bursts after a quiet spell. Of the lanes that may send, the one
whose waiting request has the best class (then came first) goes. A pause (Telegram's flood control for the
whole bot) holds back bulk deliveries; replies and notifications go on, and wait out their own RetryAfter.
"""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from bot.pacing.priority import Priority

ChatKey = int | str


@dataclass(frozen=True, slots=True)
class PaceLimits:
    """Telegram's limits as the pacer keeps them."""

    rate_per_second: float = 30.0  # overall, in any one-second window
    private_burst: float = 3.0
    private_per_second: float = 1.0
    group_burst: float = 3.0
    group_per_minute: float = 20.0  # burst included: never more than this in any minute
    # Sends are spaced this much wider than the limits, so that jitter on the way to Telegram cannot
    # squeeze one more into a window than the limit (2 % keeps the overall rate above 29/s at 30/s).
    margin: float = 0.02

    def overall(self, now: float) -> TokenBucket:
        """One request per slot: `rate_per_second` slots a second, no burst."""
        return TokenBucket(1.0, self.rate_per_second / (1 + self.margin), now)

    def chat(self, chat: ChatKey, now: float) -> TokenBucket:
        """A private chat's bucket (positive ids), else a group's or channel's."""
        if isinstance(chat, int) and chat > 0:
            return TokenBucket(self.private_burst, self.private_per_second / (1 + self.margin), now)
        # A burst of b and a rate r allow b + 60 r in a minute: keep that within group_per_minute.
        rate = max(self.group_per_minute - self.group_burst, 1.0) / 60.0
        return TokenBucket(self.group_burst, rate / (1 + self.margin), now)


class TokenBucket:
    """Allows `capacity` requests at once, refilling at `rate` a second."""

    __slots__ = ("_last", "_tokens", "capacity", "rate")

    def __init__(self, capacity: float, rate: float, now: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self._tokens = capacity
        self._last = now

    def ready_at(self, now: float) -> float:
        """When the next request may go (`now` if it may go now)."""
        self._refill(now)
        return now if self._tokens >= 1 else now + (1 - self._tokens) / self.rate

    def take(self, now: float) -> None:
        """Spend one request; only once ready_at said it may go."""
        self._refill(now)
        self._tokens -= 1

    def is_idle(self, now: float) -> bool:
        """True when the bucket forgot every earlier request."""
        self._refill(now)
        return self._tokens >= self.capacity

    def _refill(self, now: float) -> None:
        if now > self._last:
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now


@dataclass(eq=False, slots=True)
class Ticket:
    """One request waiting for its turn."""

    priority: Priority
    seq: int
    chat: ChatKey
    enqueued: float
    waiter: Any = None  # what the asyncio side wakes when the ticket is released
    released: float | None = None
    cancelled: bool = False


@dataclass(eq=False, slots=True)
class Lane:
    """One chat: its bucket, Telegram's pause for it, and its waiting requests (best first)."""

    bucket: TokenBucket
    blocked_until: float = 0.0
    waiting: list[tuple[int, int, Ticket]] = field(default_factory=list)

    def head(self) -> Ticket | None:
        while self.waiting and self.waiting[0][2].cancelled:
            heapq.heappop(self.waiting)
        return self.waiting[0][2] if self.waiting else None

    def ready_at(self, now: float) -> float:
        return max(self.blocked_until, self.bucket.ready_at(now))


class Schedule:
    """Lanes of waiting requests and the overall slot; `pick` releases the next request."""

    PURGE_EVERY = 1024  # releases between sweeps of idle lanes, so a large broadcast keeps memory flat

    def __init__(self, limits: PaceLimits, now: float) -> None:
        self.limits = limits
        self._overall = limits.overall(now)
        self._lanes: dict[ChatKey, Lane] = {}
        # Lanes that may send now, by their head's (class, arrival); and lanes waiting for a moment.
        # Entries go stale when a lane's head changes; pick() checks each against its lane.
        self._ready: list[tuple[int, int, ChatKey]] = []
        self._sleeping: list[tuple[float, int, ChatKey]] = []
        self._order = itertools.count()
        self._paused_until = 0.0
        self._releases = 0
        self.waiting = 0

    def next_seq(self) -> int:
        """A number that orders requests by arrival (a retried request keeps its first one)."""
        return next(self._order)

    def add(self, ticket: Ticket, now: float) -> None:
        """Queue a request in its chat's lane."""
        lane = self._lanes.get(ticket.chat)
        if lane is None:
            lane = self._lanes[ticket.chat] = Lane(self.limits.chat(ticket.chat, now))
        heapq.heappush(lane.waiting, (ticket.priority, ticket.seq, ticket))
        self.waiting += 1
        if lane.head() is ticket:
            self._file(ticket.chat, lane, now)

    def cancel(self, ticket: Ticket) -> None:
        """Forget a request whose caller stopped waiting before it was released."""
        if ticket.released is None and not ticket.cancelled:
            ticket.cancelled = True
            self.waiting -= 1

    def block(self, chat: ChatKey, until: float) -> None:
        """Telegram asked this chat to wait until `until`."""
        lane = self._lanes.get(chat)
        if lane is not None:
            lane.blocked_until = max(lane.blocked_until, until)

    def pause(self, until: float) -> bool:
        """Telegram asked the whole bot to wait: hold back bulk until `until`; True if that is longer."""
        if until <= self._paused_until:
            return False
        self._paused_until = until
        return True

    def paused_until(self) -> float:
        """Until when bulk deliveries are held back."""
        return self._paused_until

    def pick(self, now: float) -> tuple[Ticket | None, float | None]:
        """The request released now, or None and when to look again (None: when something arrives)."""
        while self._sleeping and self._sleeping[0][0] <= now:
            _, _, key = heapq.heappop(self._sleeping)
            lane = self._lanes.get(key)
            if lane is not None:
                self._file(key, lane, now)
        slot = self._overall.ready_at(now)
        while self._ready:
            priority, seq, key = self._ready[0]
            lane = self._lanes.get(key)
            head = lane.head() if lane is not None else None
            if lane is None or head is None or head.seq != seq:
                heapq.heappop(self._ready)  # stale: released, cancelled, or overtaken by a better request
                if lane is not None and head is not None:
                    self._file(key, lane, now)  # the head may have been behind the one that went stale
                continue
            lane_at = lane.ready_at(now)
            if lane_at > now:
                heapq.heappop(self._ready)
                heapq.heappush(self._sleeping, (lane_at, next(self._order), key))
                continue
            if slot > now:
                return None, slot
            if priority >= Priority.BULK and now < self._paused_until:
                # Only bulk may go, and it is held back; a better request could come ready in a sleeping lane.
                return None, min(self._paused_until, self._next_wake())
            heapq.heappop(self._ready)
            heapq.heappop(lane.waiting)
            self.waiting -= 1
            lane.bucket.take(now)
            self._overall.take(now)
            head.released = now
            self._file(key, lane, now)
            self._releases += 1
            if self._releases % self.PURGE_EVERY == 0:
                self._purge(now)
            return head, None
        wake = self._next_wake()
        return None, None if math.isinf(wake) else wake

    def _next_wake(self) -> float:
        return self._sleeping[0][0] if self._sleeping else math.inf

    def _file(self, key: ChatKey, lane: Lane, now: float) -> None:
        head = lane.head()
        if head is None:
            return
        at = lane.ready_at(now)
        if at <= now:
            heapq.heappush(self._ready, (head.priority, head.seq, key))
        else:
            heapq.heappush(self._sleeping, (at, next(self._order), key))

    def _purge(self, now: float) -> None:
        self._lanes = {
            key: lane
            for key, lane in self._lanes.items()
            if lane.waiting or lane.blocked_until > now or not lane.bucket.is_idle(now)
        }
