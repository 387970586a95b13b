"""Telegram's formatted text: plain text with UTF-16 entities, and what the parse-mode parsers share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Entity = dict[str, Any]


class EntityParseError(Exception):
    """The text does not parse in its parse_mode; Telegram answers "can't parse entities: ..."."""


@dataclass(slots=True)
class FormattedText:
    """Plain text as a user reads it, with its entities."""

    text: str
    entities: list[Entity] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


class Output:
    """Accumulates plain text while tracking its UTF-16 length."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.utf16 = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.utf16 += utf16_len(text)

    def last_char(self) -> str:
        return self.parts[-1][-1] if self.parts and self.parts[-1] else ""

    def text(self) -> str:
        return "".join(self.parts)


@dataclass(slots=True)
class Open:
    """An entity whose end has not been seen yet."""

    kind: str
    offset: int
    source_index: int
    attrs: dict[str, str] = field(default_factory=dict)


def byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def sorted_entities(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))
