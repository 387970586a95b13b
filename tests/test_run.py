"""`sisterbot run` as an operator starts it: the real entry point against the offline server, then SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.sandbox import BotApiServer
from tests.conftest import SAMPLE_CSV


async def test_run_answers_and_stops_cleanly_on_sigterm(sandbox: BotApiServer, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\nbase_url = "{sandbox.base_url}"\nbase_file_url = "{sandbox.base_file_url}"\n'
        '[database]\npath = "run.db"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": sandbox.token}
    imported = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "import", str(SAMPLE_CSV), "--config", str(config), env=env, cwd=tmp_path
    )
    assert await imported.wait() == 0
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config),
        env=env,
        cwd=tmp_path,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        alice = sandbox.user("Alice")
        await alice.send("/status Durham")
        reply = await alice.reply(timeout=30)
        assert "Durham – Kostroma" in reply.text
    finally:
        bot.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(bot.communicate(), timeout=30)
    log = stderr.decode()
    assert bot.returncode == 0, log
    assert "services closed" in log
    assert "Traceback" not in log
    assert sandbox.token.split(":", 1)[1] not in log


async def test_run_with_a_token_the_api_refuses_exits_with_one_line(
    sandbox: BotApiServer, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[telegram]\nbase_url = "{sandbox.base_url}"\n', encoding="utf-8")
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config),
        env={**os.environ, "TELEGRAM_BOT_TOKEN": "42:REVOKED-token-for-tests-only"},
        cwd=tmp_path,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(bot.communicate(), timeout=30)
    assert bot.returncode == 2
    last = stderr.decode().strip().splitlines()[-1]
    assert last.startswith("sisterbot: [telegram] token: the Bot API at 127.0.0.1:")
    assert "REVOKED" not in stderr.decode()
    assert "Traceback" not in stderr.decode()


async def test_run_when_the_api_cannot_be_reached_exits_with_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    # Port 9 (discard) on loopback: nothing listens there.
    config.write_text('[telegram]\nbase_url = "http://127.0.0.1:9/bot"\n', encoding="utf-8")
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config),
        env={**os.environ, "TELEGRAM_BOT_TOKEN": "42:FAKE-token-for-tests-only-xx"},
        cwd=tmp_path,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(bot.communicate(), timeout=30)
    assert bot.returncode == 2
    assert (
        stderr.decode()
        .strip()
        .splitlines()[-1]
        .startswith("sisterbot: [telegram] base_url: cannot reach the Bot API at 127.0.0.1:9")
    )
    assert "Traceback" not in stderr.decode()
