from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from tests.sandbox.conftest import polling


async def test_start(server, builder):
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_html("<b>Hello</b> there")

    app = builder().build()
    app.add_handler(CommandHandler("start", start))
    alice = server.user(first_name="Alice")
    async with polling(app):
        await alice.send("/start")
        reply = await alice.reply()
        assert reply.text == "Hello there"
