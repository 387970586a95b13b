"""/privacy, /mydata and /forgetme: what the bot holds about a person, a copy of it, and erasing it."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from datetime import datetime
from typing import Any

from telegram import InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext, Services, reader_of
from bot.i18n import Translator
from handlers.person import buttons, presser, sender
from handlers.roles import partnership_label
from storage.contacts import Contact

log = logging.getLogger(__name__)


async def show_privacy(update: Update, context: BotContext) -> None:
    """Say what is stored, why, and who sees it."""
    _user, message = sender(update)
    t = reader_of(update, context)
    await message.reply_text(
        t.gettext(
            "What I store about you, and why:\n"
            "• What Telegram tells me when you write to me: your numeric id, first and last name, @username "
            "and your app's language, so that I can greet you, write to you and show coordinators who asks "
            "to join.\n"
            "• Your choices: the language you chose with /language, your timezone (/timezone) and whether "
            "you paused check-in reminders.\n"
            "• Your committees and your role on them, and your requests to join a committee, with who "
            "decided them and when.\n"
            "• The contacts with partner cities you log with /log: how and when you were in touch, what "
            "happened and how many took part, kept under your name; and a contact you started to log but "
            "have not saved yet.\n"
            "• Whether you blocked me, so that I stop writing to you.\n\n"
            "Who sees it: your committee's coordinators and the network's staff see your name and your "
            "committees; the contacts you log are seen, under your name, by your committee and the "
            "network's staff; the administrators of this bot can read the database. Nobody else, and "
            "nothing is sold or shared.\n\n"
            "/mydata sends you a copy of everything I hold about you; /forgetme erases it, except the "
            "contacts you logged: they stay in the partnership's history as logged by “a former member”, "
            "with your name removed."
        )
    )


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else str(value)


async def member_data(member_id: int, services: Services, t: Translator) -> dict[str, Any] | None:
    """Everything stored about a member, as JSON in their language; None if nothing is."""
    members = services.members
    member = await members.get(member_id)
    if member is None:
        return None
    labels: dict[int, str | None] = {}

    async def named(partnership_id: int | None) -> str | None:
        if partnership_id is None:
            return None
        if partnership_id not in labels:
            partnership = await services.partnerships.get(partnership_id)
            labels[partnership_id] = partnership_label(partnership, t) if partnership else None
        return labels[partnership_id]

    memberships = [
        {**asdict(m), "partnership": await named(m.partnership_id)}
        for m in await members.memberships_of(member_id)
    ]
    requests = [
        {**asdict(r), "partnership": await named(r.partnership_id)}
        for r in await members.requests_of(member_id)
    ]
    contacts = [
        {**_contact_fields(c), "partnership": await named(c.partnership_id)}
        for c in await services.contacts.logged_by(member_id)
    ]
    draft = await services.contacts.draft(member_id)
    draft_data = {**asdict(draft), "partnership": await named(draft.partnership_id)} if draft else None
    conversations = await services.conversations.states_of(member_id)
    return {
        "member": asdict(member),
        "memberships": memberships,
        "join_requests": requests,
        "contacts_logged": contacts,
        "contact_draft": draft_data,
        "conversations": [asdict(c) for c in conversations],
        "check_in_reminders": {"paused_until": await services.checkins.paused_until(member_id)},
    }


def _contact_fields(contact: Contact) -> dict[str, Any]:
    # author_name is the member's own name, already in "member".
    return {name: value for name, value in asdict(contact).items() if name != "author_name"}


async def send_my_data(update: Update, context: BotContext) -> None:
    """Send the person a JSON document with everything stored about them."""
    user, message = sender(update)
    t = reader_of(update, context)
    data = await member_data(user.id, context.services, t)
    if data is None:
        await message.reply_text(t.gettext("I hold no data about you."))
        return
    content = json.dumps(data, ensure_ascii=False, indent=2, default=_jsonable).encode()
    log.info("member %s downloaded their data", user.id)
    await message.reply_document(
        InputFile(content, filename="my-data.json"),
        caption=t.gettext("Everything I hold about you, as JSON."),
    )


async def ask_to_forget(update: Update, context: BotContext) -> None:
    """Ask for confirmation before erasing a person's data."""
    _user, message = sender(update)
    t = reader_of(update, context)
    rows = [[(t.gettext("Yes, erase my data"), "forget:yes"), (t.gettext("No, keep it"), "forget:no")]]
    await message.reply_text(
        t.gettext(
            "Erase everything I hold about you: your name, your language, your committees and your requests "
            "to join? The contacts you logged stay in the partnership's history as logged by “a former "
            "member”, with your name removed. This cannot be undone; to use the committee features again "
            "you would register anew."
        ),
        reply_markup=buttons(rows),
    )


async def forget_confirmed(update: Update, context: BotContext) -> None:
    """Erase the presser's own data (the button carries no id: it acts on whoever presses it)."""
    user, query, data = presser(update)
    t = reader_of(update, context)
    if data != "forget:yes":
        await query.answer()
        await query.edit_message_text(t.gettext("Nothing was erased."))
        return
    erased = await context.services.members.forget(user.id)
    await query.answer()
    if context.user_data is not None:
        context.user_data.clear()
    log.info("member %s erased their data (anything to erase: %s)", user.id, erased)
    await query.edit_message_text(
        t.gettext("Done: I have erased everything I held about you. Send /start if you want to begin again.")
    )


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers, in the order they must be tried."""
    # Personal data goes only to the person's private chat, never into a group.
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("privacy", show_privacy),
        CommandHandler("mydata", send_my_data, private),
        CommandHandler("forgetme", ask_to_forget, private),
        CallbackQueryHandler(forget_confirmed, pattern=r"^forget:"),
    ]
