"""The /log form's steps: each takes one answer (a press or a typed text), then asks the next question."""

from __future__ import annotations

import html
import logging
from datetime import timedelta

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.contacts.dates import EXPLANATIONS, DateProblem, check_contact_date, read_contact_date
from bot.contacts.form import (
    clean_summary,
    parse_participants,
)
from bot.context import BotContext, reader_of
from bot.permissions import Action
from handlers.contact_questions import (
    CHOOSING_CHANNEL,
    CHOOSING_DATE,
    CHOOSING_FIELD,
    CHOOSING_PARTNERSHIP,
    CONFIRMING,
    END,
    TYPING_PARTICIPANTS,
    TYPING_SUMMARY,
    Step,
    advance,
    ask_channel,
    ask_date,
    ask_participants,
    ask_partnership,
    ask_summary,
    button_data,
    card_buttons,
    card_text,
    channel_label,
    chat_message,
    close_question,
    committees_of,
    message_of,
    pressed,
    send,
    typed_step,
)
from handlers.person import buttons, presser, sender
from storage.contacts import (
    MAX_PARTICIPANTS,
    SUMMARY_LIMIT,
    Channel,
    Contact,
    ContactFields,
    InvalidContact,
)
from storage.records import Partnership

log = logging.getLogger(__name__)

_FIELDS = ("partnership", "channel", "date", "summary", "people")
_DATE_WORDS = {"today": 0, "yesterday": 1}


# --- the steps ---


async def partnership_chosen(update: Update, context: BotContext) -> int:
    """Take the partnership from its button, if the person is on its committee."""
    press = await pressed(update, context, CHOOSING_PARTNERSHIP)
    if isinstance(press, int):
        return press
    step, query = press.step, press.query
    partnership_id = int(press.value) if press.value and press.value.isdigit() else None
    partnership = await context.services.partnerships.get(partnership_id) if partnership_id else None
    if press.what != "p" or partnership is None or not step.viewer.may(Action.LOG_CONTACT, partnership.id):
        await query.answer(step.t.gettext("You can only log contacts for your own committee's partnership."))
        return CHOOSING_PARTNERSHIP
    await query.answer()
    await close_question(query, partnership.title)
    step = await step.updated(partnership_id=partnership.id)
    return await advance(chat_message(query, update), step)


async def channel_chosen(update: Update, context: BotContext) -> int:
    """Take the channel from its button."""
    press = await pressed(update, context, CHOOSING_CHANNEL)
    if isinstance(press, int):
        return press
    step, query = press.step, press.query
    try:
        channel = Channel(press.value or "")
    except ValueError:
        await query.answer(step.t.gettext("That button does not mean anything here."))
        return CHOOSING_CHANNEL
    await query.answer()
    await close_question(query, channel_label(channel, step.t))
    step = await step.updated(channel=channel)
    return await advance(chat_message(query, update), step)


async def date_pressed(update: Update, context: BotContext) -> int:
    """Take Today or Yesterday from its button."""
    press = await pressed(update, context, CHOOSING_DATE)
    if isinstance(press, int):
        return press
    step, query = press.step, press.query
    if press.value not in _DATE_WORDS:
        await query.answer(step.t.gettext("That button does not mean anything here."))
        return CHOOSING_DATE
    await query.answer()
    value = step.today - timedelta(days=_DATE_WORDS[press.value])
    await close_question(query, step.t.date(value))
    step = await step.updated(contact_date=value)
    return await advance(chat_message(query, update), step)


async def date_typed(update: Update, context: BotContext) -> int:
    """Read a typed date; a date that cannot be the contact's is refused with the reason and asked again."""
    step = await typed_step(update, context)
    if isinstance(step, int):
        return step
    _user, message = sender(update)
    partnership = await context.services.partnerships.get(step.draft.partnership_id or 0)
    established = partnership.established_year if partnership else None
    value = read_contact_date(
        message.text or "", step.today, established_year=established, language=step.t.language
    )
    if isinstance(value, DateProblem):
        log.info("member %s typed a date that was refused: %s", step.user.id, value.value)
        reason = step.t.gettext(EXPLANATIONS[value]).format(year=established or "")
        return await ask_date(message, step, reason)
    step = await step.updated(contact_date=value)
    return await advance(message, step)


async def summary_typed(update: Update, context: BotContext) -> int:
    """Take what happened, up to the summary limit; then the number of people (first time) or the card."""
    step = await typed_step(update, context)
    if isinstance(step, int):
        return step
    _user, message = sender(update)
    summary = clean_summary(message.text or "")
    if not summary:
        await send(message, step.t.gettext("Please write in words what happened."))
        return TYPING_SUMMARY
    if len(summary) > SUMMARY_LIMIT:
        await send(
            message,
            step.t.gettext("That is {count} characters; please keep it to {limit} and send it again.").format(
                count=step.t.number(len(summary)), limit=step.t.number(SUMMARY_LIMIT)
            ),
        )
        return TYPING_SUMMARY
    reviewing = step.draft.reviewing
    step = await step.updated(summary=summary)
    if not reviewing:
        return await ask_participants(message, step)
    return await advance(message, step)


async def participants_typed(update: Update, context: BotContext) -> int:
    """Take the number of people who took part."""
    step = await typed_step(update, context)
    if isinstance(step, int):
        return step
    _user, message = sender(update)
    number = parse_participants(message.text or "")
    if number is None:
        await send(
            message,
            step.t.gettext("Please type a number from 1 to {max}, or press Skip.").format(
                max=step.t.number(MAX_PARTICIPANTS)
            ),
            buttons([[(step.t.gettext("Skip"), button_data(step.draft, "n", "skip"))]]),
        )
        return TYPING_PARTICIPANTS
    step = await step.updated(participants=number)
    return await advance(message, step)


async def participants_skipped(update: Update, context: BotContext) -> int:
    """No number of people: go on without it."""
    press = await pressed(update, context, TYPING_PARTICIPANTS)
    if isinstance(press, int):
        return press
    await press.query.answer()
    await close_question(press.query, press.step.t.gettext("Skip"))
    step = await press.step.updated(participants=None)
    return await advance(chat_message(press.query, update), step)


async def save(update: Update, context: BotContext) -> int:
    """Save the contact on the card (or the changes to an entry)."""
    press = await pressed(update, context, CONFIRMING)
    if isinstance(press, int):
        return press
    step, query = press.step, press.query
    message = chat_message(query, update)
    fields = step.draft.complete()
    partnership = await context.services.partnerships.get(step.draft.partnership_id or 0)
    if fields is None or partnership is None:
        await query.answer()
        return await advance(message, step)
    if check_contact_date(fields.contact_date, step.today, partnership.established_year) is not None:
        # The day turned (or the partnership's founding year changed) since the card was shown.
        await query.answer()
        return await advance(message, step)
    try:
        saved = await _store(step, fields)
    except InvalidContact:
        await query.answer()
        return await advance(message, step)
    if saved is None:
        await query.answer(step.t.gettext("That entry no longer exists."))
        await step.contacts.drop_draft(step.user.id)
        return END
    await query.answer(step.t.gettext("Saved."))
    await step.contacts.drop_draft(step.user.id)
    heading = step.t.gettext("Saved:")
    await _edit_card(query, card_text(step.draft, partnership, step.t, heading))
    await send(message, _saved_text(step, saved, partnership))
    return END


async def _store(step: Step, fields: ContactFields) -> Contact | None:
    if step.draft.contact_id is None:
        contact = await step.contacts.add(step.user.id, fields, today=step.today)
        log.info(
            "member %s logged contact %s for partnership %s", step.user.id, contact.id, fields.partnership_id
        )
        return contact
    edited = await step.contacts.update(step.draft.contact_id, fields, today=step.today)
    log.info("member %s edited contact %s", step.user.id, step.draft.contact_id)
    return edited


def _saved_text(step: Step, contact: Contact, partnership: Partnership) -> str:
    t = step.t
    if step.draft.contact_id is not None:
        return t.gettext("The entry is corrected. See it with /history.")
    return t.gettext(
        "Logged: {channel} on {date} with {partner}. Thank you! See the log with /history."
    ).format(
        channel=channel_label(contact.channel, t),
        date=t.date(contact.contact_date),
        partner=partnership.partner_name,
    )


async def _edit_card(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    message = message_of(query)
    if message is None:
        return
    try:
        await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as error:
        log.debug("could not edit the card: %s", error)


async def edit_chosen(update: Update, context: BotContext) -> int:
    """Edit on the card: which field to change."""
    press = await pressed(update, context, CONFIRMING)
    if isinstance(press, int):
        return press
    step, query = press.step, press.query
    await query.answer()
    t = step.t
    names = {
        "channel": t.gettext("How"),
        "date": t.gettext("When"),
        "summary": t.gettext("What happened"),
        "people": t.gettext("People"),
    }
    if step.draft.contact_id is None and len(await committees_of(step.viewer, context)) > 1:
        names = {"partnership": t.gettext("Partnership"), **names}
    options = [(label, button_data(step.draft, "f", field)) for field, label in names.items()]
    rows = [options[i : i + 3] for i in range(0, len(options), 3)]
    rows.append([(t.gettext("Back"), button_data(step.draft, "f", "back"))])
    message = message_of(query)
    if message is not None:
        try:
            await message.edit_reply_markup(buttons(rows))
        except BadRequest as error:
            log.debug("could not show the fields: %s", error)
    return CHOOSING_FIELD


async def field_chosen(update: Update, context: BotContext) -> int:
    """Ask again for the field the person wants to change; Back returns to the card."""
    press = await pressed(update, context, CHOOSING_FIELD)
    if isinstance(press, int):
        return press
    step, query = press.step, press.query
    if press.value == "back":
        await query.answer()
        message = message_of(query)
        if message is not None:
            try:
                await message.edit_reply_markup(card_buttons(step))
            except BadRequest as error:
                log.debug("could not restore the card: %s", error)
        return CONFIRMING
    if press.value not in _FIELDS or (press.value == "partnership" and step.draft.contact_id is not None):
        await query.answer(step.t.gettext("That button does not mean anything here."))
        return CHOOSING_FIELD
    await query.answer()
    message = chat_message(query, update)
    try:
        # The card stays as it was, without buttons: a new one comes once the field is answered.
        await message.edit_reply_markup(None)
    except BadRequest as error:
        log.debug("could not close the card: %s", error)
    if press.value == "partnership":
        return await ask_partnership(message, step)
    if press.value == "channel":
        return await ask_channel(message, step)
    if press.value == "date":
        return await ask_date(message, step)
    if press.value == "summary":
        return await ask_summary(message, step)
    return await ask_participants(message, step)


async def cancel_pressed(update: Update, context: BotContext) -> int:
    """Cancel on the card: nothing is saved."""
    press = await pressed(update, context, CONFIRMING)
    if isinstance(press, int):
        return press
    await press.query.answer()
    await press.step.contacts.drop_draft(press.step.user.id)
    await _edit_card(press.query, html.escape(press.step.t.gettext("Cancelled; nothing was saved.")))
    log.info("member %s cancelled /log", press.step.user.id)
    return END


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel at any step: the draft is thrown away."""
    user, message = sender(update)
    await context.services.contacts.drop_draft(user.id)
    await send(message, reader_of(update, context).gettext("Cancelled; nothing was saved."))
    log.info("member %s cancelled /log", user.id)
    return END


async def out_of_step(update: Update, context: BotContext) -> None:
    """Anything else during /log (a button of another step, a photo): say what is expected; stay."""
    t = reader_of(update, context)
    text = t.gettext("Please answer the last question above, or send /cancel to stop logging this contact.")
    if update.callback_query is not None:
        await update.callback_query.answer(text)
    elif update.effective_message is not None:
        await send(update.effective_message, text)


async def closed_form(update: Update, context: BotContext) -> None:
    """A /log button pressed after its form was saved or cancelled (or a forged one): change nothing."""
    _user, query, _ = presser(update)
    await query.answer(reader_of(update, context).gettext("This form is closed. Send /log to start again."))
