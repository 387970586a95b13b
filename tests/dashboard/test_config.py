"""[webapp]: the dashboard is off until its address is set, and every bad value names its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config

EXAMPLE = Path(__file__).parents[2] / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_dashboard_is_off_by_default() -> None:
    webapp = load_config(EXAMPLE, env={}).webapp
    assert not webapp.enabled
    assert (webapp.listen, webapp.port, webapp.max_age_seconds) == ("127.0.0.1", 8081, 3600)


def test_the_dashboard_is_served_under_its_public_address_s_path(tmp_path: Path) -> None:
    text = '[webapp]\nurl = "https://bot.example.org/sisterbot/dashboard/"\nport = 9000\nmax_age_minutes = 30'
    webapp = load_config(write(tmp_path, text), env={}).webapp
    assert webapp.enabled
    assert webapp.path == "/sisterbot/dashboard"
    assert (webapp.port, webapp.max_age_seconds) == (9000, 1800)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[webapp]\nurl = "http://bot.example.org/"',
            "[webapp] url: 'http://bot.example.org/' must be an https URL",
        ),
        (
            '[webapp]\nurl = "https://bot.example.org/?a=1"',
            "[webapp] url: 'https://bot.example.org/?a=1' must not",
        ),
        ('[webapp]\nlisten = "everywhere"', "[webapp] listen: 'everywhere' is not an IP address"),
        ("[webapp]\nport = 0", "[webapp] port: 0 is out of range"),
        ("[webapp]\nmax_age_minutes = 0", "[webapp] max_age_minutes: 0 is out of range"),
        ('[webapp]\npath = "/x"', "[webapp] path: unknown key"),
        (
            '[telegram]\nmode = "webhook"\nwebhook_url = "https://bot.example.org/hook"\nsecret_token = "s"\n'
            'port = 8443\n[webapp]\nurl = "https://bot.example.org/dashboard/"\nport = 8443',
            "[webapp] port: 8443 is the webhook's port",
        ),
    ],
)
def test_bad_values_name_their_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text), env={})
    assert str(error.value).startswith(message)


def test_plain_http_is_allowed_on_this_machine_for_the_demo_and_tests(tmp_path: Path) -> None:
    text = '[webapp]\nurl = "http://127.0.0.1:8081/dashboard/"'
    assert load_config(write(tmp_path, text), env={}).webapp.url == "http://127.0.0.1:8081/dashboard/"
