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
