"""The Bot API methods the sandbox implements, by name."""

from __future__ import annotations

from bot.sandbox.methods import media, messages, polling, profile, queries
from bot.sandbox.methods.params import Handler, Params

HANDLERS: dict[str, Handler] = {
    **messages.HANDLERS,
    **media.HANDLERS,
    **queries.HANDLERS,
    **profile.HANDLERS,
    **polling.HANDLERS,
}

__all__ = ["HANDLERS", "Handler", "Params"]
