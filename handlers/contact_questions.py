"""The /log form's questions: its states, what it reads of the person and their presses, the card.

handlers/contacts.py starts the form (step by step or in one line) and wires the conversation;
handlers/contact_steps.py takes each answer; both ask their next question through advance() here.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, replace
from datetime import date

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    ConversationHandler,
)

from bot.contacts.dates import EXPLANATIONS, DateProblem, check_contact_date, today_in
from bot.contacts.form import (
    CHANNEL_LABELS,
)
from bot.context import BotContext, reader_of
from bot.i18n import Translator
from bot.permissions import Action, Viewer
from handlers.person import buttons, presser, sender, viewer_of
from handlers.roles import partnership_label
from storage.contacts import (
    SUMMARY_LIMIT,
    Channel,
    Contact,
    ContactDraft,
    ContactRepository,
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


async def today_of(user: User, context: BotContext) -> date:
    """Today where the member is: their timezone if they set one, else the network's."""
    member = await context.services.members.get(user.id)
    return today_in(member.timezone if member else None, context.config.defaults.timezone)


async def committees_of(viewer: Viewer, context: BotContext) -> list[Partnership]:
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


async def typed_step(update: Update, context: BotContext) -> Step | int:
    """The Step for a typed answer, or the state to end in when the draft is gone or no longer allowed."""
    user, message = sender(update)
    t = reader_of(update, context)
    draft = await context.services.contacts.draft(user.id)
    if draft is None:
        await send(message, t.gettext("This form is closed. Send /log to start again."))
        return END
    viewer = await _allowed(user, draft, context)
    if viewer is None:
        return await refuse(message, user, t, context)
    return Step(context, user, t, viewer, draft, await today_of(user, context))


async def pressed(update: Update, context: BotContext, state: int) -> Press | int:
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
        return await refuse(query.message if isinstance(query.message, Message) else None, user, t, context)
    step = Step(context, user, t, viewer, draft, await today_of(user, context))
    return Press(step, query, match[2], match[3])


async def refuse(message: Message | None, user: User, t: Translator, context: BotContext) -> int:
    """End the conversation of someone who may no longer log for this partnership; nothing is saved."""
    await context.services.contacts.drop_draft(user.id)
    log.info("member %s may not log for this partnership; draft dropped", user.id)
    if message is not None:
        await send(
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


async def send(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    """A new message in the chat of `message`; `text` is plain and escaped here."""
    return await message.chat.send_message(_e(text), parse_mode=ParseMode.HTML, reply_markup=markup)


async def close_question(query: CallbackQuery, answer: str) -> None:
    """Show the answer under the question that was asked, and take its buttons away."""
    message = query.message
    if not isinstance(message, Message) or not message.text:
        return
    try:
        await message.edit_text(f"{_e(message.text)}\n→ <b>{_e(answer)}</b>", parse_mode=ParseMode.HTML)
    except BadRequest as error:
        # Too old to edit, or already closed by an earlier press: the answer stands anyway.
        log.debug("could not close a question: %s", error)


def button_data(draft: ContactDraft, what: str, value: str | None = None) -> str:
    return f"{PREFIX}{draft.token}:{what}" + (f":{value}" if value else "")


async def ask_partnership(message: Message, step: Step) -> int:
    committees = await committees_of(step.viewer, step.context)
    rows = [[(partnership_label(p, step.t), button_data(step.draft, "p", str(p.id)))] for p in committees]
    await send(message, step.t.gettext("Which partnership was this contact for?"), buttons(rows))
    return CHOOSING_PARTNERSHIP


async def ask_channel(message: Message, step: Step) -> int:
    labels = [
        (step.t.gettext(label), button_data(step.draft, "c", channel.value))
        for channel, label in CHANNEL_LABELS.items()
    ]
    rows = [labels[i : i + 2] for i in range(0, len(labels), 2)]
    await send(message, step.t.gettext("How were you in touch?"), buttons(rows))
    return CHOOSING_CHANNEL


def _date_question(t: Translator) -> str:
    return t.gettext("When was it? Press a button or type the date, for example 10.04.2022 or April 10.")


def _date_buttons(step: Step) -> InlineKeyboardMarkup:
    t = step.t
    return buttons(
        [
            [
                (t.gettext("Today"), button_data(step.draft, "d", "today")),
                (t.gettext("Yesterday"), button_data(step.draft, "d", "yesterday")),
            ]
        ]
    )


async def ask_date(message: Message, step: Step, problem: str | None = None) -> int:
    question = _date_question(step.t)
    await send(message, f"{problem}\n\n{question}" if problem else question, _date_buttons(step))
    return CHOOSING_DATE


async def ask_summary(message: Message, step: Step) -> int:
    await send(
        message,
        step.t.gettext("What happened? Write it in a few sentences (up to {limit} characters).").format(
            limit=step.t.number(SUMMARY_LIMIT)
        ),
    )
    return TYPING_SUMMARY


async def ask_participants(message: Message, step: Step) -> int:
    await send(
        message,
        step.t.gettext("How many people took part? Type a number, or press Skip."),
        buttons([[(step.t.gettext("Skip"), button_data(step.draft, "n", "skip"))]]),
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


def card_buttons(step: Step) -> InlineKeyboardMarkup:
    t = step.t
    return buttons(
        [
            [
                (t.gettext("Save"), button_data(step.draft, "save")),
                (t.gettext("Edit"), button_data(step.draft, "edit")),
                (t.gettext("Cancel"), button_data(step.draft, "cancel")),
            ]
        ]
    )


def _card_heading(draft: ContactDraft, t: Translator) -> str:
    return t.gettext("Save these changes?") if draft.contact_id else t.gettext("Log this contact?")


async def _show_card(message: Message, step: Step, partnership: Partnership) -> int:
    if not step.draft.reviewing:
        step = await step.updated(reviewing=True)
    text = card_text(step.draft, partnership, step.t, _card_heading(step.draft, step.t))
    await message.chat.send_message(text, parse_mode=ParseMode.HTML, reply_markup=card_buttons(step))
    return CONFIRMING


def _explain(problem: DateProblem, t: Translator, partnership: Partnership) -> str:
    return t.gettext(EXPLANATIONS[problem]).format(year=partnership.established_year or "")


async def advance(message: Message, step: Step) -> int:
    """Ask for the first thing the draft still lacks, or show the confirmation card when it lacks nothing."""
    draft = step.draft
    if draft.partnership_id is None:
        return await ask_partnership(message, step)
    partnership = await step.context.services.partnerships.get(draft.partnership_id)
    if partnership is None:
        return await refuse(message, step.user, step.t, step.context)
    if draft.contact_date is not None:
        # Checked again here: the partnership may have been picked after the date was typed.
        problem = check_contact_date(draft.contact_date, step.today, partnership.established_year)
        if problem is not None:
            step = await step.updated(contact_date=None)
            return await ask_date(message, step, _explain(problem, step.t, partnership))
    if step.draft.channel is None:
        return await ask_channel(message, step)
    if step.draft.contact_date is None:
        return await ask_date(message, step)
    if not step.draft.summary:
        return await ask_summary(message, step)
    return await _show_card(message, step, partnership)


def message_of(query: CallbackQuery) -> Message | None:
    return query.message if isinstance(query.message, Message) else None


def chat_message(query: CallbackQuery, update: Update) -> Message:
    """A message of the chat the press came from, to send the next question to."""
    message = message_of(query) or update.effective_message
    if not isinstance(message, Message):
        raise RuntimeError("a button press without its message")  # inaccessible: older than 48 hours
    return message
