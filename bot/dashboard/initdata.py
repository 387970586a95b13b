"""Telegram's signed Mini App launch data (initData): checking its signature and age, and signing it.

The algorithm is Telegram's ("Validating data received via the Mini App"): the secret key is the
HMAC-SHA-256 of the bot token keyed with the constant "WebAppData"; the hash is the hex HMAC-SHA-256, with
that key, of every received field but `hash`, as `key=value` lines sorted by key. Signing is the same
computation, for the demo and the tests, which have the bot's token and play Telegram's part.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode

# Telegram's clock and ours may disagree by a little; data signed "in the future" beyond this is refused.
CLOCK_SKEW_SECONDS = 60
MAX_LENGTH = 8192  # initData is a few hundred bytes; anything this long is not from Telegram


class Refusal(StrEnum):
    """Why initData was refused."""

    MISSING = "missing"
    MALFORMED = "malformed"
    NO_HASH = "no_hash"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"
    NO_USER = "no_user"


class InitDataRefused(Exception):
    """initData that does not prove who opened the dashboard."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class WebAppUser:
    """The person Telegram vouches for."""

    id: int
    first_name: str
    language_code: str | None
    signed_at: datetime


def _secret_key(token: str) -> bytes:
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def _check_string(fields: Mapping[str, str]) -> bytes:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash").encode()


def _signature(token: str, fields: Mapping[str, str]) -> str:
    return hmac.new(_secret_key(token), _check_string(fields), hashlib.sha256).hexdigest()


def validate(init_data: str | None, token: str, *, max_age_seconds: int, now: datetime) -> WebAppUser:
    """The person who opened the Mini App, if `init_data` is Telegram's signature for this bot and fresh."""
    if not init_data:
        raise InitDataRefused(Refusal.MISSING)
    if len(init_data) > MAX_LENGTH:
        raise InitDataRefused(Refusal.MALFORMED)
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataRefused(Refusal.MALFORMED) from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        # A repeated key: which value was signed is ambiguous, so neither is trusted.
        raise InitDataRefused(Refusal.MALFORMED)
    received = fields.get("hash")
    if not received:
        raise InitDataRefused(Refusal.NO_HASH)
    if not hmac.compare_digest(received.lower(), _signature(token, fields)):
        raise InitDataRefused(Refusal.BAD_SIGNATURE)
    # Only now, with the signature good, is anything inside believed.
    try:
        signed_at = datetime.fromtimestamp(int(fields["auth_date"]), UTC)
    except (KeyError, ValueError, OverflowError, OSError):
        raise InitDataRefused(Refusal.MALFORMED) from None
    age = (now - signed_at).total_seconds()
    if age > max_age_seconds or age < -CLOCK_SKEW_SECONDS:
        raise InitDataRefused(Refusal.EXPIRED)
    return _user(fields.get("user"), signed_at)


def _user(raw: str | None, signed_at: datetime) -> WebAppUser:
    try:
        user = json.loads(raw or "")
    except ValueError:
        raise InitDataRefused(Refusal.NO_USER) from None
    if not isinstance(user, dict) or isinstance(user.get("id"), bool) or not isinstance(user.get("id"), int):
        raise InitDataRefused(Refusal.NO_USER)
    language = user.get("language_code")
    return WebAppUser(
        id=user["id"],
        first_name=str(user.get("first_name", "")),
        language_code=language if isinstance(language, str) else None,
        signed_at=signed_at,
    )


def sign(token: str, user: Mapping[str, object], *, signed_at: datetime, query_id: str = "demo") -> str:
    """initData as Telegram would send it to this bot's Mini App for `user` (demo and tests)."""
    fields = {
        "query_id": query_id,
        "user": json.dumps(dict(user), ensure_ascii=False, separators=(",", ":")),
        "auth_date": str(int(signed_at.timestamp())),
    }
    fields["hash"] = _signature(token, fields)
    return urlencode(fields)
