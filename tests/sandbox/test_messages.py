"""What the bot sends, edits, copies, deletes and pins shows in the users' view as on Telegram."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes, MessageHandler, filters

from bot.sandbox import BotApiServer
from tests.sandbox.helpers import message_of, polling, text_of

_KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Approve", callback_data="approve:7"),
            InlineKeyboardButton("Reject", callback_data="r:7"),
        ]
    ]
)


async def test_entities_use_utf16_offsets_that_ptb_reads_back(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    sent = await bot.send_message(
        alice.chat_id, "😀 <b>Roanoke</b> &amp; <i>Durham</i> <a href='https://example.org'>site</a>", "HTML"
    )

    assert sent.text == "😀 Roanoke & Durham site"
    assert sent.parse_entities([MessageEntity.BOLD, MessageEntity.ITALIC]) == {
        sent.entities[0]: "Roanoke",
        sent.entities[1]: "Durham",
    }
    assert sent.entities[0].offset == 3, "the emoji counts as two UTF-16 code units"
    assert sent.entities[2].url == "https://example.org"
    assert sent.text_html == '😀 <b>Roanoke</b> &amp; <i>Durham</i> <a href="https://example.org">site</a>'
    assert alice.last.text == "😀 Roanoke & Durham site"


async def test_markdown_v2_escaped_by_ptb_round_trips(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    sent = await bot.send_message(
        alice.chat_id, r"*Next check\-in:* 1\.5\.2026 \(maybe\)", ParseMode.MARKDOWN_V2
    )
    assert sent.text == "Next check-in: 1.5.2026 (maybe)"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 14)]


async def test_an_edit_changes_what_the_user_sees(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    sent = await bot.send_message(alice.chat_id, "Approve Durham?", reply_markup=_KEYBOARD)
    view = await alice.reply()
    assert view.buttons == [["Approve", "Reject"]]
    assert view.button_data == {"Approve": "approve:7", "Reject": "r:7"}

    edited = await bot.edit_message_text("Approved ✅", alice.chat_id, sent.message_id)

    assert view.text == "Approved ✅"
    assert view.edited
    assert view.buttons == [], "an edit without reply_markup removes the inline keyboard, as on Telegram"
    assert isinstance(edited, type(sent))
    assert edited.edit_date is not None
    await alice.no_reply(within=0.05)


async def test_an_edit_that_changes_nothing_is_refused(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    sent = await bot.send_message(alice.chat_id, "Same", reply_markup=_KEYBOARD)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Same", alice.chat_id, sent.message_id, reply_markup=_KEYBOARD)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(alice.chat_id, sent.message_id, reply_markup=_KEYBOARD)
    await bot.edit_message_reply_markup(alice.chat_id, sent.message_id, reply_markup=None)
    assert alice.last.buttons == []


async def test_editing_a_message_that_does_not_exist_is_refused(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    user_message = await alice.send("mine")
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", alice.chat_id, 999)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", alice.chat_id, user_message["message_id"])


async def test_delete_and_pin_show_in_the_users_view(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    first = await bot.send_message(alice.chat_id, "pin me")
    second = await bot.send_message(alice.chat_id, "delete me")
    await bot.pin_chat_message(alice.chat_id, first.message_id)
    await bot.delete_message(alice.chat_id, second.message_id)

    assert [(m.text, m.pinned, m.deleted) for m in alice.messages] == [
        ("pin me", True, False),
        ("delete me", False, True),
    ]
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alice.chat_id, second.message_id)
    chat = await bot.get_chat(alice.chat_id)
    assert chat.pinned_message is not None
    assert chat.pinned_message.text == "pin me"
    await bot.unpin_chat_message(alice.chat_id)
    assert not alice.messages[0].pinned


async def test_copy_and_forward_carry_the_content(bot: Bot, server: BotApiServer) -> None:
    alice = server.user(first_name="Alice")
    bob = server.user(first_name="Bob")
    original = await alice.send("/status Roanoke")

    copied = await bot.copy_message(bob.chat_id, alice.chat_id, original["message_id"])
    forwarded = await bot.forward_message(bob.chat_id, alice.chat_id, original["message_id"])

    assert bob.messages[0].message_id == copied.message_id
    assert bob.messages[0].text == "/status Roanoke"
    assert bob.messages[0].entities == original["entities"]
    assert forwarded.forward_origin is not None
    assert forwarded.forward_origin.sender_user.first_name == "Alice"  # type: ignore[attr-defined]
    with pytest.raises(BadRequest, match="Message to copy not found"):
        await bot.copy_message(bob.chat_id, alice.chat_id, 999)


async def test_a_reply_points_at_the_message_it_answers(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    question = await alice.send("When is the next visit?")
    answer = await bot.send_message(
        alice.chat_id, "In May", reply_parameters=ReplyParameters(question["message_id"])
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "When is the next visit?"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(alice.chat_id, "?", reply_parameters=ReplyParameters(999))


async def test_reply_keyboards_are_visible_to_the_user(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    keyboard = ReplyKeyboardMarkup([[KeyboardButton("English"), KeyboardButton("Русский")]])
    sent = await bot.send_message(alice.chat_id, "Language?", reply_markup=keyboard)
    assert (await alice.reply()).buttons == [["English", "Русский"]]
    assert sent.reply_markup is None, "Telegram returns only inline keyboards in Message.reply_markup"


async def test_commands_are_stored_per_scope_and_language(bot: Bot, server: BotApiServer) -> None:
    everyone = [BotCommand("start", "Start"), BotCommand("status", "Partnership status")]
    russian = [BotCommand("start", "Начать")]
    await bot.set_my_commands(everyone)
    await bot.set_my_commands(russian, scope=BotCommandScopeAllPrivateChats(), language_code="ru")

    assert await bot.get_my_commands() == tuple(everyone)
    assert server.my_commands({"type": "all_private_chats"}, "ru") == [
        {"command": "start", "description": "Начать"}
    ]
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Command", "x")])


async def test_profile_texts_and_chat_actions(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    assert await bot.set_my_description("Keeps sister-city partnerships alive")
    assert await bot.set_my_short_description("Sister cities")
    assert (await bot.get_my_description()).description == "Keeps sister-city partnerships alive"
    assert await bot.send_chat_action(alice.chat_id, ChatAction.TYPING)
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(alice.chat_id, "dancing")


async def test_a_group_sees_commands_but_not_chatter_in_privacy_mode(
    server: BotApiServer, builder: Callable[[], ApplicationBuilder]
) -> None:
    seen: list[str] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Note what the bot saw in the group and answer there."""
        seen.append(text_of(update))
        await message_of(update).reply_text(f"seen in {message_of(update).chat.title}")

    alice, bob = server.user(first_name="Alice"), server.user(first_name="Bob")
    group = server.group("Roanoke committee", members=[alice, bob])
    app = builder().build()
    app.add_handler(CommandHandler("status", record))
    app.add_handler(MessageHandler(filters.TEXT, record))
    async with polling(app):
        await group.send(bob, "just chatting")
        await group.send(alice, f"/status@{server.bot_username}")
        reply = await group.reply()
        await group.no_reply(within=0.1)

    assert seen == [f"/status@{server.bot_username}"]
    assert reply.text == "seen in Roanoke committee"
    assert reply.chat_id == group.chat_id < 0
    assert alice.messages == [], "a group reply is not in the private chat"
