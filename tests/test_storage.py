"""The database layer on real SQLite files: migrations, transactions and the partnership repository."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from storage.db import Database, DatabaseError, DatabaseTooNew
from storage.migrations import MIGRATIONS, Migration
from storage.partnerships import PartnershipRepository
from storage.records import (
    NewPartnership,
    PartnershipFields,
    Status,
    StatusUpdate,
)
from tests.factories import partnership_fields

_SCHEMA_OBJECT = re.compile(
    r"\b(CREATE|DROP)\s+(?:UNIQUE\s+)?(TABLE|INDEX)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(\w+)"
)


def objects_after(migrations: Sequence[Migration]) -> tuple[set[str], set[str]]:
    """The tables and indexes these migrations should leave, read from their statements."""
    tables: set[str] = set()
    indexes: set[str] = set()
    for migration in migrations:
        for statement in migration.statements:
            for verb, kind, name in _SCHEMA_OBJECT.findall(statement):
                target = tables if kind == "TABLE" else indexes
                if verb == "CREATE":
                    target.add(name)
                else:
                    target.discard(name)
    return tables, indexes


def roanoke_pskov(**changes: Any) -> PartnershipFields:
    """Roanoke – Pskov as the sample data has it, with any field replaced."""
    return partnership_fields(**changes)


DURHAM_KOSTROMA = partnership_fields(
    us_name="Durham",
    us_state="NC",
    partner_name="Kostroma",
    partner_region="Kostroma Oblast",
    established_year=1991,
    checkin_days=None,
)


def schema_objects(path: Path) -> tuple[int, set[str], set[str]]:
    """user_version, tables and indexes of a database file, read with the stdlib driver."""
    conn = sqlite3.connect(path)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        objects = conn.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchall()
    finally:
        conn.close()
    tables = {name for kind, name in objects if kind == "table"}
    indexes = {name for kind, name in objects if kind == "index"}
    return version, tables, indexes


def set_user_version(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute(f"PRAGMA user_version = {version}")
        conn.commit()
    finally:
        conn.close()


@pytest.fixture
def repo(db: Database) -> PartnershipRepository:
    return PartnershipRepository(db)


# --- migrations ---


async def test_stairway_applies_every_migration_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "stairway.db"
    for number in range(1, len(MIGRATIONS) + 1):
        # The code as it was when migration `number` was the newest.
        monkeypatch.setattr("storage.db.MIGRATIONS", MIGRATIONS[:number])
        database = await Database.open(path)
        try:
            assert await database.schema_version() == number
            if number == 1:
                # Data written by the first version must survive every later step.
                await PartnershipRepository(database).add(
                    roanoke_pskov(), status_since=date(2022, 3, 7), status_note="Kept", recorded_by="v1"
                )
        finally:
            await database.close()
        version, tables, indexes = schema_objects(path)
        assert version == number
        assert (tables, indexes) == objects_after(MIGRATIONS[:number]), MIGRATIONS[number - 1].description

    assert {"partnerships", "status_changes"} <= tables
    assert {"partnerships_pair", "status_changes_partnership"} <= indexes
    database = await Database.open(path)
    try:
        [kept] = await PartnershipRepository(database).list_all()
    finally:
        await database.close()
    assert (kept.title, kept.status_since, kept.status_note) == ("Roanoke – Pskov", date(2022, 3, 7), "Kept")


def test_every_migration_says_what_it_does() -> None:
    for migration in MIGRATIONS:
        assert migration.description.strip()
        assert migration.statements


async def test_new_database_gets_the_whole_schema(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "new.db")
    await database.close()

    assert schema_objects(tmp_path / "new.db") == (len(MIGRATIONS), *objects_after(MIGRATIONS))


async def test_database_from_newer_code_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    database = await Database.open(path)
    await database.close()
    newer = len(MIGRATIONS) + 1
    set_user_version(path, newer)

    for migrate in (True, False):
        with pytest.raises(DatabaseTooNew) as refused:
            await Database.open(path, migrate=migrate)
        message = str(refused.value)
        assert f"schema version {newer}" in message
        assert f"({len(MIGRATIONS)})" in message
        assert "upgrade sister-cities-bot" in message

    assert schema_objects(path)[0] == newer


async def test_reopening_an_up_to_date_database_applies_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "current.db"
    database = await Database.open(path)
    await PartnershipRepository(database).add(
        roanoke_pskov(), status_since=None, status_note="", recorded_by="test"
    )
    await database.close()

    caplog.set_level(logging.INFO, logger="storage.db")
    # Migration 1 creates its tables without IF NOT EXISTS: applying it again would fail, not pass silently.
    database = await Database.open(path)
    try:
        assert await database.schema_version() == len(MIGRATIONS)
        assert await PartnershipRepository(database).count() == 1
    finally:
        await database.close()
    assert not [record for record in caplog.records if "applying migration" in record.getMessage()]


async def test_missing_directory_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="does not exist"):
        await Database.open(tmp_path / "nowhere" / "registry.db")


# --- the partnership repository ---


async def test_add_then_get_and_find_pair_in_any_case(repo: PartnershipRepository) -> None:
    added = await repo.add(
        roanoke_pskov(),
        status_since=date(2022, 3, 7),
        status_note="City council voted to keep it",
        recorded_by="staff:1",
        source="council minutes",
    )

    assert await repo.get(added.id) == added
    assert added.title == "Roanoke – Pskov"
    assert added.fields() == roanoke_pskov()
    assert added.status_since == date(2022, 3, 7)
    assert added.status_note == "City council voted to keep it"
    assert await repo.find_pair("roanoke", "va", "PSKOV", "russia") == added
    assert await repo.find_pair("Roanoke", "VA", "Wonju", "South Korea") is None
    assert await repo.get(added.id + 1) is None
    assert await repo.count() == 1


async def test_the_same_pair_cannot_be_registered_twice(repo: PartnershipRepository) -> None:
    await repo.add(roanoke_pskov(), status_since=None, status_note="", recorded_by="test")

    with pytest.raises(sqlite3.IntegrityError):
        await repo.add(
            roanoke_pskov(us_name="ROANOKE", us_state="va", partner_name="pskov", partner_country="RUSSIA"),
            status_since=None,
            status_note="",
            recorded_by="test",
        )

    assert await repo.count() == 1
    # The same US member with another partner is another partnership.
    await repo.add(
        roanoke_pskov(partner_name="Wonju", partner_country="South Korea"),
        status_since=None,
        status_note="",
        recorded_by="test",
    )
    assert await repo.count() == 2


async def test_set_status_records_the_whole_story_in_order(repo: PartnershipRepository) -> None:
    partnership = await repo.add(
        roanoke_pskov(),
        status_since=date(2022, 3, 7),
        status_note="Kept",
        recorded_by="import",
        source="a.csv",
    )

    paused = await repo.set_status(
        partnership.id,
        Status.PAUSED,
        effective_date=date(2023, 1, 10),
        recorded_by="staff:7",
        reason="No reply for a year",
        decided_by="Roanoke committee",
        source="meeting of 2023-01-09",
    )
    await repo.set_status(
        partnership.id, Status.ACTIVE, effective_date=None, recorded_by="staff:8", reason="Letters again"
    )

    history = await repo.history(partnership.id)
    assert [(c.old_status, c.new_status) for c in history] == [
        (None, Status.ACTIVE),
        (Status.ACTIVE, Status.PAUSED),
        (Status.PAUSED, Status.ACTIVE),
    ]
    assert history[0].effective_date == date(2022, 3, 7)
    assert (history[0].reason, history[0].source, history[0].recorded_by) == ("Kept", "a.csv", "import")
    assert history[1] == paused
    assert paused.partnership_id == partnership.id
    assert paused.effective_date == date(2023, 1, 10)
    assert paused.reason == "No reply for a year"
    assert paused.decided_by == "Roanoke committee"
    assert paused.source == "meeting of 2023-01-09"
    assert paused.recorded_by == "staff:7"
    assert paused.recorded_at.tzinfo is not None
    assert history[2].effective_date is None
    assert history[2].recorded_by == "staff:8"

    current = await repo.get(partnership.id)
    assert current is not None
    assert current.status == Status.ACTIVE
    # status_since and status_note come from the latest change, even when it has no date.
    assert current.status_since is None
    assert current.status_note == "Letters again"


async def test_set_status_on_an_unknown_partnership_records_nothing(
    db: Database, repo: PartnershipRepository
) -> None:
    with pytest.raises(LookupError, match="no partnership with id 42"):
        await repo.set_status(42, Status.PAUSED, effective_date=None, recorded_by="staff:1")

    async with db.conn().execute("SELECT COUNT(*) FROM status_changes") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    assert row[0] == 0


async def test_update_details_leaves_status_and_history_alone(repo: PartnershipRepository) -> None:
    partnership = await repo.add(roanoke_pskov(), status_since=None, status_note="", recorded_by="test")

    await repo.update_details(
        partnership.id, roanoke_pskov(established_year=1992, checkin_days=90, status=Status.TERMINATED)
    )

    updated = await repo.get(partnership.id)
    assert updated is not None
    assert (updated.established_year, updated.checkin_days) == (1992, 90)
    assert updated.status == Status.ACTIVE
    assert len(await repo.history(partnership.id)) == 1
    assert updated.updated_at >= partnership.updated_at


async def test_batches_write_what_single_calls_write(repo: PartnershipRepository) -> None:
    existing = await repo.add(DURHAM_KOSTROMA, status_since=None, status_note="", recorded_by="test")
    ids = await repo.add_many(
        [
            NewPartnership(roanoke_pskov(), date(2022, 3, 7), "Kept"),
            NewPartnership(roanoke_pskov(partner_name="Wonju", partner_country="South Korea"), None, ""),
        ],
        recorded_by="import",
        source="b.csv",
    )

    assert ids == [existing.id + 1, existing.id + 2]
    pskov = await repo.get(ids[0])
    assert pskov is not None
    assert (pskov.partner_name, pskov.status_since, pskov.status_note) == ("Pskov", date(2022, 3, 7), "Kept")
    [first] = await repo.history(ids[1])
    assert (first.old_status, first.new_status, first.source) == (None, Status.ACTIVE, "b.csv")

    await repo.set_status_many(
        [
            StatusUpdate(ids[0], Status.SUSPENDED, date(2024, 2, 1), "Council vote"),
            StatusUpdate(ids[1], Status.PAUSED, None),
        ],
        recorded_by="import",
    )
    assert [(c.old_status, c.new_status) for c in await repo.history(ids[0])] == [
        (None, Status.ACTIVE),
        (Status.ACTIVE, Status.SUSPENDED),
    ]
    assert [p.status for p in await repo.list_all()] == [Status.ACTIVE, Status.SUSPENDED, Status.PAUSED]


async def test_a_status_batch_naming_an_unknown_partnership_changes_nothing(
    repo: PartnershipRepository,
) -> None:
    partnership = await repo.add(roanoke_pskov(), status_since=None, status_note="", recorded_by="test")

    with pytest.raises(LookupError, match="no partnership with id 99"):
        await repo.set_status_many(
            [StatusUpdate(partnership.id, Status.PAUSED, None), StatusUpdate(99, Status.PAUSED, None)],
            recorded_by="import",
        )
    with pytest.raises(ValueError, match="twice"):
        await repo.set_status_many(
            [
                StatusUpdate(partnership.id, Status.PAUSED, None),
                StatusUpdate(partnership.id, Status.ACTIVE, None),
            ],
            recorded_by="import",
        )

    assert (await repo.get(partnership.id)) == partnership
    assert len(await repo.history(partnership.id)) == 1


# --- transactions ---


async def test_an_exception_rolls_the_whole_transaction_back(
    db: Database, repo: PartnershipRepository
) -> None:
    added_ids: list[int] = []

    async def add_then_fail() -> None:
        async with db.transaction():
            added = await repo.add(roanoke_pskov(), status_since=None, status_note="", recorded_by="test")
            added_ids.append(added.id)
            await repo.set_status(added.id, Status.PAUSED, effective_date=None, recorded_by="test")
            raise RuntimeError("operator pulled the plug")

    with pytest.raises(RuntimeError, match="operator pulled the plug"):
        await add_then_fail()

    assert await repo.count() == 0
    assert await repo.list_all() == []
    assert await repo.history(added_ids[0]) == []
    # The database is usable afterwards: the rollback ended the transaction.
    await repo.add(roanoke_pskov(), status_since=None, status_note="", recorded_by="test")
    assert await repo.count() == 1


async def test_nested_transactions_join_the_outer_one(db: Database, repo: PartnershipRepository) -> None:
    async with db.transaction() as outer:
        # add() opens its own transaction; inside ours it must join it, not commit on its own.
        await repo.add(roanoke_pskov(), status_since=None, status_note="", recorded_by="test")
        async with db.transaction() as inner:
            assert inner is outer
            await repo.add(DURHAM_KOSTROMA, status_since=None, status_note="", recorded_by="test")
        # This task reads through the writer and sees its own work...
        assert await repo.count() == 2
        # ...while any other task reads the last committed state: nothing yet.
        assert await asyncio.create_task(repo.count()) == 0

    assert await asyncio.create_task(repo.count()) == 2

    async def add_inside_then_fail_outside() -> None:
        async with db.transaction():
            async with db.transaction():
                await repo.add(
                    roanoke_pskov(partner_name="Wonju", partner_country="South Korea"),
                    status_since=None,
                    status_note="",
                    recorded_by="test",
                )
            raise RuntimeError("fails after the inner block finished")

    with pytest.raises(RuntimeError, match="after the inner block"):
        await add_inside_then_fail_outside()
    assert await repo.count() == 2


_HOLD_THE_WRITE_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()  # until the test closes our standard input
conn.execute("ROLLBACK")
"""


async def test_a_transaction_refused_by_a_locked_database_leaves_no_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before the fix, the refused BEGIN left this task marked as the owner of the writer: its next
    # "transaction" joined one that did not exist, so its writes committed one by one and never rolled back.
    monkeypatch.setattr("storage.db.BUSY_TIMEOUT_MS", 100)
    path = tmp_path / "locked.db"
    db = await Database.open(path)
    repo = PartnershipRepository(db)
    try:
        holder = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _HOLD_THE_WRITE_LOCK,
            str(path),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert holder.stdout is not None
        assert holder.stdin is not None
        assert await asyncio.wait_for(holder.stdout.readline(), timeout=30) == b"locked\n"
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            async with db.transaction():
                pass
        holder.stdin.close()
        assert await asyncio.wait_for(holder.wait(), timeout=30) == 0

        async def add_then_fail() -> None:
            async with db.transaction():
                await repo.add(roanoke_pskov(), status_since=None, status_note="", recorded_by="test")
                raise RuntimeError("fails after the write")

        with pytest.raises(RuntimeError, match="after the write"):
            await add_then_fail()
        assert await repo.count() == 0
        # This task reads through the reader again, and another writer is not left waiting on it.
        assert db.conn() is not await asyncio.create_task(_writer_of(db))
        await repo.add(roanoke_pskov(), status_since=None, status_note="", recorded_by="test")
    finally:
        await db.close()
    check = sqlite3.connect(path)
    try:
        assert check.execute("SELECT COUNT(*) FROM partnerships").fetchone() == (1,)
    finally:
        check.close()


async def _writer_of(db: Database) -> object:
    async with db.transaction() as conn:
        return conn


async def test_list_all_is_ordered_by_us_member_then_partner(repo: PartnershipRepository) -> None:
    for fields in (
        roanoke_pskov(partner_name="Wonju", partner_country="South Korea"),
        DURHAM_KOSTROMA,
        roanoke_pskov(),
    ):
        await repo.add(fields, status_since=None, status_note="", recorded_by="test")

    assert [p.title for p in await repo.list_all()] == [
        "Durham – Kostroma",
        "Roanoke – Pskov",
        "Roanoke – Wonju",
    ]
