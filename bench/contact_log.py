"""The contact log at 1,000,000 contacts and 20,000 partnerships: how long each question asked of it takes.

Run: python -m bench.contact_log [--contacts N] [--partnerships N] [--keep PATH]
Prints figures; it is not a pass/fail test.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path

from storage.contacts import Channel, ContactFields, ContactRepository
from storage.db import Database
from storage.members import MemberRepository
from storage.partnerships import PartnershipRepository
from storage.records import NewPartnership, PartnerKind, PartnershipFields, Status, UsKind

TODAY = date(2026, 6, 1)
MEMBERS = 2000
BATCH = 50_000


def _partnership(number: int) -> NewPartnership:
    fields = PartnershipFields(
        us_name=f"Town {number}",
        us_state="VA",
        us_kind=UsKind.CITY,
        partner_name=f"Partner {number}",
        partner_region="",
        partner_country="Russia",
        partner_kind=PartnerKind.CITY,
        established_year=None,
        status=Status.ACTIVE,
        checkin_days=None,
    )
    return NewPartnership(fields, None, "")


async def populate(db: Database, partnerships: int, contacts: int) -> list[int]:
    """Partnerships, members and contacts spread over ten years, written in large transactions."""
    rng = random.Random(5)
    ids = await PartnershipRepository(db).add_many(
        [_partnership(n) for n in range(partnerships)], recorded_by="bench"
    )
    members = MemberRepository(db)
    async with db.transaction():
        for member_id in range(1, MEMBERS + 1):
            await members.upsert(
                member_id, first_name="M", last_name=str(member_id), username=None, telegram_language="en"
            )
    repo = ContactRepository(db)
    channels = list(Channel)
    written = 0
    while written < contacts:
        count = min(BATCH, contacts - written)
        rows = [
            (
                rng.randint(1, MEMBERS),
                ContactFields(
                    rng.choice(ids),
                    rng.choice(channels),
                    TODAY - timedelta(days=rng.randint(0, 3650)),
                    "Met the youth council; talked about the summer exchange and the letters from school",
                    rng.choice([None, 5, 12]),
                ),
            )
            for _ in range(count)
        ]
        written += await repo.add_many(rows, today=TODAY)
    return ids


async def timed(name: str, runs: int, call: Callable[[], Awaitable[object]]) -> None:
    """Median and p99 of `runs` calls, in milliseconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    print(f"{name:<52} median {statistics.median(samples):8.3f} ms   p99 {p99:8.3f} ms   ({runs} runs)")


async def main(partnerships: int, contacts: int, keep: Path | None) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = keep or Path(scratch) / "bench.db"
        db = await Database.open(path)
        try:
            start = time.perf_counter()
            ids = await populate(db, partnerships, contacts)
            seconds = time.perf_counter() - start
            print(f"wrote {contacts:,} contacts for {partnerships:,} partnerships in {seconds:.1f} s")
            print(f"database file: {path.stat().st_size / 1e6:.0f} MB")
            repo = ContactRepository(db)
            rng = random.Random(7)
            since = TODAY - timedelta(days=90)
            await timed("last_contact(one partnership)", 2000, lambda: repo.last_contact(rng.choice(ids)))
            await timed(
                "last_contacts(12 partnerships, one /status)",
                500,
                lambda: repo.last_contacts(rng.sample(ids, 12)),
            )
            await timed(f"last_contacts(all {len(ids):,} partnerships)", 5, lambda: repo.last_contacts(ids))
            await timed(
                "contacts_since(one, last 90 days)", 2000, lambda: repo.contacts_since(rng.choice(ids), since)
            )
            await timed(
                f"counts_since(all {len(ids):,}, last 90 days)", 5, lambda: repo.counts_since(ids, since)
            )
            await timed(
                "awaiting_reply(one partnership)", 2000, lambda: repo.awaiting_reply(rng.choice(ids), TODAY)
            )
            await timed(f"awaiting_replies(all {len(ids):,})", 3, lambda: repo.awaiting_replies(ids, TODAY))
            await timed("history(one partnership, page 1)", 2000, lambda: repo.history(rng.choice(ids)))
            await timed(
                "history(one partnership, page 10)", 2000, lambda: repo.history(rng.choice(ids), offset=45)
            )
            await timed(
                "summary_of(12 partnerships)", 500, lambda: repo.summary_of(rng.sample(ids, 12), TODAY)
            )
            members = MemberRepository(db)
            victims = iter(range(1, MEMBERS + 1))
            await timed(
                f"forget(member with ~{contacts // MEMBERS} contacts: SET NULL)",
                20,
                lambda: members.forget(next(victims)),
            )
        finally:
            await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--partnerships", type=int, default=20_000)
    parser.add_argument("--keep", type=Path, help="write the database here and keep it")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.partnerships, arguments.contacts, arguments.keep))
