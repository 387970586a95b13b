"""Button presses and inline queries round-trip through real PTB handlers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
)

from bot.sandbox import BotApiServer
from tests.sandbox.helpers import message_of, polling


async def _ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer a decision with two buttons and one link."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("✅ Approve", callback_data="decide:approve"),
                InlineKeyboardButton("Snooze 7 days", callback_data="decide:snooze"),
            ],
            [InlineKeyboardButton("Website", url="https://example.org")],
        ]
    )
    await message_of(update).reply_text("Approve Durham?", reply_markup=keyboard)


async def _decide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and record the decision in the message."""
    query = update.callback_query
    assert query is not None
    choice = (query.data or "").split(":", 1)[1]
    await query.answer(f"Done: {choice}", show_alert=choice == "snooze")
    await query.edit_message_text(f"Decision: {choice}")


async def _forged(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Refuse data no button of ours carries."""
    assert update.callback_query is not None
    await update.callback_query.answer("This button is no longer valid")


async def test_pressing_a_button_round_trips_through_a_callback_query_handler(
    server: BotApiServer, builder: Callable[[], ApplicationBuilder]
) -> None:
    app = builder().build()
    app.add_handler(CommandHandler("decide", _ask))
    app.add_handler(CallbackQueryHandler(_decide, pattern=r"^decide:"))
    app.add_handler(CallbackQueryHandler(_forged))
    alice = server.user()
    async with polling(app):
        await alice.send("/decide")
        question = await alice.reply()
        answer = await alice.press(question, "Approve")
        await server.wait_until(lambda: question.edited)
        decided = (question.text, question.buttons)
        forged = await alice.press_data(question, "decide:approve' OR 1=1 --")
        stale = await alice.press_data(question, "something:else")

    assert decided == ("Decision: approve", []), "the edit replaced the text and removed the keyboard"
    assert (answer.text, answer.show_alert) == ("Done: approve", False)
    assert forged.text == "Done: approve' OR 1=1 --"
    assert stale.text == "This button is no longer valid"
    assert server.unanswered_callbacks() == []


async def test_press_needs_an_existing_button(
    server: BotApiServer, builder: Callable[[], ApplicationBuilder]
) -> None:
    app = builder().build()
    app.add_handler(CommandHandler("decide", _ask))
    alice = server.user()
    async with polling(app):
        await alice.send("/decide")
        question = await alice.reply()

    with pytest.raises(AssertionError, match="no button 'Delete'"):
        await alice.press(question, "Delete")
    with pytest.raises(AssertionError, match="no button 'Website' with callback data"):
        await alice.press(question, "Website")
    assert question.button_data == {"✅ Approve": "decide:approve", "Snooze 7 days": "decide:snooze"}


async def test_an_unanswered_press_is_reported(
    server: BotApiServer, builder: Callable[[], ApplicationBuilder]
) -> None:
    async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Handle the press but never answer it (a spinner forever on Telegram)."""

    app = builder().build()
    app.add_handler(CommandHandler("decide", _ask))
    app.add_handler(CallbackQueryHandler(forget))
    alice = server.user()
    async with polling(app):
        await alice.send("/decide")
        question = await alice.reply()
        with pytest.raises(AssertionError, match="did not answer the button press 'decide:snooze'"):
            await alice.press(question, "Snooze", timeout=0.3)

    assert [q["data"] for q in server.unanswered_callbacks()] == ["decide:snooze"]


async def test_inline_query_round_trips(
    server: BotApiServer, builder: Callable[[], ApplicationBuilder]
) -> None:
    async def search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Offer one article per matching city."""
        query = update.inline_query
        assert query is not None
        cities = [
            c for c in ("Durham", "Roanoke", "Duisburg") if c.lower().startswith(query.query.lower()[:2])
        ]
        await query.answer(
            [InlineQueryResultArticle(c, c, InputTextMessageContent(f"Partnership: {c}")) for c in cities],
            cache_time=0,
        )

    app = builder().build()
    app.add_handler(InlineQueryHandler(search))
    alice = server.user()
    async with polling(app):
        results = await alice.inline_query("Du")

    assert [r["title"] for r in results] == ["Durham", "Duisburg"]
    assert results[0]["input_message_content"] == {"message_text": "Partnership: Durham"}
    assert server.unanswered_inline_queries() == []
