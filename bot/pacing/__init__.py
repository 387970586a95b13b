"""Outbound pacing: one limiter for every request the bot makes, with classes (reply, notification, bulk)."""

from bot.pacing.pacer import Pacer, PacerCounters, ReplyQueued
from bot.pacing.priority import PacingArgs, Priority, sending_as
from bot.pacing.schedule import PaceLimits

__all__ = ["PaceLimits", "Pacer", "PacerCounters", "PacingArgs", "Priority", "ReplyQueued", "sending_as"]
