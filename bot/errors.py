"""The one error handler: log what went wrong, tell the admins, and never leave the person in silence."""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.context import BotContext, reader_of
from bot.pacing import Priority, ReplyQueued, sending_as

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log an error raised by a handler or job and report it to the admins."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, ReplyQueued):
        # Not a failure: the reply goes out late, in the background (see bot.pacing).
        log.info("update %s: %s", update_id, error)
        await _answer_press(update)
        return
    log.error("error while handling update %s", update_id, exc_info=error)
    summary = f"{type(error).__name__}: {error}" if error else "unknown error"
    report = f"⚠️ Error while handling update {update_id}:\n<code>{html.escape(summary[:3500])}</code>"
    for admin_id in context.config.admins:
        try:
            with sending_as(Priority.NOTIFICATION):
                await context.bot.send_message(admin_id, report, parse_mode="HTML")
        except TelegramError as send_error:
            # An admin who never opened the bot cannot be told; the log still has it.
            log.warning("could not report the error to admin %s: %s", admin_id, send_error)
    await _answer_press(update)
    if isinstance(update, Update) and update.effective_chat and update.effective_chat.type == "private":
        try:
            sorry = reader_of(update, context).gettext(
                "Sorry, something went wrong on my side. The administrators have been told; "
                "please try again later."
            )
            await context.bot.send_message(update.effective_chat.id, sorry)
        except Forbidden:
            log.info("could not apologise to chat %s: the bot is blocked", update.effective_chat.id)
        except TelegramError as send_error:
            log.warning("could not apologise to chat %s: %s", update.effective_chat.id, send_error)


async def _answer_press(update: object) -> None:
    if isinstance(update, Update) and update.callback_query:
        # A press left unanswered keeps the button spinning on the person's screen.
        try:
            await update.callback_query.answer()
        except TelegramError as answer_error:
            log.info(
                "could not answer the failed press of member %s: %s",
                update.callback_query.from_user.id,
                answer_error,
            )
