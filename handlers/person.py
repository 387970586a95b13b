"""The person behind an update: who sent it, recording them, and writing to them in their language."""

from __future__ import annotations

import logging
import unicodedata
import warnings
from collections.abc import Sequence
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.error import BadRequest, Forbidden
from telegram.ext import ConversationHandler
from telegram.warnings import PTBUserWarning

from bot.context import BotContext
from bot.i18n import DEFAULT_LANGUAGE, Translator, translator
from bot.pacing import Priority, sending_as
from bot.permissions import Viewer, viewer_for
from storage.members import Member, MemberRepository

log = logging.getLogger(__name__)

# Unicode "first strong isolate" and "pop directional isolate": right-to-left text a person typed stays
# inside its quotes instead of reordering the sentence around it.
_ISOLATE_START = "\u2068"
_ISOLATE_END = "\u2069"


class NotFromAPerson(Exception):
    """An update that a handler's filters should have kept away (no user, no message)."""


def sender(update: Update) -> tuple[User, Message]:
    """The person who sent a message update and the message itself."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        raise NotFromAPerson(f"update {update.update_id} has no sender or message")
    return user, message


def presser(update: Update) -> tuple[User, CallbackQuery, str]:
    """The person who pressed a button, the query to answer, and the button's data."""
    query = update.callback_query
    if query is None:
        raise NotFromAPerson(f"update {update.update_id} is not a button press")
    return query.from_user, query, query.data or ""


async def viewer_of(user: User, context: BotContext) -> Viewer:
    """What this person may do, read from the database (and the config's admins) for every update."""
    return await viewer_for(user.id, context.services.members, context.config.admins)


async def record(user: User, members: MemberRepository) -> Member:
    """Record (or refresh) what Telegram says about a person."""
    return await members.upsert(
        user.id,
        first_name=user.first_name,
        last_name=user.last_name or "",
        username=user.username,
        telegram_language=user.language_code,
    )


def reader_for(member: Member | None, default: str = DEFAULT_LANGUAGE) -> Translator:
    """The translator for a message to a member who is not the one behind the current update."""
    return translator(member.preferred_language if member else None, default)


def named(member: Member) -> str:
    """A member as others see them in a message: "Alice Smith (@alice)"."""
    name = quoted_plain(member.display_name, 64)
    return f"{name} (@{member.username})" if member.username else name


def quoted_plain(text: str, limit: int) -> str:
    """What a person typed, made safe to show again in a plain-text message: printable, short, isolated."""
    printable = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\u200d\u200c")
    flat = " ".join(printable.split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return f"{_ISOLATE_START}{flat}{_ISOLATE_END}"


def quoted(text: str, limit: int = 60) -> str:
    """What a person typed, in quotes, for a plain-text reply."""
    return f"“{quoted_plain(text, limit)}”"


def buttons(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of (text, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


async def send_to(
    context: BotContext, member_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Write to a member who did not just write to us; None (and marked inactive) if they blocked the bot."""
    try:
        # Not a reply to whoever caused it: it waits behind replies, ahead of bulk deliveries.
        with sending_as(Priority.NOTIFICATION):
            return await context.bot.send_message(member_id, text, reply_markup=markup)
    except Forbidden:
        log.info("member %s cannot be reached: the bot is blocked", member_id)
        if await context.services.members.get(member_id):
            await context.services.members.set_active(member_id, False)
    except BadRequest as error:
        # "chat not found": someone named in the config who never opened a chat with the bot.
        log.warning("could not write to %s: %s", member_id, error)
    return None


def per_person_conversation(**settings: Any) -> ConversationHandler[BotContext]:
    """A ConversationHandler tracked per chat and user, not per message, on purpose.

    Each step is a message the person types or a button whose callback data carries what it means (checked
    again on every press), so the conversation follows the person, not one message. PTB warns about any
    CallbackQueryHandler in such a conversation; that one warning is expected here and silenced.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return ConversationHandler(per_chat=True, per_user=True, per_message=False, **settings)


async def another_command(update: Update, context: BotContext) -> int:
    """Another command ends the conversation, then is handled as if no conversation had been open."""
    # Left open, the conversation would take the next thing typed (a /log summary, say) as its answer.
    await context.application.update_queue.put(update)
    return ConversationHandler.END
