"""Keep the bot token out of every log record, whoever logs it (PTB logs its API URL at DEBUG)."""

from __future__ import annotations

import logging
from typing import Any

REDACTED = "<token>"
_secrets: set[str] = set()
_factory = logging.getLogRecordFactory()


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _factory(*args, **kwargs)
    message = record.getMessage()
    if any(secret in message for secret in _secrets):
        for secret in _secrets:
            message = message.replace(secret, REDACTED)
        record.msg, record.args = message, None
    return record


def redact_from_logs(token: str) -> None:
    """From now on, replace this token in every log message."""
    if not _secrets:
        logging.setLogRecordFactory(_redacting_factory)
    _secrets.add(token)
    # The part after the colon is the secret; the bot id before it is public.
    _secrets.add(token.split(":", 1)[-1])
