"""/log: a member logs a contact with the partner city, step by step with buttons or in one line."""

from __future__ import annotations

import html
import logging
import re
import secrets
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.contacts.dates import EXPLANATIONS, DateProblem, check_contact_date, read_contact_date, today_in
from bot.contacts.form import (
    CHANNEL_LABELS,
    LINE_EXPLANATIONS,
    LineProblem,
    clean_summary,
    parse_contact_line,
    parse_participants,
)
from bot.context import BotContext, reader_of
from bot.i18n import Translator
from bot.permissions import Action, Viewer
from handlers import contact_history
from handlers.person import buttons, per_person_conversation, presser, record, sender, viewer_of
from handlers.roles import partnership_label
from storage.contacts import (
    MAX_PARTICIPANTS,
    SUMMARY_LIMIT,
    Channel,
    Contact,
    ContactDraft,
    ContactFields,
    ContactRepository,
    InvalidContact,
)
from storage.records import Partnership

log = logging.getLogger(__name__)

# Conversation states (persisted by number: append new ones, never renumber).
CHOOSING_PARTNERSHIP = 0
CHOOSING_CHANNEL = 1
CHOOSING_DATE = 2
TYPING_SUMMARY = 3
TYPING_PARTICIPANTS = 4
CONFIRMING = 5
CHOOSING_FIELD = 6
END = ConversationHandler.END

CONVERSATION_NAME = "log"
PREFIX = "log:"
# log:<draft token>:<what>[:<value>]; the token ties a button to the draft it was shown for.
_PRESS = re.compile(r"log:([0-9a-f]{8}):([a-z]{1,8})(?::([a-z0-9_]{1,20}))?")
NEW_FOR_PATTERN = r"^log:new:(\d{1,9})$"  # "Log a contact" on a partnership's history
_NEW_FOR = re.compile(NEW_FOR_PATTERN)
_EDIT_ENTRY = re.compile(contact_history.EDIT_PATTERN)

_FIELDS = ("partnership", "channel", "date", "summary", "people")
_DATE_WORDS = {"today": 0, "yesterday": 1}


@dataclass(frozen=True, slots=True)
class Step:
    """One update within the conversation: who, in which language, their powers, their draft, their today."""

    context: BotContext
    user: User
    t: Translator
    viewer: Viewer
    draft: ContactDraft
    today: date

    @property
    def contacts(self) -> ContactRepository:
        return self.context.services.contacts

    async def updated(self, **changes: object) -> Step:
        """This step with the draft's fields filled in (in the database first)."""
        draft = await self.contacts.update_draft(self.user.id, **changes)
        # The draft is the person's own row: it vanishes only by /forgetme, which ends everything anyway.
        return replace(self, draft=draft) if draft is not None else self


@dataclass(frozen=True, slots=True)
class Press:
    """A button press checked against the person's draft and powers."""

    step: Step
    query: CallbackQuery
    what: str
    value: str | None


# --- reading the person's situation ---


async def _today(user: User, context: BotContext) -> date:
    """Today where the member is: their timezone if they set one, else the network's."""
    member = await context.services.members.get(user.id)
    return today_in(member.timezone if member else None, context.config.defaults.timezone)


async def _committees(viewer: Viewer, context: BotContext) -> list[Partnership]:
    """The partnerships a person can log for from /log: the committees they sit on."""
    found = []
    for partnership_id in sorted(viewer.roles):
        if viewer.may(Action.LOG_CONTACT, partnership_id):
            partnership = await context.services.partnerships.get(partnership_id)
            if partnership is not None:
                found.append(partnership)
    return found


def may_log(viewer: Viewer, draft: ContactDraft, contact: Contact | None) -> bool:
    """Whether this person may go on with a draft: on the committee (or staff); an edit, its author."""
    if draft.partnership_id is not None and not viewer.may(Action.LOG_CONTACT, draft.partnership_id):
        return False
    if draft.contact_id is not None:
        return contact is not None and viewer.may_edit_entry(contact.member_id, contact.partnership_id)
    return draft.partnership_id is not None or bool(viewer.roles)


async def _allowed(user: User, draft: ContactDraft, context: BotContext) -> Viewer | None:
    """The person's powers if they may still work on this draft, read fresh from the database."""
    viewer = await viewer_of(user, context)
    contact = await context.services.contacts.get(draft.contact_id) if draft.contact_id else None
    return viewer if may_log(viewer, draft, contact) else None


async def _typed_step(update: Update, context: BotContext) -> Step | int:
    """The Step for a typed answer, or the state to end in when the draft is gone or no longer allowed."""
    user, message = sender(update)
    t = reader_of(update, context)
    draft = await context.services.contacts.draft(user.id)
    if draft is None:
        await _send(message, t.gettext("This form is closed. Send /log to start again."))
        return END
    viewer = await _allowed(user, draft, context)
    if viewer is None:
        return await _refuse(message, user, t, context)
    return Step(context, user, t, viewer, draft, await _today(user, context))


async def _pressed(update: Update, context: BotContext, state: int) -> Press | int:
    """The Press for a button of the current draft, or the state to stay in (stale) or end in (refused)."""
    user, query, data = presser(update)
    t = reader_of(update, context)
    match = _PRESS.fullmatch(data)
    draft = await context.services.contacts.draft(user.id)
    if draft is None:
        await query.answer(t.gettext("This form is closed. Send /log to start again."))
        return END
    if match is None or match[1] != draft.token:
        await query.answer(t.gettext("This button belongs to an earlier form; please use the latest one."))
        return state
    viewer = await _allowed(user, draft, context)
    if viewer is None:
        await query.answer()
        return await _refuse(query.message if isinstance(query.message, Message) else None, user, t, context)
    step = Step(context, user, t, viewer, draft, await _today(user, context))
    return Press(step, query, match[2], match[3])


async def _refuse(message: Message | None, user: User, t: Translator, context: BotContext) -> int:
    """End the conversation of someone who may no longer log for this partnership; nothing is saved."""
    await context.services.contacts.drop_draft(user.id)
    log.info("member %s may not log for this partnership; draft dropped", user.id)
    if message is not None:
        await _send(
            message,
            t.gettext(
                "Only members of the partnership's committee (and the network's staff) can log its contacts, "
                "and only the author can change an entry. Nothing was saved."
            ),
        )
    return END


# --- talking ---


def _e(text: str) -> str:
    return html.escape(text)


async def _send(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    """A new message in the chat of `message`; `text` is plain and escaped here."""
    return await message.chat.send_message(_e(text), parse_mode=ParseMode.HTML, reply_markup=markup)


async def _close_question(query: CallbackQuery, answer: str) -> None:
    """Show the answer under the question that was asked, and take its buttons away."""
    message = query.message
    if not isinstance(message, Message) or not message.text:
        return
    try:
        await message.edit_text(f"{_e(message.text)}\n→ <b>{_e(answer)}</b>", parse_mode=ParseMode.HTML)
    except BadRequest as error:
        # Too old to edit, or already closed by an earlier press: the answer stands anyway.
        log.debug("could not close a question: %s", error)


def _data(draft: ContactDraft, what: str, value: str | None = None) -> str:
    return f"{PREFIX}{draft.token}:{what}" + (f":{value}" if value else "")


async def _ask_partnership(message: Message, step: Step) -> int:
    committees = await _committees(step.viewer, step.context)
    rows = [[(partnership_label(p, step.t), _data(step.draft, "p", str(p.id)))] for p in committees]
    await _send(message, step.t.gettext("Which partnership was this contact for?"), buttons(rows))
    return CHOOSING_PARTNERSHIP


async def _ask_channel(message: Message, step: Step) -> int:
    labels = [
        (step.t.gettext(label), _data(step.draft, "c", channel.value))
        for channel, label in CHANNEL_LABELS.items()
    ]
    rows = [labels[i : i + 2] for i in range(0, len(labels), 2)]
    await _send(message, step.t.gettext("How were you in touch?"), buttons(rows))
    return CHOOSING_CHANNEL


def _date_question(t: Translator) -> str:
    return t.gettext("When was it? Press a button or type the date, for example 10.04.2022 or April 10.")


def _date_buttons(step: Step) -> InlineKeyboardMarkup:
    t = step.t
    return buttons(
        [
            [
                (t.gettext("Today"), _data(step.draft, "d", "today")),
                (t.gettext("Yesterday"), _data(step.draft, "d", "yesterday")),
            ]
        ]
    )


async def _ask_date(message: Message, step: Step, problem: str | None = None) -> int:
    question = _date_question(step.t)
    await _send(message, f"{problem}\n\n{question}" if problem else question, _date_buttons(step))
    return CHOOSING_DATE


async def _ask_summary(message: Message, step: Step) -> int:
    await _send(
        message,
        step.t.gettext("What happened? Write it in a few sentences (up to {limit} characters).").format(
            limit=step.t.number(SUMMARY_LIMIT)
        ),
    )
    return TYPING_SUMMARY


async def _ask_participants(message: Message, step: Step) -> int:
    await _send(
        message,
        step.t.gettext("How many people took part? Type a number, or press Skip."),
        buttons([[(step.t.gettext("Skip"), _data(step.draft, "n", "skip"))]]),
    )
    return TYPING_PARTICIPANTS


def channel_label(channel: Channel, t: Translator) -> str:
    """A channel in the reader's words."""
    return t.gettext(CHANNEL_LABELS[channel])


def card_text(draft: ContactDraft, partnership: Partnership, t: Translator, heading: str) -> str:
    """The confirmation card in HTML, every typed text escaped."""
    lines = [f"<b>{_e(heading)}</b>", _e(t.gettext("Partnership: {title}").format(title=partnership.title))]
    if draft.channel:
        lines.append(_e(t.gettext("How: {channel}").format(channel=channel_label(draft.channel, t))))
    if draft.contact_date:
        lines.append(_e(t.gettext("When: {date}").format(date=t.date(draft.contact_date))))
    if draft.participants:
        people = t.ngettext("{count} person took part", "{count} people took part", draft.participants)
        lines.append(_e(people.format(count=t.number(draft.participants))))
    lines.append(_e(t.gettext("What happened: {summary}").format(summary=draft.summary or "")))
    return "\n".join(lines)


def _card_buttons(step: Step) -> InlineKeyboardMarkup:
    t = step.t
    return buttons(
        [
            [
                (t.gettext("Save"), _data(step.draft, "save")),
                (t.gettext("Edit"), _data(step.draft, "edit")),
                (t.gettext("Cancel"), _data(step.draft, "cancel")),
            ]
        ]
    )


def _card_heading(draft: ContactDraft, t: Translator) -> str:
    return t.gettext("Save these changes?") if draft.contact_id else t.gettext("Log this contact?")


async def _show_card(message: Message, step: Step, partnership: Partnership) -> int:
    if not step.draft.reviewing:
        step = await step.updated(reviewing=True)
    text = card_text(step.draft, partnership, step.t, _card_heading(step.draft, step.t))
    await message.chat.send_message(text, parse_mode=ParseMode.HTML, reply_markup=_card_buttons(step))
    return CONFIRMING


def _explain(problem: DateProblem, t: Translator, partnership: Partnership) -> str:
    return t.gettext(EXPLANATIONS[problem]).format(year=partnership.established_year or "")


async def advance(message: Message, step: Step) -> int:
    """Ask for the first thing the draft still lacks, or show the confirmation card when it lacks nothing."""
    draft = step.draft
    if draft.partnership_id is None:
        return await _ask_partnership(message, step)
    partnership = await step.context.services.partnerships.get(draft.partnership_id)
    if partnership is None:
        return await _refuse(message, step.user, step.t, step.context)
    if draft.contact_date is not None:
        # Checked again here: the partnership may have been picked after the date was typed.
        problem = check_contact_date(draft.contact_date, step.today, partnership.established_year)
        if problem is not None:
            step = await step.updated(contact_date=None)
            return await _ask_date(message, step, _explain(problem, step.t, partnership))
    if step.draft.channel is None:
        return await _ask_channel(message, step)
    if step.draft.contact_date is None:
        return await _ask_date(message, step)
    if not step.draft.summary:
        return await _ask_summary(message, step)
    return await _show_card(message, step, partnership)


def _message_of(query: CallbackQuery) -> Message | None:
    return query.message if isinstance(query.message, Message) else None


# --- entry points ---


async def log_command(update: Update, context: BotContext) -> int | None:
    """/log: start logging a contact, step by step, or at once with `/log zoom yesterday What happened`.

    Entry points return None when they refuse: a form the person already has open stays as it was.
    """
    user, message = sender(update)
    t = reader_of(update, context)
    viewer = await viewer_of(user, context)
    committees = await _committees(viewer, context)
    if not committees:
        await _send(message, _not_on_a_committee(viewer, t))
        return END
    await record(user, context.services.members)  # the draft belongs to a member row
    today = await _today(user, context)
    line = (message.text or "").split(maxsplit=1)[1:]
    partnership_id = committees[0].id if len(committees) == 1 else None
    contacts = context.services.contacts
    token = secrets.token_hex(4)
    if line:
        parsed = parse_contact_line(line[0], today, language=t.language)
        if isinstance(parsed, LineProblem):
            await _send(message, _line_help(parsed, t))
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
    message = _message_of(query)
    if match is None or message is None or not viewer.may(Action.LOG_CONTACT, int(match[1])):
        await query.answer(t.gettext("Only the partnership's committee and the network's staff can do that."))
        return None
    await query.answer()
    await record(user, context.services.members)
    draft = await context.services.contacts.start_draft(
        user.id, secrets.token_hex(4), partnership_id=int(match[1])
    )
    log.info("member %s started /log from a history page", user.id)
    return await advance(message, Step(context, user, t, viewer, draft, await _today(user, context)))


async def edit_entry(update: Update, context: BotContext) -> int | None:
    """Edit on a history entry: the entry becomes a draft, shown on the confirmation card."""
    user, query, data = presser(update)
    t = reader_of(update, context)
    match = _EDIT_ENTRY.fullmatch(data)
    contact = await context.services.contacts.get(int(match[1])) if match else None
    viewer = await viewer_of(user, context)
    message = _message_of(query)
    if contact is None or message is None:
        await query.answer(t.gettext("That entry no longer exists."))
        return None
    if not viewer.may_edit_entry(contact.member_id, contact.partnership_id):
        await query.answer(t.gettext("Only the author of an entry can change it."), show_alert=True)
        return None
    await query.answer()
    draft = await context.services.contacts.start_draft(user.id, secrets.token_hex(4), contact=contact)
    log.info("member %s is editing contact %s", user.id, contact.id)
    return await advance(message, Step(context, user, t, viewer, draft, await _today(user, context)))


# --- the steps ---


async def partnership_chosen(update: Update, context: BotContext) -> int:
    """Take the partnership from its button, if the person is on its committee."""
    press = await _pressed(update, context, CHOOSING_PARTNERSHIP)
    if isinstance(press, int):
        return press
    step, query = press.step, press.query
    partnership_id = int(press.value) if press.value and press.value.isdigit() else None
    partnership = await context.services.partnerships.get(partnership_id) if partnership_id else None
    if press.what != "p" or partnership is None or not step.viewer.may(Action.LOG_CONTACT, partnership.id):
        await query.answer(step.t.gettext("You can only log contacts for your own committee's partnership."))
        return CHOOSING_PARTNERSHIP
    await query.answer()
    await _close_question(query, partnership.title)
    step = await step.updated(partnership_id=partnership.id)
    return await advance(_chat_message(query, update), step)


async def channel_chosen(update: Update, context: BotContext) -> int:
    """Take the channel from its button."""
    press = await _pressed(update, context, CHOOSING_CHANNEL)
    if isinstance(press, int):
        return press
    step, query = press.step, press.query
    try:
        channel = Channel(press.value or "")
    except ValueError:
        await query.answer(step.t.gettext("That button does not mean anything here."))
        return CHOOSING_CHANNEL
    await query.answer()
    await _close_question(query, channel_label(channel, step.t))
    step = await step.updated(channel=channel)
    return await advance(_chat_message(query, update), step)


async def date_pressed(update: Update, context: BotContext) -> int:
    """Take Today or Yesterday from its button."""
    press = await _pressed(update, context, CHOOSING_DATE)
    if isinstance(press, int):
        return press
    step, query = press.step, press.query
    if press.value not in _DATE_WORDS:
        await query.answer(step.t.gettext("That button does not mean anything here."))
        return CHOOSING_DATE
    await query.answer()
    value = step.today - timedelta(days=_DATE_WORDS[press.value])
    await _close_question(query, step.t.date(value))
    step = await step.updated(contact_date=value)
    return await advance(_chat_message(query, update), step)


async def date_typed(update: Update, context: BotContext) -> int:
    """Read a typed date; a date that cannot be the contact's is refused with the reason and asked again."""
    step = await _typed_step(update, context)
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
        return await _ask_date(message, step, reason)
    step = await step.updated(contact_date=value)
    return await advance(message, step)


async def summary_typed(update: Update, context: BotContext) -> int:
    """Take what happened, up to the summary limit; then the number of people (first time) or the card."""
    step = await _typed_step(update, context)
    if isinstance(step, int):
        return step
    _user, message = sender(update)
    summary = clean_summary(message.text or "")
    if not summary:
        await _send(message, step.t.gettext("Please write in words what happened."))
        return TYPING_SUMMARY
    if len(summary) > SUMMARY_LIMIT:
        await _send(
            message,
            step.t.gettext("That is {count} characters; please keep it to {limit} and send it again.").format(
                count=step.t.number(len(summary)), limit=step.t.number(SUMMARY_LIMIT)
            ),
        )
        return TYPING_SUMMARY
    reviewing = step.draft.reviewing
    step = await step.updated(summary=summary)
    if not reviewing:
        return await _ask_participants(message, step)
    return await advance(message, step)


async def participants_typed(update: Update, context: BotContext) -> int:
    """Take the number of people who took part."""
    step = await _typed_step(update, context)
    if isinstance(step, int):
        return step
    _user, message = sender(update)
    number = parse_participants(message.text or "")
    if number is None:
        await _send(
            message,
            step.t.gettext("Please type a number from 1 to {max}, or press Skip.").format(
                max=step.t.number(MAX_PARTICIPANTS)
            ),
            buttons([[(step.t.gettext("Skip"), _data(step.draft, "n", "skip"))]]),
        )
        return TYPING_PARTICIPANTS
    step = await step.updated(participants=number)
    return await advance(message, step)


async def participants_skipped(update: Update, context: BotContext) -> int:
    """No number of people: go on without it."""
    press = await _pressed(update, context, TYPING_PARTICIPANTS)
    if isinstance(press, int):
        return press
    await press.query.answer()
    await _close_question(press.query, press.step.t.gettext("Skip"))
    step = await press.step.updated(participants=None)
    return await advance(_chat_message(press.query, update), step)


async def save(update: Update, context: BotContext) -> int:
    """Save the contact on the card (or the changes to an entry)."""
    press = await _pressed(update, context, CONFIRMING)
    if isinstance(press, int):
        return press
    step, query = press.step, press.query
    message = _chat_message(query, update)
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
    await _send(message, _saved_text(step, saved, partnership))
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
    message = _message_of(query)
    if message is None:
        return
    try:
        await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as error:
        log.debug("could not edit the card: %s", error)


async def edit_chosen(update: Update, context: BotContext) -> int:
    """Edit on the card: which field to change."""
    press = await _pressed(update, context, CONFIRMING)
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
    if step.draft.contact_id is None and len(await _committees(step.viewer, context)) > 1:
        names = {"partnership": t.gettext("Partnership"), **names}
    options = [(label, _data(step.draft, "f", field)) for field, label in names.items()]
    rows = [options[i : i + 3] for i in range(0, len(options), 3)]
    rows.append([(t.gettext("Back"), _data(step.draft, "f", "back"))])
    message = _message_of(query)
    if message is not None:
        try:
            await message.edit_reply_markup(buttons(rows))
        except BadRequest as error:
            log.debug("could not show the fields: %s", error)
    return CHOOSING_FIELD


async def field_chosen(update: Update, context: BotContext) -> int:
    """Ask again for the field the person wants to change; Back returns to the card."""
    press = await _pressed(update, context, CHOOSING_FIELD)
    if isinstance(press, int):
        return press
    step, query = press.step, press.query
    if press.value == "back":
        await query.answer()
        message = _message_of(query)
        if message is not None:
            try:
                await message.edit_reply_markup(_card_buttons(step))
            except BadRequest as error:
                log.debug("could not restore the card: %s", error)
        return CONFIRMING
    if press.value not in _FIELDS or (press.value == "partnership" and step.draft.contact_id is not None):
        await query.answer(step.t.gettext("That button does not mean anything here."))
        return CHOOSING_FIELD
    await query.answer()
    message = _chat_message(query, update)
    try:
        # The card stays as it was, without buttons: a new one comes once the field is answered.
        await message.edit_reply_markup(None)
    except BadRequest as error:
        log.debug("could not close the card: %s", error)
    if press.value == "partnership":
        return await _ask_partnership(message, step)
    if press.value == "channel":
        return await _ask_channel(message, step)
    if press.value == "date":
        return await _ask_date(message, step)
    if press.value == "summary":
        return await _ask_summary(message, step)
    return await _ask_participants(message, step)


async def cancel_pressed(update: Update, context: BotContext) -> int:
    """Cancel on the card: nothing is saved."""
    press = await _pressed(update, context, CONFIRMING)
    if isinstance(press, int):
        return press
    await press.query.answer()
    await press.step.contacts.drop_draft(press.step.user.id)
    await _edit_card(press.query, _e(press.step.t.gettext("Cancelled; nothing was saved.")))
    log.info("member %s cancelled /log", press.step.user.id)
    return END


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel at any step: the draft is thrown away."""
    user, message = sender(update)
    await context.services.contacts.drop_draft(user.id)
    await _send(message, reader_of(update, context).gettext("Cancelled; nothing was saved."))
    log.info("member %s cancelled /log", user.id)
    return END


async def out_of_step(update: Update, context: BotContext) -> None:
    """Anything else during /log (a button of another step, a photo): say what is expected; stay."""
    t = reader_of(update, context)
    text = t.gettext("Please answer the last question above, or send /cancel to stop logging this contact.")
    if update.callback_query is not None:
        await update.callback_query.answer(text)
    elif update.effective_message is not None:
        await _send(update.effective_message, text)


async def closed_form(update: Update, context: BotContext) -> None:
    """A /log button pressed after its form was saved or cancelled (or a forged one): change nothing."""
    _user, query, _ = presser(update)
    await query.answer(reader_of(update, context).gettext("This form is closed. Send /log to start again."))


def _chat_message(query: CallbackQuery, update: Update) -> Message:
    """A message of the chat the press came from, to send the next question to."""
    message = _message_of(query) or update.effective_message
    if not isinstance(message, Message):
        raise RuntimeError("a button press without its message")  # inaccessible: older than 48 hours
    return message


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
