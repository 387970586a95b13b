"""Configuration: config.toml read with tomllib, every value validated, one clear line per mistake."""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TOKEN_ENV = "TELEGRAM_BOT_TOKEN"  # noqa: S105 - the name of a variable, not a secret
DEFAULT_CONFIG_PATH = Path("config.toml")
TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
TELEGRAM_BASE_FILE_URL = "https://api.telegram.org/file/bot"
LANGUAGES = ("en", "ru")
MAX_RATE_PER_SECOND = 30.0

_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_QUIET_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


WEBHOOK_UNGUARDED = (
    'required when mode = "webhook", or anyone who can reach the port can pose as Telegram; '
    "generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
)


class ConfigError(Exception):
    """A configuration mistake, phrased as one line that names the key."""


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    """How to reach Telegram (or a self-hosted or offline Bot API server)."""

    token: str | None = None
    base_url: str = TELEGRAM_BASE_URL
    base_file_url: str = TELEGRAM_BASE_FILE_URL
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    listen: str = "127.0.0.1"
    port: int = 8080
    secret_token: str | None = None

    def __repr__(self) -> str:
        # Never let the token reach a log line or a traceback.
        return f"TelegramConfig(base_url={self.base_url!r}, mode={self.mode!r}, token=<hidden>)"


@dataclass(frozen=True, slots=True)
class WebAppConfig:
    """The staff dashboard (a Telegram Mini App) the bot serves itself; off while `url` is unset."""

    url: str | None = None  # the public https address Telegram opens; its path is the one served locally
    listen: str = "127.0.0.1"
    port: int = 8081
    max_age_seconds: int = 3600  # initData signed longer ago than this is refused

    @property
    def enabled(self) -> bool:
        return self.url is not None

    @property
    def path(self) -> str:
        """The local path the dashboard is served under, without a trailing slash ("" for the root)."""
        return urlsplit(self.url or "").path.rstrip("/")


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily span in the member's local time when the bot sends nothing unasked; may cross midnight."""

    start: time
    end: time

    def __contains__(self, moment: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True, slots=True)
class Defaults:
    """Network-wide defaults that members and partnerships may override."""

    timezone: str = "America/New_York"
    language: str = "en"
    checkin_days: int = 45
    reminder_hour: int = 10
    quiet_hours: QuietHours = field(default_factory=lambda: QuietHours(time(21, 0), time(8, 0)))


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration."""

    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    database_path: Path = Path("sisterbot.db")
    admins: tuple[int, ...] = ()
    defaults: Defaults = field(default_factory=Defaults)
    broadcast_rate_per_second: float = MAX_RATE_PER_SECOND
    webapp: WebAppConfig = field(default_factory=WebAppConfig)
    source: Path | None = None

    def require_token(self) -> str:
        """The bot token, or a ConfigError saying where to put it."""
        if not self.telegram.token:
            raise ConfigError(
                f"[telegram] token: missing; put it in the config file or the {TOKEN_ENV} environment "
                "variable (get one from @BotFather), or try `sisterbot demo`, which needs none"
            )
        return self.telegram.token


_SECTIONS: dict[str, set[str]] = {
    "telegram": {
        "token",
        "base_url",
        "base_file_url",
        "mode",
        "webhook_url",
        "listen",
        "port",
        "secret_token",
    },
    "database": {"path"},
    "access": {"admins"},
    "defaults": {"timezone", "language", "checkin_days", "reminder_hour", "quiet_hours"},
    "broadcast": {"rate_per_second"},
    "webapp": {"url", "listen", "port", "max_age_minutes"},
}


class _Section:
    """Typed reads of one table of the TOML file, each error naming `[section] key`."""

    def __init__(self, name: str, values: Mapping[str, Any]) -> None:
        self.name = name
        self.values = values
        unknown = sorted(set(values) - _SECTIONS[name])
        if unknown:
            known = ", ".join(sorted(_SECTIONS[name]))
            raise ConfigError(f"[{name}] {unknown[0]}: unknown key (this section takes: {known})")

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"[{self.name}] {key}: {problem}")

    def string(self, key: str, default: str) -> str:
        value = self.values.get(key, default)
        if not isinstance(value, str):
            raise self.error(key, f"must be a string, not {value!r}")
        return value

    def optional_string(self, key: str) -> str | None:
        value = self.values.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.error(key, f"must be a string, not {value!r}")
        return value

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self.values.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"must be a whole number, not {value!r}")
        if not low <= value <= high:
            raise self.error(key, f"{value} is out of range ({low} to {high})")
        return value

    def number(self, key: str, default: float, low: float, high: float) -> float:
        value = self.values.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, f"must be a number, not {value!r}")
        if not low < value <= high:
            raise self.error(key, f"{value} is out of range (above {low:g}, at most {high:g})")
        return float(value)


def _url(section: _Section, key: str, default: str) -> str:
    value = section.string(key, default)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise section.error(key, f"{value!r} is not an http(s) URL")
    return value


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _telegram(section: _Section, env: Mapping[str, str]) -> TelegramConfig:
    token = env.get(TOKEN_ENV) or section.optional_string("token")
    if token is not None and not _TOKEN.match(token.strip()):
        where = TOKEN_ENV if env.get(TOKEN_ENV) else "[telegram] token"
        # The token itself is never repeated back: it may be a real one with a typo.
        raise ConfigError(f"{where}: does not look like a bot token (digits, a colon, then 20+ characters)")
    mode = section.string("mode", "polling")
    if mode not in ("polling", "webhook"):
        raise section.error("mode", f'{mode!r} must be "polling" or "webhook"')
    webhook_url = section.optional_string("webhook_url")
    if mode == "webhook":
        if webhook_url is None:
            raise section.error("webhook_url", 'required when mode = "webhook"')
        parts = urlsplit(webhook_url)
        if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(parts.hostname or "")):
            raise section.error(
                "webhook_url", f"{webhook_url!r} must be an https URL (Telegram only calls https)"
            )
    secret_token = section.optional_string("secret_token")
    if secret_token is not None and not _SECRET_TOKEN.match(secret_token):
        raise section.error("secret_token", "must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    if mode == "webhook" and secret_token is None:
        # Without it, anyone who can reach the port can post an update as anyone, the admins included.
        raise section.error("secret_token", WEBHOOK_UNGUARDED)
    listen = section.string("listen", "127.0.0.1")
    try:
        ipaddress.ip_address(listen)
    except ValueError:
        raise section.error("listen", f"{listen!r} is not an IP address") from None
    return TelegramConfig(
        token=token.strip() if token else None,
        base_url=_url(section, "base_url", TELEGRAM_BASE_URL),
        base_file_url=_url(section, "base_file_url", TELEGRAM_BASE_FILE_URL),
        mode="webhook" if mode == "webhook" else "polling",
        webhook_url=webhook_url,
        listen=listen,
        port=section.integer("port", 8080, 1, 65535),
        secret_token=secret_token,
    )


def _webapp(section: _Section, telegram: TelegramConfig) -> WebAppConfig:
    url = section.optional_string("url")
    if url is not None:
        parts = urlsplit(url)
        # Telegram opens Mini Apps over https only; plain http is for the demo and tests on this machine.
        if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(parts.hostname or "")):
            raise section.error("url", f"{url!r} must be an https URL (Telegram opens Mini Apps over https)")
        if parts.query or parts.fragment:
            raise section.error("url", f"{url!r} must not have a query or a fragment")
    listen = section.string("listen", "127.0.0.1")
    try:
        ipaddress.ip_address(listen)
    except ValueError:
        raise section.error("listen", f"{listen!r} is not an IP address") from None
    port = section.integer("port", 8081, 1, 65535)
    if url is not None and telegram.mode == "webhook" and port == telegram.port:
        # PTB's webhook server (tornado) serves only the webhook path, so the dashboard needs its own port.
        raise section.error("port", f"{port} is the webhook's port ([telegram] port); choose another")
    minutes = section.integer("max_age_minutes", 60, 1, 7 * 24 * 60)
    return WebAppConfig(url=url, listen=listen, port=port, max_age_seconds=minutes * 60)


def _quiet_hours(section: _Section) -> QuietHours:
    value = section.string("quiet_hours", "21:00-08:00")
    match = _QUIET_HOURS.match(value.strip())
    if match:
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60:
            return QuietHours(time(h1, m1), time(h2, m2))
    raise section.error("quiet_hours", f'{value!r} must look like "21:00-08:00" (24-hour clock)')


def _defaults(section: _Section) -> Defaults:
    timezone = section.string("timezone", "America/New_York")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: "America" names a directory of the timezone database, not a zone.
        raise section.error("timezone", f"{timezone!r} is not a known IANA timezone") from None
    language = section.string("language", "en")
    if language not in LANGUAGES:
        raise section.error("language", f"{language!r} must be one of: {', '.join(LANGUAGES)}")
    quiet_hours = _quiet_hours(section)
    reminder_hour = section.integer("reminder_hour", 10, 0, 23)
    if time(reminder_hour) in quiet_hours:
        raise section.error("reminder_hour", f"{reminder_hour}:00 falls inside quiet_hours ({quiet_hours})")
    return Defaults(
        timezone=timezone,
        language=language,
        checkin_days=section.integer("checkin_days", 45, 1, 3650),
        reminder_hour=reminder_hour,
        quiet_hours=quiet_hours,
    )


def _admins(section: _Section) -> tuple[int, ...]:
    value = section.values.get("admins", [])
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) and item > 0 for item in value
    ):
        raise section.error(
            "admins", f"must be a list of Telegram user ids (positive whole numbers), not {value!r}"
        )
    return tuple(value)


def parse_config(data: Mapping[str, Any], env: Mapping[str, str], source: Path | None = None) -> Config:
    """Validate a parsed TOML document into a Config."""
    unknown = sorted(set(data) - set(_SECTIONS))
    if unknown:
        raise ConfigError(f"[{unknown[0]}]: unknown section (known: {', '.join(sorted(_SECTIONS))})")
    sections: dict[str, _Section] = {}
    for name in _SECTIONS:
        values = data.get(name, {})
        if not isinstance(values, dict):
            raise ConfigError(f"[{name}]: must be a table")
        sections[name] = _Section(name, values)
    database_path = sections["database"].string("path", "sisterbot.db")
    if not database_path.strip():
        raise sections["database"].error("path", "must not be empty")
    path = Path(database_path).expanduser()
    if source is not None and not path.is_absolute():
        # A relative path means "next to the config file", whatever the working directory.
        path = source.parent / path
    telegram = _telegram(sections["telegram"], env)
    return Config(
        telegram=telegram,
        database_path=path,
        admins=_admins(sections["access"]),
        defaults=_defaults(sections["defaults"]),
        broadcast_rate_per_second=sections["broadcast"].number(
            "rate_per_second", MAX_RATE_PER_SECOND, 0.0, MAX_RATE_PER_SECOND
        ),
        webapp=_webapp(sections["webapp"], telegram),
        source=source,
    )


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate the config file; with no path, ./config.toml if it exists, else the defaults."""
    env = os.environ if env is None else env
    explicit = path is not None
    path = DEFAULT_CONFIG_PATH if path is None else path
    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: no such config file (copy config.example.toml to start one)")
        return parse_config({}, env)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({error.strerror})") from None
    return parse_config(data, env, source=path)
