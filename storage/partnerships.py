"""The partnership registry: partnerships and the history of their status."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime

import aiosqlite

from storage.db import Database
from storage.records import (
    NewPartnership,
    PartnerKind,
    Partnership,
    PartnershipFields,
    PartnershipNames,
    RegistryChanges,
    Status,
    StatusChange,
    StatusUpdate,
    UsKind,
)

# Each partnership's latest status change, found by one search of the history's covering index per row.
# (For the whole registry, a GROUP BY over that index joined back is no faster: 20,000 rows take about
# 350 ms either way, nearly all of it building the records, so list_all stays off every hot path.)
_SELECT = """
    SELECT p.*, sc.effective_date AS status_since, COALESCE(sc.reason, '') AS status_note
    FROM partnerships AS p
    LEFT JOIN status_changes AS sc ON sc.id = (
        SELECT MAX(id) FROM status_changes WHERE partnership_id = p.id
    )
"""
_NAMES = "SELECT id, us_name, us_state, partner_name, partner_region, partner_country FROM partnerships"
# SQLite allows 32,766 parameters in a statement; far fewer keep each statement quick.
_IDS_AT_ONCE = 500


# Both statements list the descriptive columns in the order _details() gives their values.
_INSERT_PARTNERSHIP = """
    INSERT INTO partnerships (id, us_name, us_state, us_kind, partner_name, partner_region, partner_country,
        partner_kind, established_year, checkin_days, status, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_UPDATE_DETAILS = """
    UPDATE partnerships SET us_name = ?, us_state = ?, us_kind = ?, partner_name = ?, partner_region = ?,
        partner_country = ?, partner_kind = ?, established_year = ?, checkin_days = ?, updated_at = ?
    WHERE id = ?
"""
_INSERT_FIRST_CHANGE = """
    INSERT INTO status_changes (partnership_id, old_status, new_status, effective_date, reason, source,
        recorded_by, recorded_at)
    VALUES (?, NULL, ?, ?, ?, ?, ?, ?)
"""
_INSERT_CHANGE_FROM_CURRENT = """
    INSERT INTO status_changes (partnership_id, old_status, new_status, effective_date, decided_by, reason,
        source, recorded_by, recorded_at)
    SELECT id, status, ?, ?, ?, ?, ?, ?, ? FROM partnerships WHERE id = ?
"""


def utc_now() -> datetime:
    """The current time in UTC, as everything is stored."""
    return datetime.now(UTC)


def _details(fields: PartnershipFields) -> tuple[str | int | None, ...]:
    return (
        fields.us_name,
        fields.us_state,
        fields.us_kind.value,
        fields.partner_name,
        fields.partner_region,
        fields.partner_country,
        fields.partner_kind.value,
        fields.established_year,
        fields.checkin_days,
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _partnership(row: sqlite3.Row) -> Partnership:
    return Partnership(
        id=row["id"],
        us_name=row["us_name"],
        us_state=row["us_state"],
        us_kind=UsKind(row["us_kind"]),
        partner_name=row["partner_name"],
        partner_region=row["partner_region"],
        partner_country=row["partner_country"],
        partner_kind=PartnerKind(row["partner_kind"]),
        established_year=row["established_year"],
        status=Status(row["status"]),
        checkin_days=row["checkin_days"],
        status_since=_date(row["status_since"]),
        status_note=row["status_note"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def _names(row: sqlite3.Row) -> PartnershipNames:
    return PartnershipNames(
        id=row["id"],
        us_name=row["us_name"],
        us_state=row["us_state"],
        partner_name=row["partner_name"],
        partner_region=row["partner_region"],
        partner_country=row["partner_country"],
    )


def _status_change(row: sqlite3.Row) -> StatusChange:
    return StatusChange(
        id=row["id"],
        partnership_id=row["partnership_id"],
        old_status=Status(row["old_status"]) if row["old_status"] else None,
        new_status=Status(row["new_status"]),
        effective_date=_date(row["effective_date"]),
        decided_by=row["decided_by"],
        reason=row["reason"],
        source=row["source"],
        recorded_by=row["recorded_by"],
        recorded_at=datetime.fromisoformat(row["recorded_at"]),
    )


class PartnershipRepository:
    """Reads and writes partnerships and their status history."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, partnership_id: int) -> Partnership | None:
        """The partnership with this id, if any."""
        row = await self._db.fetch_one(f"{_SELECT} WHERE p.id = ?", (partnership_id,))
        return _partnership(row) if row else None

    async def find_pair(
        self, us_name: str, us_state: str, partner_name: str, partner_country: str
    ) -> Partnership | None:
        """The partnership between these two places (case-insensitive), if registered."""
        query = (
            f"{_SELECT} WHERE p.us_name = ? COLLATE NOCASE AND p.us_state = ? COLLATE NOCASE"
            " AND p.partner_name = ? COLLATE NOCASE AND p.partner_country = ? COLLATE NOCASE"
        )
        params = (us_name, us_state, partner_name, partner_country)
        async with self._db.conn().execute(query, params) as cursor:
            row = await cursor.fetchone()
        return _partnership(row) if row else None

    async def get_many(self, partnership_ids: Sequence[int]) -> list[Partnership]:
        """The partnerships with these ids, in that order; ids no longer registered are left out."""
        found: dict[int, Partnership] = {}
        ids = list(dict.fromkeys(partnership_ids))
        for start in range(0, len(ids), _IDS_AT_ONCE):
            chunk = ids[start : start + _IDS_AT_ONCE]
            query = f"{_SELECT} WHERE p.id IN ({', '.join('?' * len(chunk))})"
            found.update((row["id"], _partnership(row)) for row in await self._db.fetch_all(query, chunk))
        return [found[pid] for pid in ids if pid in found]

    async def list_all(self) -> list[Partnership]:
        """Every partnership, ordered by US member then partner (for reports and export, not questions)."""
        query = f"{_SELECT} ORDER BY p.us_name, p.us_state, p.partner_name, p.partner_country"
        async with self._db.conn().execute(query) as cursor:
            return [_partnership(row) for row in await cursor.fetchall()]

    async def names(self) -> tuple[int, list[PartnershipNames]]:
        """The registry's version and what every partnership is found by, for the place index."""
        version = await self.registry_version()
        return version, [_names(row) for row in await self._db.fetch_all(_NAMES)]

    async def registry_version(self) -> int:
        """A number that grows whenever a partnership is added, renamed or removed, by any process."""
        row = await self._db.fetch_one("SELECT version FROM registry_version WHERE id = 1")
        return int(row[0]) if row else 0

    async def changes_since(self, version: int) -> RegistryChanges:
        """The partnerships added, renamed or removed after `version`, with the version they bring."""
        current = await self.registry_version()
        query = """
            SELECT c.partnership_id, p.id, p.us_name, p.us_state, p.partner_name, p.partner_region,
                p.partner_country
            FROM registry_changes AS c LEFT JOIN partnerships AS p ON p.id = c.partnership_id
            WHERE c.version > ?
        """
        rows = await self._db.fetch_all(query, (version,))
        return RegistryChanges(
            version=current,
            changed=[_names(row) for row in rows if row["id"] is not None],
            removed=[row["partnership_id"] for row in rows if row["id"] is None],
        )

    async def count(self) -> int:
        """How many partnerships are registered."""
        async with self._db.conn().execute("SELECT COUNT(*) FROM partnerships") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def add(
        self,
        fields: PartnershipFields,
        *,
        status_since: date | None,
        status_note: str,
        recorded_by: str,
        source: str = "",
    ) -> Partnership:
        """Register a partnership; its initial status is the first entry of its history."""
        async with self._db.transaction():
            [partnership_id] = await self.add_many(
                [NewPartnership(fields, status_since, status_note)], recorded_by=recorded_by, source=source
            )
            created = await self.get(partnership_id)
        assert created is not None  # noqa: S101 - just inserted in this transaction
        return created

    async def add_many(
        self, partnerships: Sequence[NewPartnership], *, recorded_by: str, source: str = ""
    ) -> list[int]:
        """Register many partnerships in one transaction, as add() does one; return their ids in order."""
        now = utc_now().isoformat()
        async with self._db.transaction() as conn:
            async with conn.execute("SELECT COALESCE(MAX(id), 0) FROM partnerships") as cursor:
                row = await cursor.fetchone()
            # The ids SQLite would choose (max + 1 onwards), picked here so that the history rows can name
            # them without a query per row; the write transaction keeps any other writer off them.
            first = int(row[0]) + 1 if row else 1
            ids = list(range(first, first + len(partnerships)))
            await conn.executemany(
                _INSERT_PARTNERSHIP,
                [
                    (pid, *_details(new.fields), new.fields.status.value, now, now)
                    for pid, new in zip(ids, partnerships, strict=True)
                ],
            )
            await conn.executemany(
                _INSERT_FIRST_CHANGE,
                [
                    (
                        pid,
                        new.fields.status.value,
                        _iso(new.status_since),
                        new.status_note,
                        source,
                        recorded_by,
                        now,
                    )
                    for pid, new in zip(ids, partnerships, strict=True)
                ],
            )
        return ids

    async def update_details(self, partnership_id: int, fields: PartnershipFields) -> None:
        """Change the descriptive fields other than the status (which goes through set_status)."""
        await self.update_details_many([(partnership_id, fields)])

    async def update_details_many(self, changes: Sequence[tuple[int, PartnershipFields]]) -> None:
        """Change the descriptive fields of many partnerships (by id) in one transaction; never the status."""
        now = utc_now().isoformat()
        async with self._db.transaction() as conn:
            await conn.executemany(
                _UPDATE_DETAILS,
                [(*_details(fields), now, partnership_id) for partnership_id, fields in changes],
            )

    async def set_status(
        self,
        partnership_id: int,
        new_status: Status,
        *,
        effective_date: date | None,
        recorded_by: str,
        reason: str = "",
        decided_by: str = "",
        source: str = "",
    ) -> StatusChange:
        """Set a partnership's status and record the change in its history, in one transaction."""
        update = StatusUpdate(
            partnership_id, new_status, effective_date, reason=reason, decided_by=decided_by
        )
        async with self._db.transaction() as conn:
            await self.set_status_many([update], recorded_by=recorded_by, source=source)
            query = "SELECT * FROM status_changes WHERE partnership_id = ? ORDER BY id DESC LIMIT 1"
            async with conn.execute(query, (partnership_id,)) as cursor:
                change = await cursor.fetchone()
        assert change is not None  # noqa: S101 - just inserted in this transaction
        return _status_change(change)

    async def set_status_many(
        self, updates: Sequence[StatusUpdate], *, recorded_by: str, source: str = ""
    ) -> None:
        """Set the status of many partnerships (each at most once) with their history, in one transaction."""
        if len({u.partnership_id for u in updates}) != len(updates):
            # Every history row takes its old status before any is updated, so a second update would lie.
            raise ValueError("a partnership appears twice in one batch of status updates")
        now = utc_now().isoformat()
        async with self._db.transaction() as conn:
            # The history row reads the old status from the partnership, before the UPDATE below replaces it.
            cursor = await conn.executemany(
                _INSERT_CHANGE_FROM_CURRENT,
                [
                    (
                        u.new_status.value,
                        _iso(u.effective_date),
                        u.decided_by,
                        u.reason,
                        source,
                        recorded_by,
                        now,
                        u.partnership_id,
                    )
                    for u in updates
                ],
            )
            if cursor.rowcount != len(updates):
                # Raising rolls the whole transaction back, history rows included.
                missing = [u.partnership_id for u in updates if await self._missing(conn, u.partnership_id)]
                raise LookupError(f"no partnership with id {', '.join(map(str, missing))}")
            await conn.executemany(
                "UPDATE partnerships SET status = ?, updated_at = ? WHERE id = ?",
                [(u.new_status.value, now, u.partnership_id) for u in updates],
            )

    async def history(self, partnership_id: int) -> list[StatusChange]:
        """Every status change of a partnership, oldest first."""
        query = "SELECT * FROM status_changes WHERE partnership_id = ? ORDER BY id"
        async with self._db.conn().execute(query, (partnership_id,)) as cursor:
            return [_status_change(row) for row in await cursor.fetchall()]

    @staticmethod
    async def _missing(conn: aiosqlite.Connection, partnership_id: int) -> bool:
        async with conn.execute("SELECT 1 FROM partnerships WHERE id = ?", (partnership_id,)) as cursor:
            return await cursor.fetchone() is None
