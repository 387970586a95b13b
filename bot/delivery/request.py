"""Telegram's 5xx answers told apart from a lost connection: the one was not delivered, the other may be."""

from __future__ import annotations

import json
from typing import Any

from telegram.error import NetworkError
from telegram.request import HTTPXRequest


class ServerError(NetworkError):
    """Telegram answered with a 5xx status: the request was not carried out, so it may be sent again."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class AnsweringRequest(HTTPXRequest):
    """PTB's HTTPX request, raising ServerError for a 5xx answer instead of a bare NetworkError.

    PTB turns both "Telegram said 500" and "the connection broke" into NetworkError; only the first is
    known not to have been delivered.
    """

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Make the request; a 5xx status raises ServerError with Telegram's description."""
        status, payload = await super().do_request(*args, **kwargs)
        if status >= 500:
            raise ServerError(f"{_description(payload) or 'Server error'} ({status})", status)
        return status, payload


def _description(payload: bytes) -> str | None:
    try:
        body = json.loads(payload.decode("utf-8", "replace"))
    except ValueError:
        return None
    description = body.get("description") if isinstance(body, dict) else None
    return description if isinstance(description, str) else None
