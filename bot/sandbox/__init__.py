"""An offline Telegram Bot API server for tests and demos, with a test-side API to act as users.

    async with BotApiServer() as server:
        builder = Application.builder().token(server.token).base_url(server.base_url)
        app = builder.base_file_url(server.base_file_url).build()
        alice = server.user(first_name="Alice", language_code="ru")
        await alice.send("/start")
        reply = await alice.reply()
        await alice.press(reply, "Approve")

Behaviour the sandbox adds on purpose: Telegram's flood limits (off with enforce_limits=False), group privacy
mode (group_privacy=False to see every group message), loopback-only webhooks, and Bot API methods it does not
implement answer `true` when they return a Boolean and 400 otherwise (listed in `server.unsupported`).
"""

from bot.sandbox.chats import SandboxMessage
from bot.sandbox.errors import ApiError
from bot.sandbox.limits import Limits
from bot.sandbox.server import DEFAULT_TOKEN, BotApiServer
from bot.sandbox.spec import SpecViolation
from bot.sandbox.users import CallbackAnswer, SandboxGroup, SandboxUser
from bot.sandbox.world import Call

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "BotApiServer",
    "Call",
    "CallbackAnswer",
    "Limits",
    "SandboxGroup",
    "SandboxMessage",
    "SandboxUser",
    "SpecViolation",
]
