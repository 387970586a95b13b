"""/start and /help: the first words a person gets from the bot."""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import BotContext, reader_of
from bot.i18n import N_, Translator

# Command descriptions, published per language with setMyCommands.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Introduction")),
    ("help", N_("What this bot can do")),
)


def bot_commands(t: Translator) -> list[BotCommand]:
    """The command list in one language."""
    return [BotCommand(name, t.gettext(description)) for name, description in COMMANDS]


async def start(update: Update, context: BotContext) -> None:
    """Greet a person who opens the bot."""
    t = reader_of(update, context)
    if update.effective_message:
        # Placeholder text until registration replaces it.
        await update.effective_message.reply_text(
            t.gettext(
                "Hello! I keep the record of sister-city partnerships for the network's committees: "
                "their status, their contacts with partner cities, and reminders when a partnership "
                "goes quiet.\n\nSend /help to see what I can do."
            )
        )


async def show_help(update: Update, context: BotContext) -> None:
    """List what the bot can do."""
    t = reader_of(update, context)
    if update.effective_message:
        lines = [t.gettext("What I can do:")]
        lines += [f"/{name} - {t.gettext(description)}" for name, description in COMMANDS]
        await update.effective_message.reply_text("\n".join(lines))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers, in the order they must be tried."""
    return [CommandHandler("start", start), CommandHandler("help", show_help)]
