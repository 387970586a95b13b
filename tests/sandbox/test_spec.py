"""Requests are read by the Bot API spec's declared types, and what the spec does not define is reported."""

from __future__ import annotations

import pytest

from bot.sandbox.errors import ApiError
from bot.sandbox.files import UploadedFile
from bot.sandbox.spec import load_spec


def test_form_values_are_coerced_by_the_declared_types() -> None:
    spec = load_spec()
    send = spec.method("SENDMESSAGE")
    assert send is not None
    params, violations = spec.coerce(
        send,
        {
            "chat_id": "-100123",
            "text": "42",
            "disable_notification": "true",
            "reply_markup": '{"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]}',
        },
        {},
    )
    assert params == {
        "chat_id": -100123,
        "text": "42",
        "disable_notification": True,
        "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]},
    }
    assert violations == []


def test_usernames_stay_strings_and_uploads_resolve_attach_uris() -> None:
    spec = load_spec()
    send = spec.method("sendDocument")
    assert send is not None
    upload = UploadedFile("a.csv", b"x", "text/csv")
    params, violations = spec.coerce(
        send, {"chat_id": "@committee", "document": "attach://f1"}, {"f1": upload}
    )
    assert params == {"chat_id": "@committee", "document": upload}
    assert violations == []


def test_wrong_types_and_unknown_fields_are_violations() -> None:
    spec = load_spec()
    send = spec.method("sendMessage")
    assert send is not None
    _, violations = spec.coerce(
        send,
        {
            "chat_id": "1",
            "text": "x",
            "disable_notification": "maybe",
            "reply_markup": {"inline_keyboard": "no"},
        },
        {},
    )
    assert [v.field for v in violations] == ["disable_notification", "reply_markup"]


def test_broken_json_is_a_bad_request() -> None:
    spec = load_spec()
    send = spec.method("sendMessage")
    assert send is not None
    with pytest.raises(ApiError, match="can't parse reply_markup JSON object"):
        spec.coerce(send, {"reply_markup": "{nope"}, {})


def test_the_spec_is_the_version_ptb_implements() -> None:
    from telegram.constants import BOT_API_VERSION

    assert load_spec().version.removeprefix("Bot API ") == BOT_API_VERSION
    assert load_spec() is load_spec(), "parsed once per process"
