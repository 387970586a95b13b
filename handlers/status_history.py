"""/statushistory NAME: a partnership's dated status history, public like its card."""

from __future__ import annotations

import re
from typing import Any

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BotContext, reader_of
from bot.i18n import Translator
from bot.registry.matching import match_partnerships
from bot.staff.paging import split_messages
from bot.staff.status import render_history
from handlers.person import buttons, presser, quoted, sender
from handlers.roles import partnership_label
from storage.records import Partnership

MAX_TYPED = 200
HISTORY_PATTERN = r"^shist:(\d{1,9})$"
_HISTORY = re.compile(HISTORY_PATTERN)


async def _send_history(
    message: Message, partnership: Partnership, t: Translator, context: BotContext
) -> None:
    changes = await context.services.partnerships.history(partnership.id)
    for text in split_messages(render_history(partnership, changes, t), separator="\n\n"):
        await message.chat.send_message(text, parse_mode=ParseMode.HTML)


async def statushistory_command(update: Update, context: BotContext) -> None:
    """/statushistory NAME: the dated status history of a partnership, public like its card."""
    _user, message = sender(update)
    t = reader_of(update, context)
    typed = " ".join(context.args or [])[:MAX_TYPED]
    if not typed:
        await message.reply_text(
            t.gettext("Send /statushistory with a place, for example /statushistory Pskov.")
        )
        return
    found = match_partnerships(typed, await context.services.partnerships.list_all()).matches
    if not found:
        await message.reply_text(t.gettext("I found no partnership for {typed}.").format(typed=quoted(typed)))
        return
    if len(found) == 1:
        await _send_history(message, found[0], t, context)
        return
    rows = [[(partnership_label(p, t), f"shist:{p.id}")] for p in found]
    await message.reply_text(t.gettext("Which partnership's history?"), reply_markup=buttons(rows))


async def history_picked(update: Update, context: BotContext) -> None:
    """A partnership picked from /statushistory's list."""
    _user, query, data = presser(update)
    t = reader_of(update, context)
    match = _HISTORY.fullmatch(data)
    partnership = await context.services.partnerships.get(int(match[1])) if match else None
    if partnership is None or not isinstance(query.message, Message):
        await query.answer(t.gettext("This button no longer works. Please ask again."))
        return
    await query.answer()
    await _send_history(query.message, partnership, t, context)


def handlers() -> list[BaseHandler[Update, BotContext, Any]]:
    """This module's handlers."""
    return [
        CommandHandler("statushistory", statushistory_command),
        CallbackQueryHandler(history_picked, pattern=HISTORY_PATTERN),
    ]
