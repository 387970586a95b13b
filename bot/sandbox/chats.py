"""Chats and their messages, as the bot and the sandbox users see them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


def unix_now() -> int:
    """Telegram's `date`: whole seconds since the epoch."""
    return int(time.time())


class Notifier:
    """Wakes everyone waiting for the sandbox's state to change."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Something changed: re-check every waiting predicate."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], T | None], within: float) -> T | None:
        """The first non-None value of `predicate` within `within` seconds, else None."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            result = predicate()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            # asyncio.timeout rather than wait_for: on 3.11 wait_for can swallow a cancellation.
            try:
                async with asyncio.timeout(remaining):
                    await self._event.wait()
            except TimeoutError:
                return predicate()


@dataclass(eq=False, slots=True)
class SandboxMessage:
    """A message the bot sent, in its current state (edits applied, deletion flagged)."""

    raw: dict[str, Any]
    markup: dict[str, Any] | None = None
    edited: bool = False
    deleted: bool = False
    pinned: bool = False

    @property
    def message_id(self) -> int:
        """The id within its chat."""
        return int(self.raw["message_id"])

    @property
    def chat_id(self) -> int:
        """The chat it was sent to."""
        return int(self.raw["chat"]["id"])

    @property
    def date(self) -> int:
        """When it was sent, in Unix seconds."""
        return int(self.raw["date"])

    @property
    def text(self) -> str:
        """What a user reads: the text after entity parsing, or the media caption."""
        return str(self.raw.get("text", self.raw.get("caption", "")))

    @property
    def entities(self) -> list[dict[str, Any]]:
        """Entities of the text (or of the caption)."""
        return list(self.raw.get("entities", self.raw.get("caption_entities", [])))

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        """The keyboard as the bot sent it (inline or reply keyboard), or None."""
        return self.markup

    @property
    def buttons(self) -> list[list[str]]:
        """Button texts, row by row, of the current keyboard."""
        return [[str(button.get("text", "")) for button in row] for row in _keyboard_rows(self.markup)]

    @property
    def web_apps(self) -> dict[str, str]:
        """The Mini App URL of each web_app button, by button text."""
        return {
            str(button.get("text", "")): str(button["web_app"].get("url", ""))
            for row in _keyboard_rows(self.markup)
            for button in row
            if isinstance(button.get("web_app"), dict)
        }

    @property
    def button_data(self) -> dict[str, str]:
        """callback_data of each inline button, by button text."""
        return {
            str(button.get("text", "")): str(button["callback_data"])
            for row in _keyboard_rows(self.markup)
            for button in row
            if "callback_data" in button
        }

    @property
    def document(self) -> dict[str, Any] | None:
        """The Document object, if this is a document message."""
        document = self.raw.get("document")
        return dict(document) if document else None

    @property
    def photo(self) -> list[dict[str, Any]] | None:
        """The PhotoSize list, if this is a photo message."""
        photo = self.raw.get("photo")
        return list(photo) if photo else None

    def __repr__(self) -> str:
        flags = "".join(f" {name}" for name in ("edited", "deleted", "pinned") if getattr(self, name))
        return f"<SandboxMessage {self.chat_id}/{self.message_id}{flags} {self.text[:60]!r} {self.buttons}>"


def _keyboard_rows(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [
        [b if isinstance(b, dict) else {"text": str(b)} for b in row] for row in rows if isinstance(row, list)
    ]


@dataclass(eq=False)
class Chat:
    """A private chat with one user, or a group; message ids are shared by everyone writing in it."""

    id: int
    type: str
    title: str | None = None
    user: dict[str, Any] | None = None
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    bot_messages: dict[int, SandboxMessage] = field(default_factory=dict)
    sent: list[SandboxMessage] = field(default_factory=list)
    consumed: int = 0
    pinned: list[int] = field(default_factory=list)
    deleted: set[int] = field(default_factory=set)
    _next_message_id: int = 1

    def next_message_id(self) -> int:
        """Allocate the next message id in this chat."""
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    def as_chat(self) -> dict[str, Any]:
        """The Chat object Telegram embeds in messages."""
        if self.type == "private" and self.user is not None:
            chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.user["first_name"]}
            for key in ("last_name", "username"):
                if self.user.get(key):
                    chat[key] = self.user[key]
            return chat
        return {"id": self.id, "type": self.type, "title": self.title or ""}

    def add_bot_message(self, raw: dict[str, Any], markup: dict[str, Any] | None) -> SandboxMessage:
        """Record a message the bot sent so that users see it and reply() can return it."""
        message = SandboxMessage(raw, markup)
        self.messages[message.message_id] = raw
        self.bot_messages[message.message_id] = message
        self.sent.append(message)
        return message

    def take_unconsumed(self) -> SandboxMessage | None:
        """The oldest bot message reply() has not returned yet, marking it returned."""
        if self.consumed < len(self.sent):
            message = self.sent[self.consumed]
            self.consumed += 1
            return message
        return None

    def unconsumed(self) -> list[SandboxMessage]:
        """Bot messages reply() has not returned yet."""
        return self.sent[self.consumed :]
