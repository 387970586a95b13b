"""/start and /help: the first words a person gets from the bot."""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import BotContext

# Placeholder texts until registration and roles replace them.
START_TEXT = (
    "Hello! I keep the record of sister-city partnerships for the network's committees: their status, "
    "their contacts with partner cities, and reminders when a partnership goes quiet.\n\n"
    "Send /help to see what I can do."
)
HELP_TEXT = "What I can do:\n/start - introduction\n/help - this list"

COMMANDS = (
    BotCommand("start", "Introduction"),
    BotCommand("help", "What this bot can do"),
)


async def start(update: Update, context: BotContext) -> None:
    """Greet a person who opens the bot."""
    if update.effective_message:
        await update.effective_message.reply_text(START_TEXT)


async def show_help(update: Update, context: BotContext) -> None:
    """List what the bot can do."""
    if update.effective_message:
        await update.effective_message.reply_text(HELP_TEXT)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers, in the order they must be tried."""
    return [CommandHandler("start", start), CommandHandler("help", show_help)]
