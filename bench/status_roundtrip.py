"""/status round trips at 2,000 and 20,000 partnerships, beside a bare python-telegram-bot echo bot.

Run: python -m bench.status_roundtrip [--quick] [--samples N] [--rounds N] [--sizes 2000,20000]

The real bot (`python -m bot run`, its own process and database) and a bare PTB echo bot (bench/echo_bot.py)
each poll their own offline Bot API server; a second echo bot, paced by PTB's AIORateLimiter at 30/s, is the
floor for many people asking at once. This process hosts the servers and the people asking. Single
questions alternate between the two bots, one fresh person per question, at most 15 a second per bot (so
neither meets Telegram's 30/s limit); a crowd round sends every person's question at once. A round trip is
from the moment the question is queued on the server to the moment the bot's first reply (or inline answer)
reaches it. Prints p50/p99 beside the echo bot's and the targets; figures, not a pass/fail test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import big_registry
from bot.sandbox import BotApiServer, SandboxUser

SIZES = {2_000: (10_000, 100_000), 20_000: (100_000, 1_000_000)}  # partnerships: (members, contacts)
SINGLE_TARGET = 2.0  # p99 within 2x the echo bot's
CROWD_TARGET = 1.5  # p99 within 1.5x the larger of the echo bot's p99 and the paced floor
RSS_TARGET_MB = 150.0
PAUSE = 1 / 15  # between two questions to the same bot
TIMEOUT = 900.0

# What is asked, and a word the real bot's answer must contain (the card, or the list it offers).
Question = tuple[str, str, str]  # (text, language, expected in the reply)
CATEGORIES: dict[str, list[Question]] = {
    "exact name": [
        ("/status Durham", "en", "Kostroma"),
        ("/status Roanoke", "en", "Pskov"),
        ("/status Kostroma", "en", "Durham"),
        ("/status Toyama", "en", "Durham"),
    ],
    "misspelling": [
        ("/status Durahm", "en", "Kostroma"),
        ("/status Roanok", "en", "Pskov"),
        ("/status Kostrma", "en", "Durham"),
        ("/status Toyma", "en", "Durham"),
    ],
    "Russian name": [
        ("/status Псков", "ru", "Roanoke"),
        ("/status Кострома", "ru", "Durham"),
        ("/status Дарем", "ru", "Kostroma"),
        ("/status Роанок", "ru", "Pskov"),
    ],
    "free-text question": [
        ("what is the status of Durham?", "en", "Kostroma"),
        ("что с Псковом?", "ru", "Roanoke"),
        ("how is Roanoke doing", "en", "Pskov"),
        ("как дела у Костромы?", "ru", "Durham"),
    ],
    "inline query": [
        ("Durham", "en", "Kostroma"),
        ("Псков", "ru", "Roanoke"),
        ("Roanoke", "en", "Pskov"),
        ("Toyama", "en", "Durham"),
    ],
}
CROWD_QUESTIONS = [q for name in ("exact name", "misspelling", "Russian name") for q in CATEGORIES[name]]


@dataclass
class Bot:
    """A bot under test: its own server, its own process."""

    name: str
    server: BotApiServer
    process: asyncio.subprocess.Process
    cpu_start: float = 0.0
    last_question: float = 0.0
    wrong: list[str] = field(default_factory=list)

    async def ask(self, question: Question, *, check: bool = False) -> float:
        """Seconds from asking to the first reply (or inline answer), from a new person."""
        text, language, expected = question
        user = self.server.user(first_name="Asker", language_code=language)
        if question not in CATEGORIES["inline query"]:
            start = time.perf_counter()
            await user.send(text)
            reply = await user.reply(timeout=TIMEOUT)
            seconds = time.perf_counter() - start
            answer = reply.text + str(reply.buttons)
        else:
            start = time.perf_counter()
            results = await user.inline_query(text, timeout=TIMEOUT)
            seconds = time.perf_counter() - start
            answer = str(results)
        if check and expected not in answer:
            self.wrong.append(f"{text!r} -> {answer[:120]!r}")
        return seconds

    async def paced(self, question: Question) -> float:
        """ask(), at most one question per PAUSE to this bot."""
        wait = self.last_question + PAUSE - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        self.last_question = time.perf_counter()
        return await self.ask(question)

    async def crowd(self, people: int, questions: list[Question]) -> list[float]:
        """`people` new people each send a question at the same moment; each one's round trip."""
        users = [
            (self.server.user(first_name="Crowd", language_code=q[1]), q)
            for q in (questions[i % len(questions)] for i in range(people))
        ]
        start = time.perf_counter()
        for user, (text, _language, _expected) in users:
            await user.send(text)

        async def one(user: SandboxUser) -> float:
            await user.reply(timeout=TIMEOUT)
            return time.perf_counter() - start

        return list(await asyncio.gather(*(one(user) for user, _ in users)))

    def rss_mb(self) -> tuple[float, float]:
        """(current, peak) resident memory of the bot's process."""
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            fields[key] = value
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the bot's process has used."""
        parts = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


async def start_bot(
    name: str, command: Callable[[BotApiServer], list[str]], scratch: Path, *, limits: bool
) -> Bot:
    """Start a server and a bot process polling it (`command` for that server); return once it polls."""
    server = BotApiServer(enforce_limits=limits)
    await server.start()
    log = scratch / f"{name.replace(' ', '-')}.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            *command(server), stdout=output, stderr=output, cwd=Path(__file__).parents[1]
        )
    bot = Bot(name, server, process)
    deadline = time.perf_counter() + 120
    while not any(call.method == "getUpdates" for call in server.world.journal):
        if process.returncode is not None or time.perf_counter() > deadline:
            raise RuntimeError(f"{name} did not start; see {log}")
        await asyncio.sleep(0.05)
    bot.cpu_start = bot.cpu_seconds()
    return bot


async def stop_bot(bot: Bot) -> None:
    bot.process.terminate()
    await asyncio.wait_for(bot.process.wait(), 30)
    await bot.server.stop()


def real_bot_config(scratch: Path, size: int, server: BotApiServer) -> Path:
    """A config.toml for `sisterbot run` against this server and the registry of this size."""
    path = scratch / f"config-{size}.toml"
    path.write_text(
        "[telegram]\n"
        f'token = "{server.token}"\n'
        f'base_url = "{server.base_url}"\n'
        f'base_file_url = "{server.base_file_url}"\n'
        f'[database]\npath = "registry-{size}.db"\n'
    )
    return path


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def figures(values: list[float], unit: float) -> str:
    return f"{percentile(values, 0.5) * unit:7.1f} / {percentile(values, 0.99) * unit:7.1f}"


def row(name: str, ours: str, theirs: str, ratio: str, target: str) -> None:
    print(f"  {name:<30} {ours:>19}  {theirs:>19}  {ratio:>7}  {target}", flush=True)


def verdict(ratio: float, target: float) -> str:
    return f"within {target:g}x" if ratio <= target else f"OVER {target:g}x by {ratio / target:.2f}x"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


async def measure_size(
    size: int, scratch: Path, echo: Bot, paced: Bot, samples: int, rounds: int, crowds: list[int]
) -> None:
    members, contacts = SIZES.get(size, (size * 5, size * 50))
    database = scratch / f"registry-{size}.db"
    start = time.perf_counter()
    await big_registry.create(database, size, members, contacts)
    print(
        f"\n{size:,} partnerships, {members:,} members, {contacts:,} contacts "
        f"(written in {time.perf_counter() - start:.0f} s); {load()}",
        flush=True,
    )

    def command(server: BotApiServer) -> list[str]:
        return [sys.executable, "-m", "bot", "run", "--config", str(real_bot_config(scratch, size, server))]

    ours = await start_bot(f"sisterbot {size}", command, scratch, limits=True)
    try:
        for question in [q for qs in CATEGORIES.values() for q in qs]:  # warm up, and check the answers
            await ours.paced(question)
            await ours.ask(question, check=True)
            await echo.paced(question)
        for wrong in ours.wrong:
            print(f"  ! unexpected answer: {wrong}")
        row("", "this bot p50 / p99", "echo bot p50 / p99", "p99 ×", "target")
        for name, questions in CATEGORIES.items():
            mine: list[float] = []
            theirs: list[float] = []
            for i in range(samples):
                question = questions[i % len(questions)]
                mine.append(await ours.paced(question))
                theirs.append(await echo.paced(question))
            ratio = percentile(mine, 0.99) / percentile(theirs, 0.99)
            ms = f"{figures(mine, 1000)} ms", f"{figures(theirs, 1000)} ms"
            row(name, *ms, f"{ratio:.1f}", verdict(ratio, SINGLE_TARGET))
        for people in crowds:
            mine, theirs, floor = [], [], []
            for _ in range(rounds):
                mine += await ours.crowd(people, CROWD_QUESTIONS)
                await asyncio.sleep(1.5)  # Telegram's (and the limiter's) buckets refill
                theirs += await echo.crowd(people, CROWD_QUESTIONS)
                floor += await paced.crowd(people, CROWD_QUESTIONS)
                await asyncio.sleep(1.5)
            bound = max(percentile(theirs, 0.99), percentile(floor, 0.99))
            ratio = percentile(mine, 0.99) / bound
            row(f"{people} people at once", f"{figures(mine, 1)} s", f"{figures(theirs, 1)} s", "", "")
            row(
                "  paced echo bot (the floor)",
                "",
                f"{figures(floor, 1)} s",
                f"{ratio:.1f}",
                f"{verdict(ratio, CROWD_TARGET)} of the larger; {people / 30:.1f} s at 30/s",
            )
        current, peak = ours.rss_mb()
        memory = f"{current:.0f} / {peak:.0f} MB"
        row("memory of the bot: RSS / peak", memory, "", "", f"< {RSS_TARGET_MB:.0f} MB")
        row("CPU the bot used", f"{ours.cpu_seconds() - ours.cpu_start:.1f} s", "", "", load())
    finally:
        await stop_bot(ours)


async def uptime() -> str:
    """What `uptime` says."""
    process = await asyncio.create_subprocess_exec(
        shutil.which("uptime") or "uptime", stdout=asyncio.subprocess.PIPE
    )
    output, _ = await process.communicate()
    return output.decode().strip()


async def main(sizes: list[int], samples: int, rounds: int, crowds: list[int]) -> None:
    print(f"uptime: {await uptime()}")
    print(f"{samples} samples per question kind and bot; {rounds} round(s) per crowd; {load()}")
    with tempfile.TemporaryDirectory(prefix="status-bench-") as name:
        scratch = Path(name)

        def echo_command(server: BotApiServer) -> list[str]:
            return [sys.executable, "-m", "bench.echo_bot", server.base_url]

        echo = await start_bot("echo bot", echo_command, scratch, limits=False)
        paced = await start_bot(
            "paced echo bot", lambda s: [*echo_command(s), "--paced"], scratch, limits=True
        )
        try:
            for size in sizes:
                await measure_size(size, scratch, echo, paced, samples, rounds, crowds)
        finally:
            await stop_bot(echo)
            await stop_bot(paced)
    print(f"\nuptime: {await uptime()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 partnerships only, fewer samples")
    parser.add_argument("--samples", type=int, help="questions of each kind per bot (default 200; quick 60)")
    parser.add_argument("--rounds", type=int, help="rounds of each crowd (default 3; quick 1)")
    parser.add_argument("--sizes", help="comma-separated registry sizes (default 2000,20000)")
    parser.add_argument("--crowds", default="50,200", help="comma-separated crowd sizes")
    arguments = parser.parse_args()
    quick = arguments.quick
    chosen = [int(s) for s in (arguments.sizes or ("2000" if quick else "2000,20000")).split(",")]
    asyncio.run(
        main(
            chosen,
            arguments.samples or (60 if quick else 200),
            arguments.rounds or (1 if quick else 3),
            [int(c) for c in arguments.crowds.split(",")],
        )
    )
