"""An offline Telegram Bot API server for tests and demos, with a test-side API to act as users."""

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
