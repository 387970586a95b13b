"""/audit for admins, and the one-line helpers other handlers use to record what staff and admins do."""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import Message, Update, User
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.audit.trail import AuditPage
from bot.context import BotContext, reader_of
from bot.i18n import Translator
from bot.permissions import Action
from handlers.person import buttons, presser, sender, viewer_of
from storage.audit import Actor, AuditAction, Values
from storage.members import Member

log = logging.getLogger(__name__)

PAGE_PATTERN = r"^audit:(\d{1,6})$"
_PAGE = re.compile(PAGE_PATTERN)
MAX_PAGE = 999_999


def actor_of(user: User) -> Actor:
    """The person behind an update, as the log names them."""
    name = f"{user.first_name} {user.last_name or ''}".strip()
    return Actor(user.id, f"{name} (@{user.username})" if user.username else name)


def member_actor(member: Member) -> Actor:
    """A member acted upon, as the log names them."""
    name = member.display_name
    return Actor(member.id, f"{name} (@{member.username})" if member.username else name)


async def audited(
    context: BotContext,
    user: User,
    action: AuditAction,
    *,
    partnership_id: int | None = None,
    subject: Member | None = None,
    before: Values | None = None,
    after: Values | None = None,
) -> None:
    """Record in the audit log that `user` did `action`."""
    await context.services.audit.record(
        actor_of(user),
        action,
        partnership_id=partnership_id,
        subject=member_actor(subject) if subject else None,
        before=before,
        after=after,
    )


def _refusal(t: Translator) -> str:
    return t.gettext("Sorry, only the network's admins can read the audit log.")


def _markup(page: AuditPage, t: Translator) -> Any:
    row = []
    if page.has_newer:
        row.append((t.gettext("◀ Newer"), f"audit:{page.page - 1}"))
    if page.has_older:
        row.append((t.gettext("Older ▶"), f"audit:{page.page + 1}"))
    return buttons([row]) if row else None


async def audit_command(update: Update, context: BotContext) -> None:
    """/audit: the latest entries of the audit log, for admins."""
    user, message = sender(update)
    t = reader_of(update, context)
    if not (await viewer_of(user, context)).may(Action.SEE_AUDIT):
        log.info("member %s was refused /audit", user.id)
        await message.reply_text(_refusal(t))
        return
    page = await context.services.audit.page(0, t)
    await message.reply_text(page.text, parse_mode=ParseMode.HTML, reply_markup=_markup(page, t))


async def audit_page(update: Update, context: BotContext) -> None:
    """Another page of the log; the permission is checked again on every press."""
    user, query, data = presser(update)
    t = reader_of(update, context)
    match = _PAGE.fullmatch(data)
    if not (await viewer_of(user, context)).may(Action.SEE_AUDIT):
        await query.answer(_refusal(t), show_alert=True)
        return
    if match is None or not isinstance(query.message, Message):
        await query.answer(t.gettext("This button no longer works. Please ask again."))
        return
    await query.answer()
    page = await context.services.audit.page(min(int(match[1]), MAX_PAGE), t)
    try:
        await query.message.edit_text(page.text, parse_mode=ParseMode.HTML, reply_markup=_markup(page, t))
    except BadRequest as error:
        log.debug("audit page not edited: %s", error)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers."""
    return [
        CommandHandler("audit", audit_command, filters.ChatType.PRIVATE),
        CallbackQueryHandler(audit_page, pattern=r"^audit:"),
    ]
