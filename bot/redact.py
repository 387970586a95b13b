"""Keep the bot token out of every log record, whoever logs it (PTB logs its API URL at DEBUG)."""

from __future__ import annotations

import logging
from typing import Any

REDACTED = "<token>"
_secrets: set[str] = set()
_factory = logging.getLogRecordFactory()
_formatter = logging.Formatter()


def _redacted(text: str) -> str:
    # Longest first: the whole token before the secret part it contains, whatever the set's order.
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _factory(*args, **kwargs)
    try:
        message = record.getMessage()
    except Exception:  # a malformed log call is logging's to report when it formats, not ours
        return record
    if any(secret in message for secret in _secrets):
        record.msg, record.args = _redacted(message), None
    if record.exc_info and record.exc_info[1] is not None:
        # An error's text may quote the request URL; formatters reuse exc_text when it is set.
        record.exc_text = _redacted(_formatter.formatException(record.exc_info))
    return record


def redact_from_logs(token: str) -> None:
    """From now on, replace this token in every log message and logged traceback."""
    if not _secrets:
        logging.setLogRecordFactory(_redacting_factory)
    _secrets.add(token)
    # The part after the colon is the secret; the bot id before it is public.
    _secrets.add(token.split(":", 1)[-1])
