"""The transport that sends envelopes through the bot, in one pacing class."""

from __future__ import annotations

from telegram import Bot

from bot.delivery.outcomes import Envelope
from bot.pacing import Priority, sending_as


class TelegramTransport:
    """Sends an envelope with sendMessage (or copyMessage) as `priority` for the pacer."""

    def __init__(self, bot: Bot, priority: Priority = Priority.BULK) -> None:
        self.bot = bot
        self.priority = priority

    async def __call__(self, envelope: Envelope) -> int:
        with sending_as(self.priority):
            if envelope.copy_of is not None:
                from_chat, message_id = envelope.copy_of
                copied = await self.bot.copy_message(
                    envelope.chat_id, from_chat, message_id, reply_markup=envelope.markup
                )
                return copied.message_id
            message = await self.bot.send_message(
                envelope.chat_id,
                envelope.text or "",
                reply_markup=envelope.markup,
                parse_mode=envelope.parse_mode,
            )
            return message.message_id
