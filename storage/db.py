"""The SQLite database: one writer connection, one reader, explicit transactions, migrations."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from storage.migrations import MIGRATIONS

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


class DatabaseError(Exception):
    """A database problem worth one clear line to the operator."""


class DatabaseTooNew(DatabaseError):
    """The database was written by a newer version of the bot."""


async def _connect(path: Path) -> aiosqlite.Connection:
    # isolation_level=None: sqlite3 must not open transactions behind our back; we BEGIN explicitly.
    try:
        conn = await aiosqlite.connect(path, isolation_level=None)
    except sqlite3.Error as error:
        raise DatabaseError(f"database {path}: cannot be opened ({error})") from None
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.Error as error:
        # Close the connection's thread, or the process never exits.
        await conn.close()
        raise DatabaseError(f"database {path}: not a usable SQLite database ({error})") from None
    except BaseException:
        await conn.close()
        raise
    return conn


class Database:
    """The bot's database: writes go through one connection in explicit transactions; reads use another.

    WAL lets the reader see the last committed state while a write transaction is open, so a reply to a
    member never waits for (or sees half of) a long import or broadcast write.
    """

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.path = path
        self._writer = writer
        self._reader = reader
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._depth = 0

    @classmethod
    async def open(cls, path: str | Path, *, migrate: bool = True, create: bool = True) -> Database:
        """Open (creating it if `create`) the database at `path` and bring its schema up to date."""
        path = Path(path)
        if path.parent and not path.parent.exists():
            raise DatabaseError(f"database directory {path.parent} does not exist")
        if not create and not path.exists():
            raise DatabaseError(
                f"database {path} does not exist; check [database] path, or import partnerships first"
            )
        writer = await _connect(path)
        try:
            if migrate:
                await apply_migrations(writer)
            else:
                await check_version(writer)
            reader = await _connect(path)
        except sqlite3.Error as error:
            await writer.close()
            raise DatabaseError(f"database {path}: {error}") from None
        except BaseException:
            await writer.close()
            raise
        return cls(path, writer, reader)

    async def close(self) -> None:
        """Close both connections."""
        await self._reader.close()
        await self._writer.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction (BEGIN IMMEDIATE); nested use in the same task joins the outer one.

        The task owns the writer from before BEGIN until after COMMIT or ROLLBACK, whatever fails on the
        way: a BEGIN refused ("database is locked") must not leave this task marked as the owner, or its
        later writes would join a transaction that does not exist and run with no lock and no rollback.
        """
        task = asyncio.current_task()
        if self._owner is not None and self._owner is task:
            self._depth += 1
            try:
                yield self._writer
            finally:
                self._depth -= 1
            return
        async with self._lock:
            self._owner = task
            self._depth = 1
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
                try:
                    yield self._writer
                    await self._writer.execute("COMMIT")
                except BaseException:
                    await self._roll_back()
                    raise
            finally:
                self._owner = None
                self._depth = 0

    async def _roll_back(self) -> None:
        """Undo the open transaction, if SQLite has not already ended it (a failed COMMIT may have)."""
        if not self._writer.in_transaction:
            return
        try:
            await self._writer.execute("ROLLBACK")
        except sqlite3.Error as error:
            # The error that brought us here is the one to raise; this one is only logged.
            log.error("rollback failed: %s", error)

    def conn(self) -> aiosqlite.Connection:
        """The connection a query should use: the writer inside this task's transaction, else the reader."""
        if self._owner is not None and self._owner is asyncio.current_task():
            return self._writer
        return self._reader

    async def fetch_all(
        self, query: str, params: Iterable[object] | Mapping[str, object] = ()
    ) -> list[sqlite3.Row]:
        """Every row of one query, in a single trip to the database thread (a cursor takes three)."""
        return list(await self.conn().execute_fetchall(query, params))

    async def fetch_one(
        self, query: str, params: Iterable[object] | Mapping[str, object] = ()
    ) -> sqlite3.Row | None:
        """The row of a query that finds at most one (by key), in a single trip to the database thread."""
        rows = await self.fetch_all(query, params)
        return rows[0] if rows else None

    async def schema_version(self) -> int:
        """The schema version recorded in the database."""
        return await _user_version(self._reader)


async def _user_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def check_version(conn: aiosqlite.Connection) -> int:
    """Refuse a database written by newer code; return its version."""
    version = await _user_version(conn)
    latest = len(MIGRATIONS)
    if version > latest:
        raise DatabaseTooNew(
            f"the database has schema version {version}, newer than this bot knows ({latest}); "
            "upgrade sister-cities-bot instead of running an older one on it"
        )
    return version


async def apply_migrations(conn: aiosqlite.Connection) -> int:
    """Apply every migration the database lacks, each in its own transaction; return the new version."""
    version = await check_version(conn)
    for number, migration in enumerate(MIGRATIONS, start=1):
        if number <= version:
            continue
        log.info("applying migration %s: %s", number, migration.description)
        await conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in migration.statements:
                await conn.execute(statement)
            # user_version lives in the database header and is written in the same transaction.
            await conn.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")
        version = number
    return version
