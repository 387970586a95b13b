"""The audit log: every staff and admin action, who did it, when, and the values before and after."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from storage.db import Database
from storage.partnerships import utc_now

Values = Mapping[str, Any]


class AuditAction(StrEnum):
    """What was done; the names are stable, they are stored and exported."""

    JOIN_APPROVED = "join_approved"
    JOIN_DECLINED = "join_declined"
    STAFF_PROMOTED = "staff_promoted"
    STAFF_DEMOTED = "staff_demoted"
    COORDINATOR_MADE = "coordinator_made"
    COORDINATOR_UNMADE = "coordinator_unmade"
    MEMBER_REMOVED = "member_removed"
    STATUS_CHANGED = "status_changed"
    PARTNERSHIP_ADDED = "partnership_added"
    PARTNERSHIP_EDITED = "partnership_edited"
    REGISTRY_IMPORTED = "registry_imported"
    BROADCAST_SENT = "broadcast_sent"
    CONTACT_DELETED = "contact_deleted"
    DATA_EXPORTED = "data_exported"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts or is acted upon, as named at the time."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class NewAuditEntry:
    """An action to record."""

    actor: Actor
    action: AuditAction
    partnership_id: int | None = None
    subject: Actor | None = None
    before: Values = field(default_factory=dict)
    after: Values = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded action; actor_id and subject_id are None once that person used /forgetme."""

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: AuditAction
    partnership_id: int | None
    subject_id: int | None
    subject_name: str
    before: dict[str, Any]
    after: dict[str, Any]


def _entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=datetime.fromisoformat(row["at"]),
        actor_id=row["actor_id"],
        actor_name=row["actor_name"],
        action=AuditAction(row["action"]),
        partnership_id=row["partnership_id"],
        subject_id=row["subject_id"],
        subject_name=row["subject_name"],
        before=json.loads(row["old_values"]),
        after=json.loads(row["new_values"]),
    )


def _json(values: Values) -> str:
    return json.dumps(dict(values), ensure_ascii=False, sort_keys=True, default=str)


class AuditRepository:
    """Appends to the audit log and reads it back, newest first."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, entry: NewAuditEntry) -> int:
        """Record one action (in the caller's transaction, if there is one); its id."""
        subject = entry.subject
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                """
                INSERT INTO audit_log (at, actor_id, actor_name, action, partnership_id, subject_id,
                    subject_name, old_values, new_values)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                (
                    utc_now().isoformat(),
                    entry.actor.id,
                    entry.actor.name,
                    entry.action.value,
                    entry.partnership_id,
                    subject.id if subject else None,
                    subject.name if subject else "",
                    _json(entry.before),
                    _json(entry.after),
                ),
            )
            return cursor.lastrowid or 0

    async def latest(self, *, offset: int = 0, limit: int = 10) -> list[AuditEntry]:
        """A page of the log, newest first."""
        query = "SELECT * FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?"
        async with self._db.conn().execute(query, (limit, offset)) as cursor:
            return [_entry(row) for row in await cursor.fetchall()]

    async def count(self) -> int:
        """How many entries the log holds."""
        async with self._db.conn().execute("SELECT COUNT(*) FROM audit_log") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def every(self) -> AsyncIterator[AuditEntry]:
        """The whole log, oldest first, for export."""
        async with self._db.conn().execute("SELECT * FROM audit_log ORDER BY id") as cursor:
            async for row in cursor:
                yield _entry(row)


class StaffDrafts:
    """What a staff member has filled in so far in one multi-step task, by kind, as JSON."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def put(self, member_id: int, kind: str, payload: Values) -> None:
        """Store (replacing) the draft of this kind."""
        async with self._db.transaction() as conn:
            await conn.execute(
                """
                INSERT INTO staff_drafts (member_id, kind, payload, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (member_id, kind) DO UPDATE SET payload = excluded.payload,
                    updated_at = excluded.updated_at
                """,
                (member_id, kind, _json(payload), utc_now().isoformat()),
            )

    async def get(self, member_id: int, kind: str) -> dict[str, Any] | None:
        """The draft of this kind, if any."""
        query = "SELECT payload FROM staff_drafts WHERE member_id = ? AND kind = ?"
        async with self._db.conn().execute(query, (member_id, kind)) as cursor:
            row = await cursor.fetchone()
        return dict(json.loads(row[0])) if row else None

    async def take(self, member_id: int, kind: str) -> dict[str, Any] | None:
        """The draft of this kind, removed: a second Apply finds nothing."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM staff_drafts WHERE member_id = ? AND kind = ? RETURNING payload",
                (member_id, kind),
            )
            # Every row read before COMMIT: a RETURNING statement still stepping would block it.
            rows = list(await cursor.fetchall())
        row = rows[0] if rows else None
        return dict(json.loads(row[0])) if row else None

    async def drop(self, member_id: int, kind: str) -> None:
        """Forget the draft of this kind."""
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM staff_drafts WHERE member_id = ? AND kind = ?", (member_id, kind))
