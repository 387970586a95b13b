"""Configuration: defaults, the token from the environment, and one clear line per bad value."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.config import TOKEN_ENV, ConfigError, load_config

FAKE_TOKEN = "123456789:FAKE-token-for-tests-only-xx"
EXAMPLE = Path(__file__).parents[1] / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads_with_documented_defaults() -> None:
    config = load_config(EXAMPLE, env={})
    assert config.telegram.mode == "polling"
    assert config.telegram.base_url == "https://api.telegram.org/bot"
    assert config.defaults.timezone == "America/New_York"
    assert config.defaults.quiet_hours.start == time(21, 0)
    assert config.database_path == EXAMPLE.parent / "sisterbot.db"
    assert config.telegram.token is None


def test_no_config_file_at_the_default_path_means_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(None, env={})
    assert config.source is None
    assert config.defaults.checkin_days == 45


def test_a_named_config_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.toml", env={})


def test_environment_token_wins_over_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[telegram]\ntoken = "111:file-token-aaaaaaaaaaaaaaaaaaaa"\n')
    assert load_config(path, env={TOKEN_ENV: FAKE_TOKEN}).require_token() == FAKE_TOKEN
    assert load_config(path, env={}).require_token() == "111:file-token-aaaaaaaaaaaaaaaaaaaa"


def test_missing_token_is_named_only_when_needed(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""), env={})
    with pytest.raises(ConfigError, match=r"^\[telegram\] token: missing"):
        config.require_token()


def test_the_token_is_never_shown(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""), env={TOKEN_ENV: FAKE_TOKEN})
    assert FAKE_TOKEN not in repr(config)
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, ""), env={TOKEN_ENV: "12345:short"})
    assert "12345:short" not in str(caught.value)
    assert TOKEN_ENV in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[defaults]\ntimezone = "Europe/Pskov"',
            "[defaults] timezone: 'Europe/Pskov' is not a known IANA timezone",
        ),
        ('[defaults]\ntimezone = "America"', "[defaults] timezone: 'America' is not a known IANA timezone"),
        ('[defaults]\nlanguage = "de"', "[defaults] language: 'de' must be one of: en, ru"),
        ("[defaults]\nreminder_hour = 24", "[defaults] reminder_hour: 24 is out of range (0 to 23)"),
        (
            "[defaults]\nreminder_hour = 23",
            "[defaults] reminder_hour: 23:00 falls inside quiet_hours (21:00-08:00)",
        ),
        ('[defaults]\nquiet_hours = "late"', "[defaults] quiet_hours: 'late' must look like"),
        ('[defaults]\ncheckin_days = "soon"', "[defaults] checkin_days: must be a whole number, not 'soon'"),
        ("[defaults]\ncheckin_days = 0", "[defaults] checkin_days: 0 is out of range (1 to 3650)"),
        ("[broadcast]\nrate_per_second = 31", "[broadcast] rate_per_second: 31 is out of range"),
        ('[access]\nadmins = ["me"]', "[access] admins: must be a list of Telegram user ids"),
        ('[telegram]\nmode = "push"', '[telegram] mode: \'push\' must be "polling" or "webhook"'),
        ('[telegram]\nmode = "webhook"', '[telegram] webhook_url: required when mode = "webhook"'),
        (
            '[telegram]\nmode = "webhook"\nwebhook_url = "http://bot.example.org/hook"',
            "[telegram] webhook_url: 'http://bot.example.org/hook' must be an https URL",
        ),
        (
            '[telegram]\nmode = "webhook"\nwebhook_url = "https://bot.example.org/hook"',
            '[telegram] secret_token: required when mode = "webhook"',
        ),
        ('[telegram]\nsecret_token = "has spaces"', "[telegram] secret_token: must be 1-256 characters"),
        (
            '[telegram]\nbase_url = "api.telegram.org"',
            "[telegram] base_url: 'api.telegram.org' is not an http(s) URL",
        ),
        ("[telegram]\nport = 70000", "[telegram] port: 70000 is out of range (1 to 65535)"),
        ('[defaults]\ntimzone = "UTC"', "[defaults] timzone: unknown key"),
        ("[databse]\npath = 'x.db'", "[databse]: unknown section"),
        ("[defaults\n", "not valid TOML"),
    ],
)
def test_bad_values_are_named_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), env={})
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_webhook_over_plain_http_is_allowed_only_on_loopback(tmp_path: Path) -> None:
    text = '[telegram]\nmode = "webhook"\nwebhook_url = "http://127.0.0.1:8443/hook"\nsecret_token = "s3cret"'
    config = load_config(write(tmp_path, text), env={})
    assert config.telegram.webhook_url == "http://127.0.0.1:8443/hook"
    assert config.telegram.secret_token == "s3cret"


def test_quiet_hours_may_cross_midnight() -> None:
    quiet = load_config(EXAMPLE, env={}).defaults.quiet_hours
    assert time(22, 30) in quiet
    assert time(7, 59) in quiet
    assert time(8, 0) not in quiet
    assert time(12, 0) not in quiet
