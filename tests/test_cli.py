"""The sisterbot command as an operator runs it: clear one-line errors, never a traceback."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.checkup import check
from bot.config import Config, TelegramConfig

SAMPLE = Path(__file__).parents[1] / "bot" / "data" / "partnerships-sample.csv"


def sisterbot(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    environment.update(env or {})
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def rows(path: Path) -> list[dict[str, str]]:
    """A CSV file's rows, in a stable order: what a person comparing two files would check."""
    with path.open(encoding="utf-8", newline="") as file:
        return sorted(csv.DictReader(file), key=lambda row: (row["us_name"], row["partner_name"]))


def test_run_without_a_token_exits_with_one_clear_line(tmp_path: Path) -> None:
    result = sisterbot("run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "sisterbot: [telegram] token: missing; put it in the config file or the TELEGRAM_BOT_TOKEN "
        "environment variable (get one from @BotFather), or try `sisterbot demo`, which needs none"
    ]


def test_run_with_a_bad_timezone_exits_with_one_clear_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[defaults]\ntimezone = "Europe/Pskov"\n', encoding="utf-8")
    result = sisterbot(
        "run",
        "--config",
        str(config),
        cwd=tmp_path,
        env={"TELEGRAM_BOT_TOKEN": "123:FAKE-token-for-tests-xxxx"},
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "sisterbot: [defaults] timezone: 'Europe/Pskov' is not a known IANA timezone"
    )
    assert "Traceback" not in result.stderr


def test_check_reports_a_missing_token_and_a_new_database(tmp_path: Path) -> None:
    result = sisterbot("check", cwd=tmp_path)
    assert result.returncode == 1
    assert "token: MISSING" in result.stdout
    assert "does not exist yet" in result.stdout


def test_check_describes_an_imported_database(tmp_path: Path) -> None:
    assert sisterbot("import", str(SAMPLE), cwd=tmp_path).returncode == 0
    result = sisterbot("check", cwd=tmp_path, env={"TELEGRAM_BOT_TOKEN": "123:FAKE-token-for-tests-xxxx"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "token: present" in result.stdout
    assert "FAKE-token" not in result.stdout
    assert "8 partnerships (active 6, terminated 2)" in result.stdout


def test_check_calls_a_webhook_without_a_secret_an_error(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[telegram]\nmode = "webhook"\nwebhook_url = "https://bot.example.org/hook"\n', encoding="utf-8"
    )
    token = {"TELEGRAM_BOT_TOKEN": "123:FAKE-token-for-tests-xxxx"}
    for command in ("check", "run"):
        result = sisterbot(command, "--config", str(config), cwd=tmp_path, env=token)
        assert result.returncode == 2, result.stdout
        assert result.stderr.startswith('sisterbot: [telegram] secret_token: required when mode = "webhook"')
        assert "Traceback" not in result.stderr


async def test_check_of_a_built_config_without_a_webhook_secret_fails(tmp_path: Path) -> None:
    telegram = TelegramConfig(
        token="123:FAKE-token-for-tests-xxxx", mode="webhook", webhook_url="https://x.org/h"
    )
    lines, ok = await check(Config(telegram=telegram, database_path=tmp_path / "bot.db"))
    assert not ok
    assert any(line.startswith("webhook: ERROR - [telegram] secret_token: required") for line in lines)


def test_import_then_export_gives_back_the_sample(tmp_path: Path) -> None:
    first = sisterbot("import", str(SAMPLE), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "8 added" in first.stdout
    again = sisterbot("import", str(SAMPLE), cwd=tmp_path)
    assert again.returncode == 0
    assert "no changes" in again.stdout
    exported = sisterbot("export", "out.csv", cwd=tmp_path)
    assert exported.returncode == 0
    assert "8 partnerships exported" in exported.stdout
    assert rows(tmp_path / "out.csv") == rows(SAMPLE)


def test_a_broken_file_is_rejected_with_every_bad_line_and_changes_nothing(tmp_path: Path) -> None:
    header, *rows = SAMPLE.read_text(encoding="utf-8").splitlines()
    bad = [
        header,
        rows[0].replace(",active,", ",dormant,"),
        rows[1],
        rows[2].replace(",city,", ",village,", 1),
    ]
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join(bad) + "\n", encoding="utf-8")
    result = sisterbot("import", str(broken), cwd=tmp_path)
    assert result.returncode == 1
    assert "line 2:" in result.stderr
    assert "line 4:" in result.stderr
    assert "line 3:" not in result.stderr
    assert "nothing imported" in result.stderr
    exported = sisterbot("export", "-", cwd=tmp_path)
    assert exported.stdout.strip().splitlines() == [header]


@pytest.mark.parametrize("command", ["run", "check", "import", "export", "demo"])
def test_every_subcommand_takes_a_config_path(tmp_path: Path, command: str) -> None:
    result = sisterbot(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "--config PATH" in result.stdout


def test_a_file_that_is_not_a_database_is_named_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "sisterbot.db").write_text("these are not the partnerships you are looking for\n" * 100)
    for command in (["export", "out.csv"], ["import", str(SAMPLE)]):
        result = sisterbot(*command, cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr.startswith("sisterbot: database ")
        assert "not a usable SQLite database" in result.stderr
        assert "Traceback" not in result.stderr


def test_export_without_a_database_says_so_and_creates_nothing(tmp_path: Path) -> None:
    result = sisterbot("export", "out.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert not (tmp_path / "sisterbot.db").exists()
    assert not (tmp_path / "out.csv").exists()
