"""A large registry for benchmarks: partnerships with realistic names, committees and a long contact log.

The sample partnerships (Roanoke – Pskov, Durham – Kostroma…) go in first through the real CSV import, so
benchmarks can ask about them by name; the rest is written with bulk SQL on the real schema, about 40 s for
20,000 partnerships, 100,000 members and 1,000,000 contacts. Every partnership's latest contact is less than
three weeks old, so no check-in reminder falls due while a benchmark runs.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.places import registry_places
from bot.registry.import_export import import_registry_csv
from storage.db import Database

SAMPLE_CSV = Path(__file__).parents[1] / "bot" / "data" / "partnerships-sample.csv"
SAMPLE_NAMES = {
    "Roanoke", "Durham", "Maryland", "Iowa", "Pskov", "Wonju", "Kisumu", "Saint-Lô", "Kostroma", "Toyama",
    "Leningrad Oblast", "Stavropol Krai",
}  # fmt: skip
STATUSES = ["active"] * 17 + ["paused", "suspended", "terminated"]
CHECKIN_DAYS = [None, None, 30, 60, 90]
CHANNELS = ["zoom"] * 4 + ["email"] * 3 + ["letter_sent", "letter_received", "phone", "in_person", "other"]
SUMMARIES = [
    "Zoom with the youth council about the summer exchange",
    "Letter from the mayor's office thanking us for the photographs",
    "Sent the school children's drawings for the spring exhibition",
    "Joint concert planned for September; call with the choir director",
    "Созвонились с библиотекой, обсудили обмен книгами",
    "Письмо от ветеранов, ответили и отправили фотографии",
    "Встреча по Zoom: музей, архив и студенты университета",
]
FIRST_NAMES = [
    "Anna",
    "Olga",
    "Mary",
    "James",
    "John",
    "Linda",
    "Ivan",
    "Sergei",
    "Natalia",
    "Pavel",
    "Emily",
]
REASONS = ["Paused for the winter", "Suspended by the city council", "Terminated by the governor", ""]
BATCH = 50_000


def _iso(moment: datetime) -> str:
    return moment.isoformat()


async def create(path: Path, partnerships: int, members: int, contacts: int, *, seed: int = 16) -> None:
    """Write a registry of this size into a new database at `path`."""
    db = await Database.open(path)
    try:
        await import_registry_csv(db, SAMPLE_CSV.read_bytes(), recorded_by="bench", source="sample")
    finally:
        await db.close()
    _bulk(path, partnerships, members, contacts, random.Random(seed))


def _bulk(path: Path, partnerships: int, members: int, contacts: int, rng: random.Random) -> None:
    now = datetime.now(UTC)
    registered = _iso(now - timedelta(days=800))
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        first = conn.execute("SELECT MAX(id) FROM partnerships").fetchone()[0] + 1
        rows, changes = [], []
        places = registry_places(partnerships - first + 1, rng, SAMPLE_NAMES)
        for pid, ((us_name, us_state), partner) in enumerate(places, start=first):
            status = rng.choice(STATUSES)
            rows.append((
                pid, us_name, us_state, partner.name, partner.region, partner.country,
                rng.randint(1956, 2015), status, rng.choice(CHECKIN_DAYS), registered, registered,
            ))  # fmt: skip
            since = (now.date() - timedelta(days=rng.randint(30, 1500))).isoformat()
            reason = "" if status == "active" else rng.choice(REASONS)
            changes.append((pid, status, since, reason, registered))
        conn.executemany(
            """
            INSERT INTO partnerships (id, us_name, us_state, us_kind, partner_name, partner_region,
                partner_country, partner_kind, established_year, status, checkin_days, created_at, updated_at)
            VALUES (?, ?, ?, 'city', ?, ?, ?, 'city', ?, ?, ?, ?, ?)
            """,
            rows,
        )
        conn.executemany(
            """
            INSERT INTO status_changes (partnership_id, old_status, new_status, effective_date, reason,
                source, recorded_by, recorded_at)
            VALUES (?, NULL, ?, ?, ?, 'bench', 'bench', ?)
            """,
            changes,
        )
        conn.execute("COMMIT")
        _members(conn, partnerships, members, rng, registered)
        for batch in _batches(_contacts(partnerships, members, contacts, rng, now.date(), registered)):
            conn.execute("BEGIN")
            conn.executemany(
                """
                INSERT INTO contacts (partnership_id, member_id, channel, contact_date, summary, participants,
                    created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                batch,
            )
            conn.execute("COMMIT")
    finally:
        conn.close()


def _committee_of(member_id: int, partnerships: int, members: int) -> int:
    """About five members to a committee, in member order."""
    return (member_id - 1) * partnerships // members + 1


def _members(conn: sqlite3.Connection, partnerships: int, members: int, rng: random.Random, at: str) -> None:
    conn.execute("BEGIN")
    conn.executemany(
        """
        INSERT INTO members (id, first_name, last_name, telegram_language, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
        [
            (mid, rng.choice(FIRST_NAMES), f"M{mid}", rng.choice(["en", "en", "ru"]), at, at)
            for mid in range(1, members + 1)
        ],
    )
    conn.executemany(
        """
        INSERT OR IGNORE INTO memberships (member_id, partnership_id, role, since)
        VALUES (?, ?, CASE WHEN ? % 5 = 0 THEN 'coordinator' ELSE 'member' END, ?)
        """,
        [(mid, _committee_of(mid, partnerships, members), mid, at) for mid in range(1, members + 1)],
    )
    conn.execute("COMMIT")


def _contacts(
    partnerships: int, members: int, contacts: int, rng: random.Random, today: date, at: str
) -> Iterator[tuple[object, ...]]:
    per_partnership = max(1, contacts // partnerships)
    per_committee = max(1, members // partnerships)
    for pid in range(1, partnerships + 1):
        days_ago = rng.uniform(0, 20)
        first_member = (pid - 1) * members // partnerships + 1
        for _ in range(per_partnership):
            member = first_member + rng.randrange(per_committee) if rng.random() < 0.9 else None
            participants = rng.randint(2, 40) if rng.random() < 0.5 else None
            day = (today - timedelta(days=int(days_ago))).isoformat()
            yield (pid, member, rng.choice(CHANNELS), day, rng.choice(SUMMARIES), participants, at)
            days_ago += rng.expovariate(1 / 25)


def _batches(rows: Iterator[tuple[object, ...]]) -> Iterator[list[tuple[object, ...]]]:
    batch: list[tuple[object, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
