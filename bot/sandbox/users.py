"""The test side: people who talk to the bot through the sandbox."""

# Test helpers take `timeout=` like PTB's own awaitables; asyncio.timeout() around them would read worse.
# ruff: noqa: ASYNC109

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.sandbox.chats import Chat, SandboxMessage, unix_now
from bot.sandbox.files import StoredFile
from bot.sandbox.formatting import command_entities

if TYPE_CHECKING:
    from bot.sandbox.world import PendingQuery, World


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """What the bot answered to a button press (answerCallbackQuery)."""

    text: str | None
    show_alert: bool
    url: str | None = None


class _Conversation:
    """Waiting for and describing the bot's messages in one chat."""

    world: World
    chat: Chat

    @property
    def messages(self) -> list[SandboxMessage]:
        """Everything the bot sent here, in its current state."""
        return self.chat.sent

    @property
    def last(self) -> SandboxMessage:
        """The bot's latest message here."""
        if not self.chat.sent:
            raise AssertionError(f"the bot has not sent anything to chat {self.chat.id}")
        return self.chat.sent[-1]

    async def reply(self, timeout: float = 5.0) -> SandboxMessage:
        """The next bot message here not yet returned by reply(); AssertionError if none comes in time."""
        message = await self.world.changed.wait_for(self.chat.take_unconsumed, timeout)
        if message is None:
            raise AssertionError(
                f"no reply in chat {self.chat.id} within {timeout}s; {self._what_happened()}"
            )
        return message

    async def no_reply(self, within: float = 0.5) -> None:
        """Assert that, after `within` seconds, the bot has sent nothing reply() has not returned yet."""
        unseen = await self.world.changed.wait_for(lambda: self.chat.unconsumed() or None, within)
        if unseen:
            raise AssertionError(f"expected no reply in chat {self.chat.id}, but the bot sent {unseen}")

    def _what_happened(self) -> str:
        recent = self.chat.sent[-5:]
        failed = [
            f"{call.method} -> {call.error_code} {call.description}"
            for call in self.world.journal[-200:]
            if call.chat_id == self.chat.id and not call.ok
        ][-5:]
        return (
            f"the bot's last messages here: {recent or 'none'}; "
            f"its failed calls for this chat: {' | '.join(failed) or 'none'}; "
            f"{len(self.world.updates)} updates unconfirmed"
        )


class SandboxUser(_Conversation):
    """A Telegram user with a private chat with the bot."""

    def __init__(
        self,
        world: World,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        started: bool = True,
    ) -> None:
        self.world = world
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.started = started
        self.blocked = False
        self.deactivated = False
        self.chat = Chat(user_id, "private", user=self.as_user())

    @property
    def chat_id(self) -> int:
        """The private chat's id, which Telegram makes equal to the user's id."""
        return self.id

    def as_user(self) -> dict[str, Any]:
        """The User object the bot receives."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                user[key] = getattr(self, key)
        return user

    async def send(self, text: str, *, reply_to: SandboxMessage | None = None) -> dict[str, Any]:
        """Write `text` to the bot; /commands get bot_command entities. Returns the message as sent."""
        return self._write(self.chat, _text_content(text), reply_to)

    async def send_document(
        self, content: bytes, file_name: str, caption: str | None = None, mime_type: str | None = None
    ) -> dict[str, Any]:
        """Send the bot a file."""
        stored = self.world.files.add("document", content, file_name, mime_type or "application/octet-stream")
        return self._write(self.chat, _media_content("document", stored, caption), None)

    async def send_photo(self, content: bytes, caption: str | None = None) -> dict[str, Any]:
        """Send the bot a photo."""
        stored = self.world.files.add("photo", content)
        return self._write(self.chat, _media_content("photo", stored, caption), None)

    async def press(self, message: SandboxMessage, button: str, timeout: float = 5.0) -> CallbackAnswer:
        """Press an inline button by its text (or a unique part of it) and wait for the bot's answer."""
        data = _find_button(message, button)
        return await self.press_data(message, data, timeout=timeout)

    async def press_data(self, message: SandboxMessage, data: str, timeout: float = 5.0) -> CallbackAnswer:
        """Send a callback query with any callback_data, as a forged or stale button would."""
        if message.deleted:
            raise AssertionError(f"cannot press a button on deleted message {message}")
        query_id = self.world.new_query_id()
        payload = {
            "id": query_id,
            "from": self.as_user(),
            "message": dict(message.raw),
            "chat_instance": str(abs(hash(("sandbox", message.chat_id)))),
            "data": data,
        }
        query = self.world.push_query("callback_query", payload)
        answer = await self._answer(query, timeout, f"button press {data!r}")
        return CallbackAnswer(answer.get("text"), bool(answer.get("show_alert", False)), answer.get("url"))

    async def inline_query(self, query: str, timeout: float = 5.0, offset: str = "") -> list[dict[str, Any]]:
        """Type `@bot query` in any chat; returns the results the bot answered with."""
        payload = {
            "id": self.world.new_query_id(),
            "from": self.as_user(),
            "query": query,
            "offset": offset,
            "chat_type": "sender",
        }
        pending = self.world.push_query("inline_query", payload)
        answer = await self._answer(pending, timeout, f"inline query {query!r}")
        return list(answer.get("results", []))

    async def block(self) -> None:
        """Block the bot: it gets a my_chat_member update and 403 on every send."""
        self.blocked = True
        self._member_update("member", "kicked")

    async def unblock(self) -> None:
        """Unblock the bot (Telegram sends my_chat_member kicked -> member)."""
        self.blocked = False
        self.started = True
        self._member_update("kicked", "member")

    def deactivate(self) -> None:
        """Delete the account: every send to this user answers 403 "user is deactivated"."""
        self.deactivated = True

    def _write(self, chat: Chat, content: dict[str, Any], reply_to: SandboxMessage | None) -> dict[str, Any]:
        if chat is self.chat:
            self.started = True
            if self.blocked:
                # Writing to a blocked bot means pressing "Restart" first, which unblocks it on Telegram.
                self.blocked = False
                self._member_update("kicked", "member")
        if reply_to is not None:
            content["reply_to_message"] = {k: v for k, v in reply_to.raw.items() if k != "reply_to_message"}
        return self.world.user_message(chat, self.as_user(), content)

    async def _answer(self, query: PendingQuery, within: float, what: str) -> dict[str, Any]:
        answer = await self.world.changed.wait_for(lambda: query.answer, within)
        if answer is None:
            raise AssertionError(f"the bot did not answer the {what} within {within}s")
        return answer

    def _member_update(self, old: str, new: str) -> None:
        bot = self.world.bot_user
        new_member: dict[str, Any] = {"status": new, "user": bot}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: dict[str, Any] = {"status": old, "user": bot}
        if old == "kicked":
            old_member["until_date"] = 0
        payload = {
            "chat": self.chat.as_chat(),
            "from": self.as_user(),
            "date": unix_now(),
            "old_chat_member": old_member,
            "new_chat_member": new_member,
        }
        self.world.updates.push("my_chat_member", payload)
        self.world.changed.notify()

    def __repr__(self) -> str:
        return f"<SandboxUser {self.id} {self.first_name!r}>"


class SandboxGroup(_Conversation):
    """A basic group the bot is a member of."""

    def __init__(self, world: World, group_id: int, title: str, members: list[SandboxUser]) -> None:
        self.world = world
        self.id = group_id
        self.title = title
        self.members = list(members)
        self.chat = Chat(group_id, "group", title=title)

    @property
    def chat_id(self) -> int:
        """The group's (negative) chat id."""
        return self.id

    async def send(
        self, user: SandboxUser, text: str, *, reply_to: SandboxMessage | None = None
    ) -> dict[str, Any]:
        """`user` writes `text` in the group; the bot sees it subject to privacy mode."""
        if user not in self.members:
            self.members.append(user)
        return user._write(self.chat, _text_content(text), reply_to)

    def __repr__(self) -> str:
        return f"<SandboxGroup {self.id} {self.title!r}>"


def _text_content(text: str) -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if entities := command_entities(text):
        content["entities"] = entities
    return content


def _media_content(kind: str, stored: StoredFile, caption: str | None) -> dict[str, Any]:
    content: dict[str, Any] = {kind: stored.as_document() if kind == "document" else stored.as_photo()}
    if caption:
        content["caption"] = caption
        if entities := command_entities(caption):
            content["caption_entities"] = entities
    return content


def _find_button(message: SandboxMessage, button: str) -> str:
    """callback_data of the button whose text is `button`, or the only one containing it."""
    data = message.button_data
    if button in data:
        return data[button]
    matches = [text for text in data if button in text]
    if len(matches) == 1:
        return data[matches[0]]
    if matches:
        raise AssertionError(f"{button!r} matches several buttons {matches} on {message}")
    raise AssertionError(f"no button {button!r} with callback data on {message}; buttons: {message.buttons}")
