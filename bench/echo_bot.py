"""The baseline: a bare python-telegram-bot echo bot, as PTB's examples write one.

Run: python -m bench.echo_bot BASE_URL [--token TOKEN] [--paced]

It answers every text with the same text and every inline query with one article, so what the benchmark
measures against it is PTB and the (offline) Bot API alone. With --paced it sends through PTB's own
AIORateLimiter (30 requests a second overall): the floor for many people asking at once.
"""

from __future__ import annotations

import argparse
import logging

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.sandbox import DEFAULT_TOKEN


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back."""
    if update.message and update.message.text:
        await update.message.reply_text(update.message.text)


async def inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer the query back as one article."""
    if update.inline_query:
        text = update.inline_query.query or "echo"
        content = InputTextMessageContent(text)
        article = InlineQueryResultArticle(id="1", title=text, input_message_content=content)
        await update.inline_query.answer([article], cache_time=10, is_personal=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--paced", action="store_true", help="send through PTB's AIORateLimiter")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    builder = Application.builder().token(arguments.token).base_url(arguments.base_url)
    if arguments.paced:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(InlineQueryHandler(inline))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
