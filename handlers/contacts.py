"""Being written (issue 5); registers nothing yet."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from bot.context import BotContext


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers, in the order they must be tried."""
    return []
