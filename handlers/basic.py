"""/help and /language: what the bot can do for this person, and in which language it says so."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import BotCommand, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BotContext, reader_of
from bot.i18n import LANGUAGES, N_, Translator, translator
from bot.permissions import Viewer
from handlers.person import buttons, presser, record, sender, viewer_of

log = logging.getLogger(__name__)

# Commands open to everyone: published per language with setMyCommands, and the first part of /help.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Introduction, and your committees")),
    ("join", N_("Ask to join a partnership's committee")),
    ("status", N_("Status of a partnership, for example /status Durham")),
    ("statushistory", N_("A partnership's dated status history: who decided, why, the source")),
    ("language", N_("English or Russian")),
    ("privacy", N_("What I store about you, and why")),
    ("mydata", N_("Send me everything you store about me")),
    ("forgetme", N_("Erase everything you store about me")),
    ("help", N_("What this bot can do")),
    ("reminders", N_("Your check-in reminders: pause them or turn them back on")),
    ("timezone", N_("Your timezone, so reminders come at a sensible hour")),
)

# What each role adds; (command or "", description). Shown by /help to those who hold the role.
MEMBER_HELP: tuple[tuple[str, str], ...] = (
    ("start", N_("Lists your committees")),
    ("status", N_("Shows your partnership's card with its committee")),
    ("log", N_("Log a contact with your partner city: a Zoom call, a letter, a visit")),
    ("history", N_("Your partnership's contacts, newest first; edit or delete your own")),
)
# Published in the command menu as well: most people who open the bot sit on a committee.
MENU_EXTRAS: tuple[tuple[str, str], ...] = (
    ("log", N_("Log a contact with your partner city")),
    ("history", N_("Contacts logged for your partnership")),
)
COORDINATOR_HELP: tuple[tuple[str, str], ...] = (
    ("", N_("I send you requests to join your committees, with Approve and Decline buttons")),
    ("dashboard", N_("The dashboard of your committees: their history, contacts and trends")),
)
STAFF_HELP: tuple[tuple[str, str], ...] = (
    ("history", N_("partnership: any partnership's contacts; log for it or delete entries")),
    ("coordinator", N_("@username partnership: make someone a committee's coordinator")),
    ("uncoordinator", N_("@username partnership: take a coordinator's role away")),
    ("", N_("You decide requests to join committees that have no coordinator")),
    ("atrisk", N_("Partnerships whose committees did not answer two check-in reminders")),
    ("setstatus", N_("Change a partnership's status, with buttons or in one line; its committee is told")),
    ("dashboard", N_("The dashboard: every partnership, its contacts and the trends at a glance")),
)
ADMIN_HELP: tuple[tuple[str, str], ...] = (
    ("promote", N_("@username, id or a reply: make someone staff")),
    ("demote", N_("@username, id or a reply: take staff powers away")),
    ("audit", N_("What staff and admins did, newest first, page by page")),
)

# Endonyms: each language is offered in its own name, whatever the reader's current language.
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}


@dataclass(frozen=True, slots=True)
class HelpSection:
    """One part of /help: a heading and its lines, for those the predicate admits."""

    heading: str
    lines: tuple[tuple[str, str], ...]


def bot_commands(t: Translator) -> list[BotCommand]:
    """The command list in one language."""
    return [BotCommand(name, t.gettext(description)) for name, description in COMMANDS + MENU_EXTRAS]


def help_sections(viewer: Viewer) -> list[HelpSection]:
    """The parts of /help this person's role entitles them to, from everyone's to the admins'."""
    sections = [HelpSection(N_("Anyone can:"), COMMANDS)]
    if viewer.is_member:
        sections.append(HelpSection(N_("As a committee member:"), MEMBER_HELP))
    if viewer.is_coordinator:
        sections.append(HelpSection(N_("As a coordinator:"), COORDINATOR_HELP))
    if viewer.is_staff_or_admin:
        sections.append(HelpSection(N_("As staff:"), STAFF_HELP))
    if viewer.is_admin:
        sections.append(HelpSection(N_("As an admin:"), ADMIN_HELP))
    return sections


def render_help(viewer: Viewer, t: Translator) -> str:
    """/help's text for this person, in their language."""
    blocks = [t.gettext("What I can do:")]
    for section in help_sections(viewer):
        lines = [t.gettext(section.heading)]
        for command, description in section.lines:
            lines.append(
                f"/{command} - {t.gettext(description)}" if command else f"• {t.gettext(description)}"
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


async def show_help(update: Update, context: BotContext) -> None:
    """List what the bot can do for this person's role."""
    user, message = sender(update)
    viewer = await viewer_of(user, context)
    await message.reply_text(render_help(viewer, reader_of(update, context)))


async def choose_language(update: Update, context: BotContext) -> None:
    """Offer English and Russian as buttons."""
    _user, message = sender(update)
    t = reader_of(update, context)
    rows = [[(name, f"lang:{code}") for code, name in LANGUAGE_NAMES.items()]]
    await message.reply_text(t.gettext("Which language should I use with you?"), reply_markup=buttons(rows))


async def language_chosen(update: Update, context: BotContext) -> None:
    """Store the chosen language; every later message to this person uses it."""
    user, query, data = presser(update)
    code = data.removeprefix("lang:")
    if code not in LANGUAGES:
        await query.answer(
            reader_of(update, context).gettext("Sorry, I don't speak that language."), show_alert=True
        )
        return
    members = context.services.members
    await record(user, members)
    await members.set_language(user.id, code)
    context.chosen_language = code
    log.info("member %s chose language %s", user.id, code)
    t = translator(code)
    await query.answer()
    await query.edit_message_text(t.gettext("From now on I will write to you in English."))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers, in the order they must be tried."""
    return [
        CommandHandler("help", show_help),
        CommandHandler("language", choose_language),
        CallbackQueryHandler(language_chosen, pattern=r"^lang:"),
    ]
