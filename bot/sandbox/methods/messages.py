"""Sending, editing, copying, deleting and pinning messages."""

from __future__ import annotations

from typing import Any

from bot.sandbox.chats import Chat, SandboxMessage, unix_now
from bot.sandbox.errors import bad_request
from bot.sandbox.formatting import FormattedText
from bot.sandbox.methods.params import Handler, Params
from bot.sandbox.world import CONTENT_KEYS, World

_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
    }
)  # fmt: skip
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)


def text_content(formatted: FormattedText, key: str = "text") -> dict[str, Any]:
    """Message fields for a parsed text (`text`/`entities`) or caption (`caption`/`caption_entities`)."""
    if not formatted.text:
        return {}
    content: dict[str, Any] = {key: formatted.text}
    if formatted.entities:
        content["entities" if key == "text" else "caption_entities"] = formatted.entities
    return content


def send_common(world: World, chat: Chat, p: Params, content: dict[str, Any]) -> SandboxMessage:
    """The part every send* shares: markup, reply target, flood control, then the message itself."""
    markup = world.check_markup(p.get("reply_markup"))
    reply_to = world.reply_target(chat, p.obj("reply_parameters"))
    world.admit(chat)
    return world.bot_message(chat, content, markup, reply_to)


async def send_message(world: World, p: Params) -> dict[str, Any]:
    """sendMessage."""
    chat = world.writable_chat(p.get("chat_id"))
    formatted = world.format(p.get("text"), p.get("parse_mode"), p.get("entities"), caption=False)
    content = text_content(formatted)
    if p.obj("link_preview_options"):
        content["link_preview_options"] = p.get("link_preview_options")
    return send_common(world, chat, p, content).raw


async def copy_message(world: World, p: Params) -> dict[str, Any]:
    """copyMessage: the content without a link to the original; answers a MessageId."""
    source = world.find_chat(p.get("from_chat_id"))
    original = world.find_message(source, p.get("message_id"), "message to copy not found")
    chat = world.writable_chat(p.get("chat_id"))
    content = {key: original[key] for key in CONTENT_KEYS if key in original}
    if not content:
        raise bad_request("message can't be copied")
    if "caption" in p.values:
        formatted = world.format(
            p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True
        )
        content.pop("caption", None)
        content.pop("caption_entities", None)
        content.update(text_content(formatted, "caption"))
    return {"message_id": send_common(world, chat, p, content).message_id}


async def forward_message(world: World, p: Params) -> dict[str, Any]:
    """forwardMessage: the content plus where it came from."""
    source = world.find_chat(p.get("from_chat_id"))
    original = world.find_message(source, p.get("message_id"), "message to forward not found")
    chat = world.writable_chat(p.get("chat_id"))
    content = {key: original[key] for key in CONTENT_KEYS if key in original}
    if not content:
        raise bad_request("message can't be forwarded")
    content["forward_origin"] = {"type": "user", "sender_user": original["from"], "date": original["date"]}
    world.admit(chat)
    return world.bot_message(chat, content).raw


def _editable(world: World, p: Params) -> SandboxMessage:
    chat = world.writable_chat(p.get("chat_id"))
    message_id = p.integer("message_id")
    message = chat.bot_messages.get(message_id)
    if message is None or message.deleted:
        if message_id in chat.messages and message_id not in chat.deleted:
            raise bad_request("message can't be edited")
        raise bad_request("message to edit not found")
    return message


def _apply_edit(world: World, message: SandboxMessage, fields: dict[str, Any], markup: Any) -> dict[str, Any]:
    """Replace `fields` and the keyboard; Telegram refuses an edit that changes nothing."""
    raw = message.raw
    if all(raw.get(key) == value for key, value in fields.items()) and markup == message.markup:
        raise bad_request(_NOT_MODIFIED)
    for key, value in fields.items():
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    # Leaving reply_markup out of an edit removes the inline keyboard, as on Telegram.
    if markup is None:
        raw.pop("reply_markup", None)
    else:
        raw["reply_markup"] = markup
    message.markup = markup
    raw["edit_date"] = unix_now()
    message.edited = True
    world.changed.notify()
    return raw


async def edit_message_text(world: World, p: Params) -> dict[str, Any] | bool:
    """editMessageText."""
    if p.optional_text("inline_message_id"):
        return True
    message = _editable(world, p)
    if "text" not in message.raw:
        raise bad_request("there is no text in the message to edit")
    formatted = world.format(p.get("text"), p.get("parse_mode"), p.get("entities"), caption=False)
    markup = _inline_markup(world, p)
    fields = {"text": formatted.text, "entities": formatted.entities or None}
    return _apply_edit(world, message, fields, markup)


async def edit_message_caption(world: World, p: Params) -> dict[str, Any] | bool:
    """editMessageCaption."""
    if p.optional_text("inline_message_id"):
        return True
    message = _editable(world, p)
    if "text" in message.raw:
        raise bad_request("there is no caption in the message to edit")
    formatted = world.format(p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True)
    fields = {"caption": formatted.text or None, "caption_entities": formatted.entities or None}
    return _apply_edit(world, message, fields, _inline_markup(world, p))


async def edit_message_reply_markup(world: World, p: Params) -> dict[str, Any] | bool:
    """editMessageReplyMarkup."""
    if p.optional_text("inline_message_id"):
        return True
    message = _editable(world, p)
    return _apply_edit(world, message, {}, _inline_markup(world, p))


def _inline_markup(world: World, p: Params) -> dict[str, Any] | None:
    markup = world.check_markup(p.get("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return markup


def _delete(world: World, chat: Chat, message_id: Any) -> None:
    world.find_message(chat, message_id, "message to delete not found")
    chat.deleted.add(message_id)
    if (message := chat.bot_messages.get(message_id)) is not None:
        message.deleted = True
    world.changed.notify()


async def delete_message(world: World, p: Params) -> bool:
    """deleteMessage."""
    _delete(world, world.find_chat(p.get("chat_id")), p.integer("message_id"))
    return True


async def delete_messages(world: World, p: Params) -> bool:
    """deleteMessages: skips ids that are already gone, as Telegram does."""
    chat = world.find_chat(p.get("chat_id"))
    for message_id in p.array("message_ids") or []:
        if message_id in chat.messages and message_id not in chat.deleted:
            _delete(world, chat, message_id)
    return True


async def pin_chat_message(world: World, p: Params) -> bool:
    """pinChatMessage."""
    chat = world.writable_chat(p.get("chat_id"))
    message_id = p.integer("message_id")
    world.find_message(chat, message_id, "message to pin not found")
    if message_id not in chat.pinned:
        chat.pinned.append(message_id)
    if (message := chat.bot_messages.get(message_id)) is not None:
        message.pinned = True
    world.changed.notify()
    return True


async def unpin_chat_message(world: World, p: Params) -> bool:
    """unpinChatMessage: the given message, or the most recently pinned one."""
    chat = world.writable_chat(p.get("chat_id"))
    message_id = p.optional_integer("message_id")
    if message_id is None:
        if not chat.pinned:
            return True
        message_id = chat.pinned[-1]
    if message_id not in chat.pinned:
        raise bad_request("message to unpin not found")
    _unpin(chat, message_id)
    world.changed.notify()
    return True


async def unpin_all_chat_messages(world: World, p: Params) -> bool:
    """unpinAllChatMessages."""
    chat = world.writable_chat(p.get("chat_id"))
    for message_id in list(chat.pinned):
        _unpin(chat, message_id)
    world.changed.notify()
    return True


def _unpin(chat: Chat, message_id: int) -> None:
    chat.pinned.remove(message_id)
    if (message := chat.bot_messages.get(message_id)) is not None:
        message.pinned = False


async def send_chat_action(world: World, p: Params) -> bool:
    """sendChatAction."""
    world.writable_chat(p.get("chat_id"))
    if p.text("action") not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


async def get_chat(world: World, p: Params) -> dict[str, Any]:
    """getChat: the ChatFullInfo fields Telegram always sends."""
    chat = world.find_chat(p.get("chat_id"))
    info = chat.as_chat()
    info.update(
        accent_color_id=0,
        max_reaction_count=11,
        accepted_gift_types={
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    )
    if chat.pinned:
        info["pinned_message"] = chat.messages[chat.pinned[-1]]
    return info


HANDLERS: dict[str, Handler] = {
    "sendMessage": send_message,
    "copyMessage": copy_message,
    "forwardMessage": forward_message,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "deleteMessages": delete_messages,
    "pinChatMessage": pin_chat_message,
    "unpinChatMessage": unpin_chat_message,
    "unpinAllChatMessages": unpin_all_chat_messages,
    "sendChatAction": send_chat_action,
    "getChat": get_chat,
}
