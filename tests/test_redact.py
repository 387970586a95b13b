"""The token never reaches a log line, a logged traceback, or breaks a malformed log call."""

from __future__ import annotations

import logging

import pytest

from bot.redact import redact_from_logs

TOKEN = "987654321:REDACT-me-please-test-token"


def test_messages_arguments_and_tracebacks_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    redact_from_logs(TOKEN)
    log = logging.getLogger("tests.redact")
    with caplog.at_level(logging.DEBUG):
        log.debug("calling https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise RuntimeError(f"failed: https://api.telegram.org/bot{TOKEN}/getUpdates")
        except RuntimeError:
            log.exception("request failed")
    assert "REDACT-me-please" not in caplog.text
    assert "bot<token>/getMe" in caplog.text
    assert "RuntimeError: failed: https://api.telegram.org/bot<token>/getUpdates" in caplog.text


def test_a_malformed_log_call_still_reaches_logging(caplog: pytest.LogCaptureFixture) -> None:
    redact_from_logs(TOKEN)
    record = logging.getLogger("tests.redact").makeRecord(
        "x", logging.INFO, __file__, 1, "%s %s", ("one",), None
    )
    assert record.msg == "%s %s"
