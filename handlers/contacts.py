"""/log: a member logs a contact with the partner city, step by step with buttons or in one line."""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.contacts.form import (
    LINE_EXPLANATIONS,
    LineProblem,
    parse_contact_line,
)
from bot.context import BotContext, reader_of
from bot.i18n import Translator
from bot.permissions import Action, Viewer
from handlers import contact_history
from handlers.contact_questions import (
    CHOOSING_CHANNEL,
    CHOOSING_DATE,
    CHOOSING_FIELD,
    CHOOSING_PARTNERSHIP,
    CONFIRMING,
    CONVERSATION_NAME,
    END,
    PREFIX,
    TYPING_PARTICIPANTS,
    TYPING_SUMMARY,
    Step,
    advance,
    committees_of,
    message_of,
    send,
    today_of,
)
from handlers.contact_steps import (
    cancel,
    cancel_pressed,
    channel_chosen,
    closed_form,
    date_pressed,
    date_typed,
    edit_chosen,
    field_chosen,
    out_of_step,
    participants_skipped,
    participants_typed,
    partnership_chosen,
    save,
    summary_typed,
)
from handlers.person import per_person_conversation, presser, record, sender, viewer_of
from storage.contacts import (
    SUMMARY_LIMIT,
)

log = logging.getLogger(__name__)

NEW_FOR_PATTERN = r"^log:new:(\d{1,9})$"  # "Log a contact" on a partnership's history
_NEW_FOR = re.compile(NEW_FOR_PATTERN)
_EDIT_ENTRY = re.compile(contact_history.EDIT_PATTERN)


# --- entry points ---


async def log_command(update: Update, context: BotContext) -> int | None:
    """/log: start logging a contact, step by step, or at once with `/log zoom yesterday What happened`.

    Entry points return None when they refuse: a form the person already has open stays as it was.
    """
    user, message = sender(update)
    t = reader_of(update, context)
    viewer = await viewer_of(user, context)
    committees = await committees_of(viewer, context)
    if not committees:
        await send(message, _not_on_a_committee(viewer, t))
        return END
    await record(user, context.services.members)  # the draft belongs to a member row
    today = await today_of(user, context)
    line = (message.text or "").split(maxsplit=1)[1:]
    partnership_id = committees[0].id if len(committees) == 1 else None
    contacts = context.services.contacts
    token = secrets.token_hex(4)
    if line:
        parsed = parse_contact_line(line[0], today, language=t.language)
        if isinstance(parsed, LineProblem):
            await send(message, _line_help(parsed, t))
            return None
        draft = await contacts.start_draft(
            user.id,
            token,
            partnership_id=partnership_id,
            channel=parsed.channel,
            contact_date=parsed.contact_date,
            summary=parsed.summary,
        )
        log.info("member %s used the one-line /log", user.id)
    else:
        draft = await contacts.start_draft(user.id, token, partnership_id=partnership_id)
        log.info("member %s started /log", user.id)
    return await advance(message, Step(context, user, t, viewer, draft, today))


def _not_on_a_committee(viewer: Viewer, t: Translator) -> str:
    if viewer.is_staff_or_admin:
        return t.gettext(
            "You are not on any committee. To log a contact for a partnership, open its history with "
            "/history and a place, for example /history Pskov, and press “Log a contact”."
        )
    return t.gettext(
        "Only members of a partnership's committee can log its contacts. Send /join to ask to join yours."
    )


def _line_help(problem: LineProblem, t: Translator) -> str:
    reason = t.gettext(LINE_EXPLANATIONS[problem]).format(limit=t.number(SUMMARY_LIMIT))
    if problem is LineProblem.LETTER_WITHOUT_DIRECTION:
        return reason  # it carries its own example
    usage = t.gettext(
        "To log a contact in one message, write for example:\n"
        "/log zoom yesterday Met the Pskov youth council\n"
        "Or send just /log and I will ask step by step."
    )
    return f"{reason}\n\n{usage}"


async def log_for(update: Update, context: BotContext) -> int | None:
    """ "Log a contact" on a partnership's history: the same steps, the partnership already chosen."""
    user, query, data = presser(update)
    t = reader_of(update, context)
    match = _NEW_FOR.fullmatch(data)
    viewer = await viewer_of(user, context)
    message = message_of(query)
    if match is None or message is None or not viewer.may(Action.LOG_CONTACT, int(match[1])):
        await query.answer(t.gettext("Only the partnership's committee and the network's staff can do that."))
        return None
    await query.answer()
    await record(user, context.services.members)
    draft = await context.services.contacts.start_draft(
        user.id, secrets.token_hex(4), partnership_id=int(match[1])
    )
    log.info("member %s started /log from a history page", user.id)
    return await advance(message, Step(context, user, t, viewer, draft, await today_of(user, context)))


async def edit_entry(update: Update, context: BotContext) -> int | None:
    """Edit on a history entry: the entry becomes a draft, shown on the confirmation card."""
    user, query, data = presser(update)
    t = reader_of(update, context)
    match = _EDIT_ENTRY.fullmatch(data)
    contact = await context.services.contacts.get(int(match[1])) if match else None
    viewer = await viewer_of(user, context)
    message = message_of(query)
    if contact is None or message is None:
        await query.answer(t.gettext("That entry no longer exists."))
        return None
    if not viewer.may_edit_entry(contact.member_id, contact.partnership_id):
        await query.answer(t.gettext("Only the author of an entry can change it."), show_alert=True)
        return None
    await query.answer()
    draft = await context.services.contacts.start_draft(user.id, secrets.token_hex(4), contact=contact)
    log.info("member %s is editing contact %s", user.id, contact.id)
    return await advance(message, Step(context, user, t, viewer, draft, await today_of(user, context)))


def conversation() -> ConversationHandler[BotContext]:
    """The /log conversation, persisted so that a restart does not lose anyone's place."""
    private = filters.ChatType.PRIVATE
    # New messages only: an edited earlier answer must not count as the answer to the current question.
    text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & private
    # Tracked per chat and user, not per message, on purpose: the steps are a sequence of messages, and
    # each button carries its draft's token, checked on every press.
    return per_person_conversation(
        entry_points=[
            CommandHandler("log", log_command, private),
            CallbackQueryHandler(log_for, pattern=NEW_FOR_PATTERN),
            CallbackQueryHandler(edit_entry, pattern=contact_history.EDIT_PATTERN),
        ],
        states={
            CHOOSING_PARTNERSHIP: [CallbackQueryHandler(partnership_chosen, pattern=r"^log:\w+:p:")],
            CHOOSING_CHANNEL: [CallbackQueryHandler(channel_chosen, pattern=r"^log:\w+:c:")],
            CHOOSING_DATE: [
                CallbackQueryHandler(date_pressed, pattern=r"^log:\w+:d:"),
                MessageHandler(text, date_typed),
            ],
            TYPING_SUMMARY: [MessageHandler(text, summary_typed)],
            TYPING_PARTICIPANTS: [
                MessageHandler(text, participants_typed),
                CallbackQueryHandler(participants_skipped, pattern=r"^log:\w+:n:"),
            ],
            CONFIRMING: [
                CallbackQueryHandler(save, pattern=r"^log:\w+:save$"),
                CallbackQueryHandler(edit_chosen, pattern=r"^log:\w+:edit$"),
                CallbackQueryHandler(cancel_pressed, pattern=r"^log:\w+:cancel$"),
            ],
            CHOOSING_FIELD: [CallbackQueryHandler(field_chosen, pattern=r"^log:\w+:f:")],
        },
        fallbacks=[
            CommandHandler("cancel", cancel, private),
            CallbackQueryHandler(out_of_step, pattern=f"^{PREFIX}"),
            MessageHandler(filters.UpdateType.MESSAGE & private & ~filters.COMMAND, out_of_step),
        ],
        allow_reentry=True,
        name=CONVERSATION_NAME,
        persistent=True,
    )


def handlers() -> list[BaseHandler[Update, BotContext, Any]]:
    """This module's handlers, in the order they must be tried."""
    return [
        conversation(),
        # Buttons of a form that is no longer open, or forged ones with our prefix: answered, nothing changes.
        CallbackQueryHandler(closed_form, pattern=f"^{PREFIX}"),
        *contact_history.handlers(),
    ]
