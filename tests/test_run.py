"""`sisterbot run` as an operator starts it: the real entry point against the offline server, then SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.sandbox import BotApiServer
from tests.conftest import SAMPLE_CSV


async def sisterbot(*args: str, token: str, cwd: Path) -> asyncio.subprocess.Process:
    """The sisterbot command in a child process, its standard error captured."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env={**os.environ, "TELEGRAM_BOT_TOKEN": token},
        cwd=cwd,
        stderr=asyncio.subprocess.PIPE,
    )


async def one_line_failure(config: Path, token: str) -> str:
    """`sisterbot run` that must fail at start: its last line of standard error, after checks."""
    bot = await sisterbot("run", "--config", str(config), token=token, cwd=config.parent)
    _, stderr = await asyncio.wait_for(bot.communicate(), timeout=30)
    assert bot.returncode == 2
    assert "Traceback" not in stderr.decode()
    assert token.split(":", 1)[1] not in stderr.decode()
    return stderr.decode().strip().splitlines()[-1]


async def test_run_answers_and_stops_cleanly_on_sigterm(sandbox: BotApiServer, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\nbase_url = "{sandbox.base_url}"\nbase_file_url = "{sandbox.base_file_url}"\n'
        '[database]\npath = "run.db"\n',
        encoding="utf-8",
    )
    imported = await sisterbot(
        "import", str(SAMPLE_CSV), "--config", str(config), token=sandbox.token, cwd=tmp_path
    )
    await imported.communicate()
    assert imported.returncode == 0
    bot = await sisterbot("run", "--config", str(config), token=sandbox.token, cwd=tmp_path)
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
    last = await one_line_failure(config, "42:REVOKED-token-for-tests-only")
    assert last.startswith("sisterbot: [telegram] token: the Bot API at 127.0.0.1:")


async def test_run_when_the_api_cannot_be_reached_exits_with_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    # Port 9 (discard) on loopback: nothing listens there.
    config.write_text('[telegram]\nbase_url = "http://127.0.0.1:9/bot"\n', encoding="utf-8")
    last = await one_line_failure(config, "42:FAKE-token-for-tests-only-xx")
    assert last.startswith("sisterbot: [telegram] base_url: cannot reach the Bot API at 127.0.0.1:9")
