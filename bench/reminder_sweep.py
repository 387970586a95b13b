"""The check-in reminder sweep at 20,000 partnerships and 100,000 members: time per tick, and memory.

Run: python -m bench.reminder_sweep [--partnerships N] [--members N] [--contacts N] [--keep PATH]

A tick's database part (refresh the cycles, claim what is owed where it is reminder time) is timed through
CheckInService.sweep; sending is replaced by counting (an outbox that only counts), timed separately.
Prints figures next to the targets (< 100 ms per tick, < 150 MB RSS); it is not a pass/fail test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import resource
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from telegram import InlineKeyboardMarkup

from bot.config import Config
from bot.reminders.service import CheckInService
from storage.checkins import CheckInRepository
from storage.db import Database
from storage.members import MemberRepository
from storage.partnerships import PartnershipRepository

TARGET_TICK_MS = 100.0
TARGET_LOOP_MS = 50.0
TARGET_RSS_MB = 150.0
TODAY = date(2026, 6, 1)  # a Monday
REGISTERED = "2025-01-01T12:00:00+00:00"
ZONES = (
    None,  # the network's default, America/New_York
    None,
    None,
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/Moscow",
    "Europe/Paris",
    "Asia/Yekaterinburg",
    "Asia/Novosibirsk",
    "Asia/Vladivostok",
    "Asia/Seoul",
)
STATUSES = ["active"] * 17 + ["paused", "suspended", "terminated"]
CHECKIN_DAYS = [None, None, 30, 60]
BATCH = 20_000


class CountingOutbox:
    """Sending replaced by counting."""

    def __init__(self) -> None:
        self.sent = 0
        self.edited = 0

    async def send(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> int:
        self.sent += 1
        return self.sent

    async def edit(
        self, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> None:
        self.edited += 1


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size in MB, from /proc/self/status and getrusage."""
    current = 0.0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    return current, peak


async def populate(db: Database, partnerships: int, members: int, contacts: int) -> None:
    """Partnerships with their last contacts spread over four months, committees of about five members."""
    rng = random.Random(6)
    async with db.transaction() as conn:
        await conn.executemany(
            """
            INSERT INTO partnerships (id, us_name, us_state, us_kind, partner_name, partner_country,
                partner_kind, status, checkin_days, created_at, updated_at)
            VALUES (?, ?, 'VA', 'city', ?, 'Russia', 'city', ?, ?, ?, ?)
            """,
            [
                (
                    pid,
                    f"Town {pid}",
                    f"Partner {pid}",
                    rng.choice(STATUSES),
                    rng.choice(CHECKIN_DAYS),
                    *[REGISTERED] * 2,
                )
                for pid in range(1, partnerships + 1)
            ],
        )
    # Each partnership's last contact: within the month for most, one to seven months ago for a third
    # (those fall due); older contacts before it.
    rows = []
    per_partnership = max(1, contacts // partnerships)
    for pid in range(1, partnerships + 1):
        days_ago = rng.uniform(0, 30) if rng.random() < 0.67 else rng.uniform(30, 210)
        for _ in range(per_partnership):
            rows.append((pid, (TODAY - timedelta(days=int(days_ago))).isoformat(), REGISTERED))
            days_ago += rng.expovariate(1 / 20)
    for start in range(0, len(rows), BATCH):
        async with db.transaction() as conn:
            await conn.executemany(
                """
                INSERT INTO contacts (partnership_id, member_id, channel, contact_date, summary, created_at)
                VALUES (?, NULL, 'zoom', ?, 'Met the youth council; talked about the summer exchange', ?)
                """,
                rows[start : start + BATCH],
            )
    for first in range(1, members + 1, BATCH):
        ids = range(first, min(first + BATCH, members + 1))
        async with db.transaction() as conn:
            await conn.executemany(
                """
                INSERT INTO members (id, first_name, telegram_language, timezone, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
                [
                    (
                        mid,
                        f"Member {mid}",
                        rng.choice(["en", "en", "ru"]),
                        rng.choice(ZONES),
                        REGISTERED,
                        REGISTERED,
                    )
                    for mid in ids
                ],
            )
            # About five to a committee, and one member in twenty on a second committee as well.
            seats = [(mid, (mid - 1) * partnerships // members + 1) for mid in ids]
            seats += [(mid, rng.randint(1, partnerships)) for mid in ids if mid % 20 == 0]
            await conn.executemany(
                """
                INSERT OR IGNORE INTO memberships (member_id, partnership_id, role, since)
                VALUES (?, ?, CASE WHEN ? % 5 = 0 THEN 'coordinator' ELSE 'member' END, ?)
                """,
                [(mid, pid, mid, REGISTERED) for mid, pid in seats],
            )


async def drain(service: CheckInService, now: datetime) -> None:
    """Send (count) everything claimed, and claim what the batches left, as later ticks would."""
    for minute in range(1, 30):
        await service.sweep(now + timedelta(minutes=minute))
        while await service._send_ready(now + timedelta(minutes=minute)):
            pass


async def sweep_ms(service: CheckInService, now: datetime) -> tuple[float, int, int]:
    start = time.perf_counter()
    refreshed, claimed = await service.sweep(now)
    return (time.perf_counter() - start) * 1000, refreshed.opened, claimed


async def catch_up_ms(service: CheckInService, now: datetime) -> tuple[list[float], datetime, int, int]:
    """Sweeps as run_tick makes them: one, then one a second while the last left work (sending counted)."""
    times, opened, claimed = [], 0, 0
    while True:
        ms, new, reminders = await sweep_ms(service, now)
        times.append(ms)
        opened, claimed = opened + new, claimed + reminders
        if not service.unfinished:
            return times, now, opened, claimed
        await service._send_ready(now)
        now += timedelta(seconds=1)


class LoopLag:
    """The longest the event loop was held by anything else, seen by a task that wakes every millisecond."""

    def __init__(self) -> None:
        self.worst_ms = 0.0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> LoopLag:
        self._task = asyncio.create_task(self._watch())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _watch(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.001)
            self.worst_ms = max(self.worst_ms, (time.perf_counter() - start - 0.001) * 1000)


def line(name: str, figure: str, target: str = "") -> None:
    print(f"{name:<58} {figure:>22}   {target}")


async def main(partnerships: int, members: int, contacts: int, keep: Path | None) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = keep or Path(scratch) / "reminders.db"
        db = await Database.open(path)
        try:
            start = time.perf_counter()
            await populate(db, partnerships, members, contacts)
            print(
                f"wrote {partnerships:,} partnerships, {members:,} members, {contacts:,} contacts "
                f"in {time.perf_counter() - start:.1f} s; database {path.stat().st_size / 1e6:.0f} MB"
            )
            outbox = CountingOutbox()
            service = CheckInService(
                Config(database_path=path),
                CheckInRepository(db),
                MemberRepository(db),
                PartnershipRepository(db),
                outbox,
            )
            print(f"{'':<58} {'measured':>22}   target")
            # Start-up at 15:30 UTC (11:30 in New York, 18:30 in Moscow; Denver and the west not yet)
            # with 5,686 partnerships overdue at once: the worst case, a first deployment.
            first = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=15, minutes=30)
            async with LoopLag() as lag:
                catch_up, now, opened, claimed = await catch_up_ms(service, first)
            line(
                f"start-up catch-up: {len(catch_up)} sweeps a second apart",
                f"median {statistics.median(catch_up):6.1f} ms",
                f"< {TARGET_TICK_MS:.0f} ms; worst {max(catch_up):.1f} ms, first {catch_up[0]:.1f} ms",
            )
            line(
                "  what they did",
                f"{opened:,} opened, {claimed:,} claimed",
                f"event loop held {lag.worst_ms:.1f} ms at most (< {TARGET_LOOP_MS:.0f} ms)",
            )
            start = time.perf_counter()
            sent = await service._send_ready(now)  # the send loop alone, sending counted
            seconds = time.perf_counter() - start
            line(
                f"sending one tick's batch ({sent:,}; sending replaced by counting)",
                f"{seconds * 1000 / max(sent, 1):8.3f} ms each",
                "(the bot's rate limiter allows ~30/s)",
            )
            await drain(service, now)
            steady = []
            for _ in range(30):
                now += timedelta(minutes=1)
                ms, _opened, _claimed = await sweep_ms(service, now)
                steady.append(ms)
            steady.sort()
            line(
                "steady tick, nothing new (30 ticks)",
                f"median {statistics.median(steady):6.1f} ms",
                f"< {TARGET_TICK_MS:.0f} ms; worst {steady[-1]:.1f} ms",
            )
            rollover = datetime.combine(TODAY + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
            rollover += timedelta(hours=10)  # a new day begins at UTC+14: the daily full refresh
            async with LoopLag() as lag:
                sweeps, now, opened, claimed = await catch_up_ms(service, rollover)
            line(
                f"next day 10:00 UTC: full refresh, Moscow..Seoul ({len(sweeps)} sweeps)",
                f"worst {max(sweeps):7.1f} ms",
                f"< {TARGET_TICK_MS:.0f} ms; {claimed:,} claimed; loop held {lag.worst_ms:.1f} ms at most",
            )
            rollover = now
            await drain(service, rollover)
            new_york = rollover + timedelta(hours=4)  # 10:00 in New York, the next day
            ms, _opened, claimed = await sweep_ms(service, new_york)
            line(
                f"10:00 in New York, next day ({claimed:,} claimed)",
                f"{ms:8.1f} ms",
                f"< {TARGET_TICK_MS:.0f} ms",
            )
            await drain(service, new_york)
            denver = new_york + timedelta(hours=2)  # 10:00 in Denver
            ms, _opened, claimed = await sweep_ms(service, denver)
            line(
                f"10:00 in Denver, next day ({claimed:,} claimed)",
                f"{ms:8.1f} ms",
                f"< {TARGET_TICK_MS:.0f} ms",
            )
            current, peak = rss_mb()
            line("memory: RSS now / peak", f"{current:5.0f} / {peak:5.0f} MB", f"< {TARGET_RSS_MB:.0f} MB")
        finally:
            await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=20_000)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="write the database here and keep it")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.partnerships, arguments.members, arguments.contacts, arguments.keep))
