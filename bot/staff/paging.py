"""Long replies as several messages, each under Telegram's limit, never refused by it."""

from __future__ import annotations

from collections.abc import Iterable

MESSAGE_LIMIT = 4096  # Telegram's longest message text, in UTF-16 code units


def telegram_length(text: str) -> int:
    """How long Telegram counts a text: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_messages(blocks: Iterable[str], limit: int = MESSAGE_LIMIT, separator: str = "\n") -> list[str]:
    """Join blocks into as few messages as fit `limit`; a block is split only when it alone is too long.

    A block too long by itself is cut at line ends, and a line too long by itself at the limit, so that
    every message fits whatever the blocks hold. For HTML, give blocks that are whole elements.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        for piece in _pieces(block, limit):
            joined = f"{current}{separator}{piece}" if current else piece
            if current and telegram_length(joined) > limit:
                messages.append(current)
                joined = piece
            current = joined
    if current:
        messages.append(current)
    return messages


def _pieces(block: str, limit: int) -> list[str]:
    if telegram_length(block) <= limit:
        return [block]
    pieces: list[str] = []
    for line in block.split("\n"):
        while telegram_length(line) > limit:
            cut = limit
            while telegram_length(line[:cut]) > limit:
                cut -= 1
            pieces.append(line[:cut])
            line = line[cut:]
        pieces.append(line)
    return pieces
