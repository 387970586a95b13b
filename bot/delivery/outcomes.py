"""What one delivery comes to: sent, blocked, failed or unknown (or deferred: Telegram asked us to wait)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from telegram import InlineKeyboardMarkup


class Outcome(StrEnum):
    """Where a message to one recipient ended up."""

    SENT = "sent"
    BLOCKED = "blocked"  # Forbidden: the recipient blocked the bot or is gone; they are marked inactive
    FAILED = "failed"  # Telegram refused it (400), or kept answering 5xx: it was not delivered
    UNKNOWN = "unknown"  # timed out or cut off: it may have arrived, so it is never sent again
    DEFERRED = "deferred"  # not sent: Telegram asked us to wait; the caller sends it after `retry_after`


@dataclass(frozen=True, slots=True)
class Envelope:
    """One message to one chat: a text with buttons, or a copy of an existing message (broadcasts)."""

    chat_id: int
    text: str | None = None
    markup: InlineKeyboardMarkup | None = None
    parse_mode: str | None = None
    copy_of: tuple[int, int] | None = None  # (from chat, message id): sent with copyMessage


@dataclass(frozen=True, slots=True)
class Result:
    """What became of one envelope."""

    outcome: Outcome
    message_id: int | None = None
    retry_after: float | None = None  # with DEFERRED: seconds Telegram asked for
    error: str | None = None
    attempts: int = 1


@dataclass(slots=True)
class Tally:
    """What a run of deliveries came to, by outcome."""

    outcomes: Counter[Outcome] = field(default_factory=Counter)
    retried: int = 0  # extra attempts after a 5xx answer
    retry_after: float | None = None  # the longest wait Telegram asked for, if it asked

    @property
    def sent(self) -> int:
        return self.outcomes[Outcome.SENT]

    def add(self, result: Result) -> None:
        self.outcomes[result.outcome] += 1
        self.retried += result.attempts - 1
        if result.retry_after is not None:
            self.retry_after = max(self.retry_after or 0.0, result.retry_after)
