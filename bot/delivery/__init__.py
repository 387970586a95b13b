"""Bulk sending: many messages paced and bounded in flight, each ending sent, blocked, failed or unknown."""

from bot.delivery.outcomes import Envelope, Outcome, Result, Tally
from bot.delivery.request import AnsweringRequest, ServerError
from bot.delivery.sender import BulkSender, Transport
from bot.delivery.telegram import TelegramTransport

__all__ = [
    "AnsweringRequest",
    "BulkSender",
    "Envelope",
    "Outcome",
    "Result",
    "ServerError",
    "Tally",
    "TelegramTransport",
    "Transport",
]
