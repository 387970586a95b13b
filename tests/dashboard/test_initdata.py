"""Telegram's initData signature: what is accepted, and every way a forgery or a stale copy is refused."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.dashboard.initdata import InitDataRefused, Refusal, sign, validate

TOKEN = "123456789:SANDBOX-not-a-real-token"
OTHER_BOT = "987654321:another-bots-token-entirely"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ADA = {"id": 1001, "first_name": "Ada", "language_code": "ru"}


def fields(init_data: str) -> dict[str, str]:
    return dict(parse_qsl(init_data))


def signed_by_hand(data: dict[str, str]) -> str:
    """The algorithm as Telegram documents it, step by step, independently of sign()."""
    check = "\n".join(f"{k}={data[k]}" for k in sorted(data)).encode()
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    return urlencode({**data, "hash": hmac.new(secret, check, hashlib.sha256).hexdigest()})


def test_data_signed_as_telegram_documents_is_accepted() -> None:
    data = {"auth_date": str(int(NOW.timestamp())), "query_id": "AAH", "user": json.dumps(ADA)}
    user = validate(signed_by_hand(data), TOKEN, max_age_seconds=3600, now=NOW)
    assert (user.id, user.first_name, user.language_code) == (1001, "Ada", "ru")


def test_a_fresh_signature_is_accepted() -> None:
    init_data = sign(TOKEN, ADA, signed_at=NOW - timedelta(minutes=59))
    user = validate(init_data, TOKEN, max_age_seconds=3600, now=NOW)
    assert user.id == 1001
    assert user.signed_at == NOW - timedelta(minutes=59)


def test_an_extra_field_telegram_signed_is_part_of_the_check() -> None:
    data = fields(sign(TOKEN, ADA, signed_at=NOW))
    data["signature"] = "Ed25519-for-third-parties"
    with pytest.raises(InitDataRefused) as refused:
        validate(urlencode(data), TOKEN, max_age_seconds=3600, now=NOW)
    assert refused.value.reason is Refusal.BAD_SIGNATURE


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("user", json.dumps({**ADA, "id": 1})),  # someone else's id
        ("auth_date", str(int(NOW.timestamp()) + 1)),
        ("query_id", "other"),
    ],
)
def test_a_changed_field_is_refused(field: str, value: str) -> None:
    data = fields(sign(TOKEN, ADA, signed_at=NOW))
    data[field] = value
    with pytest.raises(InitDataRefused) as refused:
        validate(urlencode(data), TOKEN, max_age_seconds=3600, now=NOW)
    assert refused.value.reason is Refusal.BAD_SIGNATURE


def test_a_wrong_hash_is_refused() -> None:
    data = fields(sign(TOKEN, ADA, signed_at=NOW))
    data["hash"] = "0" * 64
    with pytest.raises(InitDataRefused) as refused:
        validate(urlencode(data), TOKEN, max_age_seconds=3600, now=NOW)
    assert refused.value.reason is Refusal.BAD_SIGNATURE


def test_another_bot_s_signature_is_refused() -> None:
    with pytest.raises(InitDataRefused) as refused:
        validate(sign(OTHER_BOT, ADA, signed_at=NOW), TOKEN, max_age_seconds=3600, now=NOW)
    assert refused.value.reason is Refusal.BAD_SIGNATURE


def test_an_expired_signature_is_refused_even_replayed_intact() -> None:
    init_data = sign(TOKEN, ADA, signed_at=NOW - timedelta(hours=1, seconds=1))
    with pytest.raises(InitDataRefused) as refused:
        validate(init_data, TOKEN, max_age_seconds=3600, now=NOW)
    assert refused.value.reason is Refusal.EXPIRED


def test_a_signature_from_the_future_is_refused() -> None:
    init_data = sign(TOKEN, ADA, signed_at=NOW + timedelta(minutes=5))
    with pytest.raises(InitDataRefused) as refused:
        validate(init_data, TOKEN, max_age_seconds=3600, now=NOW)
    assert refused.value.reason is Refusal.EXPIRED


@pytest.mark.parametrize(
    ("init_data", "reason"),
    [
        (None, Refusal.MISSING),
        ("", Refusal.MISSING),
        ("auth_date=1&user=%7B%7D", Refusal.NO_HASH),
        ("a=1&a=2&hash=00", Refusal.MALFORMED),
        ("not a query string", Refusal.MALFORMED),
        ("x=" + "a" * 9000, Refusal.MALFORMED),
    ],
)
def test_missing_or_malformed_data_is_refused(init_data: str | None, reason: Refusal) -> None:
    with pytest.raises(InitDataRefused) as refused:
        validate(init_data, TOKEN, max_age_seconds=3600, now=NOW)
    assert refused.value.reason is reason


def test_a_signature_without_a_user_is_refused() -> None:
    data = {"auth_date": str(int(NOW.timestamp())), "query_id": "q"}
    with pytest.raises(InitDataRefused) as refused:
        validate(signed_by_hand(data), TOKEN, max_age_seconds=3600, now=NOW)
    assert refused.value.reason is Refusal.NO_USER
