"""Everything the sandbox remembers: chats, users, files, queries, commands and the update queue."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.sandbox.chats import Chat, Notifier, SandboxMessage, unix_now
from bot.sandbox.errors import bad_request, forbidden, too_many_requests
from bot.sandbox.files import FileStore
from bot.sandbox.formatting import EntityParseError, FormattedText, format_text
from bot.sandbox.keyboards import check_reply_markup
from bot.sandbox.limits import FloodControl, Limits
from bot.sandbox.spec import SpecViolation, load_spec
from bot.sandbox.updates import UpdateQueue


class Account(Protocol):
    """What the world knows of a user's account: whether the bot may write to them (users.py fills it)."""

    started: bool
    blocked: bool
    deactivated: bool


@dataclass(frozen=True, slots=True)
class Call:
    """One Bot API call the bot made, as the journal records it."""

    method: str
    params: dict[str, Any]
    chat_id: int | None
    time: float
    ok: bool
    error_code: int | None = None
    description: str | None = None


@dataclass(slots=True)
class PendingQuery:
    """A callback or inline query sent to the bot, and its answer once it comes."""

    id: str
    kind: str
    update: dict[str, Any]
    answer: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    """What setWebhook asked for."""

    url: str
    secret_token: str | None
    max_connections: int
    ip_address: str | None = None


@dataclass(slots=True)
class WebhookStatus:
    """What getWebhookInfo reports about delivery."""

    last_error_date: int | None = None
    last_error_message: str | None = None


# Keys that make up a message's content, which copyMessage and forwardMessage carry over.
CONTENT_KEYS = (
    "text", "entities", "link_preview_options", "document", "photo", "caption", "caption_entities", "audio",
    "video", "voice", "animation", "sticker", "location", "venue", "contact", "dice", "poll",
)  # fmt: skip


@dataclass(eq=False)
class World:
    """The sandbox's state, shared by the HTTP side (the bot) and the test side (the users)."""

    bot_id: int
    bot_username: str
    bot_first_name: str
    limits: Limits
    enforce_limits: bool = True
    group_privacy: bool = True
    chats: dict[int, Chat] = field(default_factory=dict)
    users: dict[int, Account] = field(default_factory=dict)
    files: FileStore = field(default_factory=FileStore)
    queries: dict[str, PendingQuery] = field(default_factory=dict)
    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    profile: dict[str, str] = field(default_factory=dict)
    # setChatMenuButton: per private chat id, and the bot's default under None.
    menu_buttons: dict[int | None, dict[str, Any]] = field(default_factory=dict)
    journal: list[Call] = field(default_factory=list)
    violations: list[SpecViolation] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    webhook: WebhookConfig | None = None
    webhook_status: WebhookStatus = field(default_factory=WebhookStatus)
    poll_generation: int = 0
    closed: bool = False

    def __post_init__(self) -> None:
        self.spec = load_spec()
        self.updates = UpdateQueue()
        self.changed = Notifier()
        self.flood = FloodControl(self.limits)
        self._next_user_id = 100_000_001
        self._next_group_id = 4_000_000_001
        self._next_query_id = 1

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot as a User object inside messages."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def new_user_id(self) -> int:
        """A fresh positive id for a user created without one."""
        while self._next_user_id in self.chats:
            self._next_user_id += 1
        self._next_user_id += 1
        return self._next_user_id - 1

    def new_group_id(self) -> int:
        """A fresh negative id for a basic group."""
        self._next_group_id += 1
        return -(self._next_group_id - 1)

    def new_query_id(self) -> str:
        """A fresh callback or inline query id (Telegram's are long decimal strings)."""
        self._next_query_id += 1
        return str(7_000_000_000_000_000 + self._next_query_id)

    # The bot's side: resolving chats and checking what it sends.

    def find_chat(self, chat_id: Any) -> Chat:
        """The chat a chat_id names, or Telegram's "chat not found"."""
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) and not isinstance(chat_id, bool) else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def writable_chat(self, chat_id: Any) -> Chat:
        """A chat the bot may write to now: 403 if the user blocked it, is deactivated or never started it."""
        chat = self.find_chat(chat_id)
        user = self.users.get(chat.id) if chat.type == "private" else None
        if user is not None:
            if user.deactivated:
                raise forbidden("user is deactivated")
            if user.blocked:
                raise forbidden("bot was blocked by the user")
            if not user.started:
                raise forbidden("bot can't initiate conversation with a user")
        return chat

    def format(self, text: Any, parse_mode: Any, entities: Any, *, caption: bool) -> FormattedText:
        """Parse a text or caption and enforce Telegram's length limits on the result."""
        source = "" if text is None else str(text)
        try:
            formatted = format_text(source, parse_mode, entities if isinstance(entities, list) else None)
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
        length = len(formatted.text)
        if caption:
            if length > self.limits.caption_length:
                raise bad_request("message caption is too long")
        elif length == 0:
            raise bad_request("message text is empty")
        elif length > self.limits.text_length:
            raise bad_request("message is too long")
        return formatted

    def check_markup(self, markup: Any) -> dict[str, Any] | None:
        """Validate reply_markup as Telegram does; returns it unchanged."""
        return check_reply_markup(markup, self.limits)

    def reply_target(self, chat: Chat, reply_parameters: Any) -> dict[str, Any] | None:
        """The message a reply points at, embedded without its own reply, or 400 if it does not exist."""
        if not isinstance(reply_parameters, dict):
            return None
        target_chat = chat
        if reply_parameters.get("chat_id") is not None:
            target_chat = self.find_chat(reply_parameters["chat_id"])
        target = target_chat.messages.get(reply_parameters.get("message_id", 0))
        if target is None or reply_parameters.get("message_id") in target_chat.deleted:
            if reply_parameters.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return {key: value for key, value in target.items() if key != "reply_to_message"}

    def admit(self, chat: Chat) -> None:
        """Apply flood control to a message-creating call."""
        if not self.enforce_limits:
            return
        retry_after = self.flood.admit(chat.id, chat.type, time.monotonic())
        if retry_after is not None:
            raise too_many_requests(retry_after)

    def bot_message(
        self,
        chat: Chat,
        content: dict[str, Any],
        markup: dict[str, Any] | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> SandboxMessage:
        """Create a message from the bot in `chat` and show it to the users there."""
        raw: dict[str, Any] = {
            "message_id": chat.next_message_id(),
            "from": self.bot_user,
            "chat": chat.as_chat(),
            "date": unix_now(),
            **content,
        }
        if reply_to is not None:
            raw["reply_to_message"] = reply_to
        if markup is not None and "inline_keyboard" in markup:
            raw["reply_markup"] = markup
        message = chat.add_bot_message(raw, markup)
        self.changed.notify()
        return message

    def find_message(self, chat: Chat, message_id: Any, missing: str) -> dict[str, Any]:
        """A message in `chat` that still exists, or 400 with `missing` as the reason."""
        raw = chat.messages.get(message_id) if isinstance(message_id, int) else None
        if raw is None or message_id in chat.deleted:
            raise bad_request(missing)
        return raw

    # The users' side: messages and queries they send.

    def user_message(self, chat: Chat, sender: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        """A message a user writes in `chat`, queued as a `message` update for the bot."""
        raw = {
            "message_id": chat.next_message_id(),
            "from": sender,
            "chat": chat.as_chat(),
            "date": unix_now(),
            **content,
        }
        chat.messages[raw["message_id"]] = raw
        if chat.type == "private" or not self.group_privacy or self._reaches_bot_in_group(raw):
            self.updates.push("message", raw)
        self.changed.notify()
        return raw

    def _reaches_bot_in_group(self, raw: dict[str, Any]) -> bool:
        """Privacy mode: a bot sees commands, mentions of it and replies to it, nothing else."""
        text = str(raw.get("text", raw.get("caption", "")))
        replied = raw.get("reply_to_message") or {}
        return (
            text.startswith("/")
            or f"@{self.bot_username}".lower() in text.lower()
            or replied.get("from", {}).get("id") == self.bot_id
        )

    def push_query(self, kind: str, payload: dict[str, Any]) -> PendingQuery:
        """Queue a callback_query or inline_query update and remember it until it is answered."""
        query = PendingQuery(payload["id"], kind, payload)
        self.queries[query.id] = query
        self.updates.push(kind, payload)
        self.changed.notify()
        return query

    def command_key(self, scope: Any, language_code: Any) -> tuple[str, str]:
        """The key setMyCommands stores a command list under."""
        scope = scope if isinstance(scope, dict) else {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")
