"""/history: a partnership's contacts, newest first, a page at a time; authors correct or delete entries."""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.contacts.form import CHANNEL_LABELS
from bot.context import BotContext, reader_of
from bot.i18n import Translator, shorten
from bot.permissions import Action, Viewer
from handlers.audit import audited
from handlers.person import buttons, presser, quoted, sender, viewer_of
from handlers.roles import partnership_label
from storage.audit import AuditAction
from storage.contacts import Contact
from storage.records import Partnership

log = logging.getLogger(__name__)

PAGE_SIZE = 5
# Five summaries of 1,000 characters would not fit Telegram's 4,096; the entry's Edit shows it whole.
SUMMARY_SHOWN = 500
MAX_PAGE = 999_999
PREFIX = "hist:"
PAGE_PATTERN = r"^hist:(\d{1,9}):(\d{1,6})$"  # hist:<partnership id>:<page>
EDIT_PATTERN = r"^hist:edit:(\d{1,12})$"  # started by the /log conversation, which owns the editing
DELETE_PATTERN = r"^hist:del:(\d{1,12})$"
CONFIRM_PATTERN = r"^hist:(delok|keep):(\d{1,12})$"
_PAGE = re.compile(PAGE_PATTERN)
_DELETE = re.compile(DELETE_PATTERN)
_CONFIRM = re.compile(CONFIRM_PATTERN)


def _entry(contact: Contact, t: Translator, number: int | None = None) -> str:
    """One contact (numbered in a list), HTML with every stored text escaped."""
    author = contact.author_name if contact.member_id is not None and contact.author_name else None
    details = [
        t.gettext(CHANNEL_LABELS[contact.channel]),
        author or t.gettext("a former member"),
    ]
    if contact.participants:
        people = t.ngettext("{count} person", "{count} people", contact.participants)
        details.append(people.format(count=t.number(contact.participants)))
    head = f"<b>{html.escape(t.date(contact.contact_date))}</b> · " + html.escape(" · ".join(details))
    if number is not None:
        head = f"{number}. {head}"
    summary = html.escape(shorten(contact.summary, SUMMARY_SHOWN))
    if contact.edited_at is not None:
        summary += " " + html.escape(t.gettext("(edited)"))
    return f"{head}\n{summary}"


async def page_of(
    partnership: Partnership, viewer: Viewer, page: int, t: Translator, context: BotContext
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of a partnership's history for this reader: the text and its buttons."""
    contacts = context.services.contacts
    total = await contacts.count(partnership.id)
    pages = max(1, -(-total // PAGE_SIZE))
    page = max(0, min(page, pages - 1))
    entries = await contacts.history(partnership.id, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    lines = [f"<b>{html.escape(t.gettext('Contact history: {title}').format(title=partnership.title))}</b>"]
    if total:
        counted = t.ngettext("{count} contact logged", "{count} contacts logged", total).format(
            count=t.number(total)
        )
        where = t.gettext("page {page} of {pages}").format(page=page + 1, pages=pages)
        lines.append(html.escape(f"{counted}, {where}"))
    else:
        lines.append(html.escape(t.gettext("No contacts logged yet.")))
    rows: list[list[tuple[str, str]]] = []
    actions: list[tuple[str, str]] = []
    for number, contact in enumerate(entries, start=1):
        lines.append("")
        lines.append(_entry(contact, t, number))
        if viewer.may_edit_entry(contact.member_id, contact.partnership_id):
            actions.append((t.gettext("✏️ Edit {number}").format(number=number), f"hist:edit:{contact.id}"))
        if viewer.may_delete_entry(contact.member_id, contact.partnership_id):
            actions.append((t.gettext("🗑 Delete {number}").format(number=number), f"hist:del:{contact.id}"))
    rows.extend(actions[i : i + 2] for i in range(0, len(actions), 2))
    navigation = []
    if page > 0:
        navigation.append((t.gettext("◀ Previous"), f"hist:{partnership.id}:{page - 1}"))
    if page < pages - 1:
        navigation.append((t.gettext("Next ▶"), f"hist:{partnership.id}:{page + 1}"))
    if navigation:
        rows.append(navigation)
    if viewer.may(Action.LOG_CONTACT, partnership.id):
        rows.append([(t.gettext("➕ Log a contact"), f"log:new:{partnership.id}")])
    return "\n".join(lines), buttons(rows) if rows else None


def _not_allowed(t: Translator, partnerships: list[Partnership]) -> str:
    titles = ", ".join(p.title for p in partnerships[:3])
    return t.gettext(
        "Only the committee of {titles} and the network's staff can see its contact history."
    ).format(titles=titles)


async def _send(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    await message.chat.send_message(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def history_command(update: Update, context: BotContext) -> None:
    """/history [place]: a partnership's contacts, for its committee and the network's staff."""
    user, message = sender(update)
    t = reader_of(update, context)
    viewer = await viewer_of(user, context)
    typed = " ".join(context.args or [])
    if typed:
        result = await context.services.places.match(typed)
        if not result.matches:
            text = t.gettext("I found no partnership for {typed}.").format(typed=quoted(typed))
            await _send(message, html.escape(text))
            return
        visible = [p for p in result.matches if viewer.may(Action.VIEW_COMMITTEE, p.id)]
        if not visible:
            log.info("member %s asked for a history they may not see", user.id)
            await _send(message, html.escape(_not_allowed(t, result.matches)))
            return
    else:
        visible = []
        for partnership_id in sorted(viewer.roles):
            partnership = await context.services.partnerships.get(partnership_id)
            if partnership is not None and viewer.may(Action.VIEW_COMMITTEE, partnership_id):
                visible.append(partnership)
        if not visible:
            await _send(message, html.escape(_usage(viewer, t)))
            return
    if len(visible) == 1:
        text, markup = await page_of(visible[0], viewer, 0, t, context)
        await _send(message, text, markup)
        return
    rows = [[(partnership_label(p, t), f"hist:{p.id}:0")] for p in visible]
    await _send(message, html.escape(t.gettext("Which partnership's history?")), buttons(rows))


def _usage(viewer: Viewer, t: Translator) -> str:
    if viewer.is_staff_or_admin:
        return t.gettext("Send /history with a place, for example /history Pskov.")
    return t.gettext("A partnership's contact history is for its committee. Send /join to ask to join yours.")


async def history_page(update: Update, context: BotContext) -> None:
    """Show another page (or the first page of a picked partnership), if the person may see it."""
    user, query, data = presser(update)
    t = reader_of(update, context)
    match = _PAGE.fullmatch(data)
    partnership = await context.services.partnerships.get(int(match[1])) if match else None
    message = query.message if isinstance(query.message, Message) else None
    if match is None or partnership is None or message is None:
        await query.answer(t.gettext("This button no longer works. Please ask again."))
        return
    viewer = await viewer_of(user, context)
    if not viewer.may(Action.VIEW_COMMITTEE, partnership.id):
        await query.answer(_not_allowed(t, [partnership]), show_alert=True)
        return
    await query.answer()
    text, markup = await page_of(partnership, viewer, min(int(match[2]), MAX_PAGE), t, context)
    try:
        await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as error:
        # "message is not modified": the same page pressed twice.
        log.debug("history page not edited: %s", error)


async def delete_asked(update: Update, context: BotContext) -> None:
    """Delete on an entry: ask to confirm, if the person may delete it."""
    user, query, data = presser(update)
    t = reader_of(update, context)
    match = _DELETE.fullmatch(data)
    contact = await context.services.contacts.get(int(match[1])) if match else None
    message = query.message if isinstance(query.message, Message) else None
    if contact is None or message is None:
        await query.answer(t.gettext("That entry no longer exists."))
        return
    if not (await viewer_of(user, context)).may_delete_entry(contact.member_id, contact.partnership_id):
        await query.answer(
            t.gettext("Only the author or the network's staff can delete an entry."), show_alert=True
        )
        return
    await query.answer()
    text = "\n".join(
        [
            f"<b>{html.escape(t.gettext('Delete this entry?'))}</b>",
            _entry(contact, t),
        ]
    )
    rows = [
        [
            (t.gettext("Yes, delete"), f"hist:delok:{contact.id}"),
            (t.gettext("Keep it"), f"hist:keep:{contact.id}"),
        ]
    ]
    await _send(message, text, buttons(rows))


async def delete_confirmed(update: Update, context: BotContext) -> None:
    """Yes, delete / Keep it: delete the entry if the person (still) may."""
    user, query, data = presser(update)
    t = reader_of(update, context)
    match = _CONFIRM.fullmatch(data)
    contact = await context.services.contacts.get(int(match[2])) if match else None
    message = query.message if isinstance(query.message, Message) else None
    if match is None or contact is None or message is None:
        await query.answer(t.gettext("That entry no longer exists."))
        return
    if match[1] == "keep":
        await query.answer()
        await _replace(message, t.gettext("Kept; nothing was deleted."))
        return
    if not (await viewer_of(user, context)).may_delete_entry(contact.member_id, contact.partnership_id):
        await query.answer(
            t.gettext("Only the author or the network's staff can delete an entry."), show_alert=True
        )
        return
    await context.services.contacts.delete(contact.id)
    if contact.member_id != user.id:  # staff deleting someone else's entry, which the author cannot undo
        await audited(
            context,
            user,
            AuditAction.CONTACT_DELETED,
            partnership_id=contact.partnership_id,
            subject=await context.services.members.get(contact.member_id or 0),
            before={
                "contact_date": contact.contact_date,
                "channel": contact.channel,
                "summary": contact.summary,
            },
        )
    log.info("member %s deleted contact %s of partnership %s", user.id, contact.id, contact.partnership_id)
    await query.answer(t.gettext("Deleted."))
    await _replace(message, t.gettext("Deleted. See what is left with /history."))


async def _replace(message: Message, text: str) -> None:
    try:
        await message.edit_text(html.escape(text), parse_mode=ParseMode.HTML)
    except BadRequest as error:
        log.debug("could not edit the confirmation: %s", error)


async def stale(update: Update, context: BotContext) -> None:
    """A history button nobody else claimed (a forged one): answered, nothing changes."""
    _user, query, _data = presser(update)
    await query.answer(reader_of(update, context).gettext("This button no longer works. Please ask again."))


def handlers() -> list[BaseHandler[Update, BotContext, Any]]:
    """This module's handlers; Edit on an entry is the /log conversation's entry point, not here."""
    return [
        CommandHandler("history", history_command, filters.ChatType.PRIVATE),
        CallbackQueryHandler(history_page, pattern=PAGE_PATTERN),
        CallbackQueryHandler(delete_asked, pattern=DELETE_PATTERN),
        CallbackQueryHandler(delete_confirmed, pattern=CONFIRM_PATTERN),
        CallbackQueryHandler(stale, pattern=f"^{PREFIX}"),
    ]
