"""The partnership registry: partnerships and the history of their status."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

import aiosqlite

from storage.db import Database
from storage.records import (
    PartnerKind,
    Partnership,
    PartnershipFields,
    Status,
    StatusChange,
    UsKind,
)

_SELECT = """
    SELECT p.*, sc.effective_date AS status_since, COALESCE(sc.reason, '') AS status_note
    FROM partnerships AS p
    LEFT JOIN status_changes AS sc ON sc.id = (
        SELECT MAX(id) FROM status_changes WHERE partnership_id = p.id
    )
"""


def utc_now() -> datetime:
    """The current time in UTC, as everything is stored."""
    return datetime.now(UTC)


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
        async with self._db.conn().execute(f"{_SELECT} WHERE p.id = ?", (partnership_id,)) as cursor:
            row = await cursor.fetchone()
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

    async def list_all(self) -> list[Partnership]:
        """Every partnership, ordered by US member then partner."""
        query = f"{_SELECT} ORDER BY p.us_name, p.us_state, p.partner_name, p.partner_country"
        async with self._db.conn().execute(query) as cursor:
            return [_partnership(row) for row in await cursor.fetchall()]

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
        now = utc_now().isoformat()
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                """
                INSERT INTO partnerships (us_name, us_state, us_kind, partner_name, partner_region,
                    partner_country, partner_kind, established_year, status, checkin_days,
                    created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                (
                    fields.us_name,
                    fields.us_state,
                    fields.us_kind.value,
                    fields.partner_name,
                    fields.partner_region,
                    fields.partner_country,
                    fields.partner_kind.value,
                    fields.established_year,
                    fields.status.value,
                    fields.checkin_days,
                    now,
                    now,
                ),
            )
            partnership_id = cursor.lastrowid
            assert partnership_id is not None  # noqa: S101 - sqlite always sets it after an INSERT
            await self._record_change(
                conn,
                partnership_id,
                old_status=None,
                new_status=fields.status,
                effective_date=status_since,
                reason=status_note,
                source=source,
                recorded_by=recorded_by,
                recorded_at=now,
            )
            created = await self.get(partnership_id)
        assert created is not None  # noqa: S101 - just inserted in this transaction
        return created

    async def update_details(self, partnership_id: int, fields: PartnershipFields) -> None:
        """Change the descriptive fields other than the status (which goes through set_status)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                """
                UPDATE partnerships SET us_name = ?, us_state = ?, us_kind = ?, partner_name = ?,
                    partner_region = ?, partner_country = ?, partner_kind = ?, established_year = ?,
                    checkin_days = ?, updated_at = ?
                WHERE id = ?
                """,
                (
                    fields.us_name,
                    fields.us_state,
                    fields.us_kind.value,
                    fields.partner_name,
                    fields.partner_region,
                    fields.partner_country,
                    fields.partner_kind.value,
                    fields.established_year,
                    fields.checkin_days,
                    utc_now().isoformat(),
                    partnership_id,
                ),
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
        now = utc_now().isoformat()
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT status FROM partnerships WHERE id = ?", (partnership_id,)
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                raise LookupError(f"no partnership with id {partnership_id}")
            await conn.execute(
                "UPDATE partnerships SET status = ?, updated_at = ? WHERE id = ?",
                (new_status.value, now, partnership_id),
            )
            change_id = await self._record_change(
                conn,
                partnership_id,
                old_status=Status(row["status"]),
                new_status=new_status,
                effective_date=effective_date,
                reason=reason,
                decided_by=decided_by,
                source=source,
                recorded_by=recorded_by,
                recorded_at=now,
            )
            async with conn.execute("SELECT * FROM status_changes WHERE id = ?", (change_id,)) as cursor:
                change = await cursor.fetchone()
        assert change is not None  # noqa: S101 - just inserted in this transaction
        return _status_change(change)

    async def history(self, partnership_id: int) -> list[StatusChange]:
        """Every status change of a partnership, oldest first."""
        query = "SELECT * FROM status_changes WHERE partnership_id = ? ORDER BY id"
        async with self._db.conn().execute(query, (partnership_id,)) as cursor:
            return [_status_change(row) for row in await cursor.fetchall()]

    async def _record_change(
        self,
        conn: aiosqlite.Connection,
        partnership_id: int,
        *,
        old_status: Status | None,
        new_status: Status,
        effective_date: date | None,
        reason: str,
        source: str,
        recorded_by: str,
        recorded_at: str,
        decided_by: str = "",
    ) -> int:
        cursor = await conn.execute(
            """
            INSERT INTO status_changes (partnership_id, old_status, new_status, effective_date,
                decided_by, reason, source, recorded_by, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (
                partnership_id,
                old_status.value if old_status else None,
                new_status.value,
                effective_date.isoformat() if effective_date else None,
                decided_by,
                reason,
                source,
                recorded_by,
                recorded_at,
            ),
        )
        change_id = cursor.lastrowid
        assert change_id is not None  # noqa: S101 - sqlite always sets it after an INSERT
        return change_id
