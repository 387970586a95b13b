"""The contact log: contacts with partner cities, and the drafts of contacts being logged."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from storage.db import Database
from storage.partnerships import utc_now

SUMMARY_LIMIT = 1000  # characters; a contact is a note, not a report
MAX_PARTICIPANTS = 100_000
REPLY_WINDOW_DAYS = 60  # a letter sent this long ago with no letter received since awaits a reply (_AWAITING)
EARLIEST_YEAR = 1950  # anything older is a typing mistake, not a contact
RECENT_DAYS = 90  # "contacts in the last 90 days" on the status card


class Channel(StrEnum):
    """How the committee was in touch with the partner city."""

    ZOOM = "zoom"  # Zoom or any other video call
    LETTER_SENT = "letter_sent"
    LETTER_RECEIVED = "letter_received"
    EMAIL = "email"
    PHONE = "phone"
    IN_PERSON = "in_person"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ContactFields:
    """What a member says about one contact."""

    partnership_id: int
    channel: Channel
    contact_date: date
    summary: str
    participants: int | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    """One logged contact with the partner city."""

    id: int
    partnership_id: int
    member_id: int | None  # None: the author erased their data (/forgetme)
    channel: Channel
    contact_date: date
    summary: str
    participants: int | None
    created_at: datetime
    edited_at: datetime | None
    author_name: str | None = None  # filled in by the history query only


@dataclass(frozen=True, slots=True)
class ContactSummary:
    """What the log says about a partnership at a glance: for the status card and reports."""

    last: Contact | None
    recent_count: int  # contacts dated in the last RECENT_DAYS days
    awaiting_reply: Contact | None  # a letter sent that has not been answered


@dataclass(frozen=True, slots=True)
class ContactDraft:
    """A contact being logged (or edited) by one member, kept across restarts until saved or cancelled."""

    member_id: int
    token: str  # names this draft in button data, so buttons of an earlier draft are recognised as stale
    contact_id: int | None  # the contact being edited; None for a new one
    partnership_id: int | None
    channel: Channel | None
    contact_date: date | None
    summary: str | None
    participants: int | None
    reviewing: bool  # the confirmation card has been shown: after a change, show it again

    def complete(self) -> ContactFields | None:
        """The contact to save, once every required field is filled in."""
        if self.partnership_id is None or self.channel is None or self.contact_date is None:
            return None
        if not self.summary:
            return None
        return ContactFields(
            self.partnership_id, self.channel, self.contact_date, self.summary, self.participants
        )


class InvalidContact(ValueError):
    """A contact that must not be stored: the reason is for the developer, the UI checks first."""


def validate(fields: ContactFields, *, today: date) -> None:
    """Refuse what the table's constraints would refuse, and dates that cannot be true."""
    summary = fields.summary.strip()
    if not summary or len(summary) > SUMMARY_LIMIT:
        raise InvalidContact(f"a summary must have 1 to {SUMMARY_LIMIT} characters")
    if "\x00" in summary:
        raise InvalidContact("a summary must not contain NUL, where SQLite would end the text")
    if fields.participants is not None and not 1 <= fields.participants <= MAX_PARTICIPANTS:
        raise InvalidContact(f"participants must be between 1 and {MAX_PARTICIPANTS}")
    if not date(EARLIEST_YEAR, 1, 1) <= fields.contact_date <= today:
        raise InvalidContact(f"a contact date must be between {EARLIEST_YEAR} and today")


def _contact(row: sqlite3.Row) -> Contact:
    keys = row.keys()
    return Contact(
        id=row["id"],
        partnership_id=row["partnership_id"],
        member_id=row["member_id"],
        channel=Channel(row["channel"]),
        contact_date=date.fromisoformat(row["contact_date"]),
        summary=row["summary"],
        participants=row["participants"],
        created_at=datetime.fromisoformat(row["created_at"]),
        edited_at=datetime.fromisoformat(row["edited_at"]) if row["edited_at"] else None,
        author_name=row["author_name"] if "author_name" in keys else None,
    )


def _draft(row: sqlite3.Row) -> ContactDraft:
    return ContactDraft(
        member_id=row["member_id"],
        token=row["token"],
        contact_id=row["contact_id"],
        partnership_id=row["partnership_id"],
        channel=Channel(row["channel"]) if row["channel"] else None,
        contact_date=date.fromisoformat(row["contact_date"]) if row["contact_date"] else None,
        summary=row["summary"],
        participants=row["participants"],
        reviewing=bool(row["reviewing"]),
    )


_DRAFT_FIELDS = frozenset(
    {"partnership_id", "channel", "contact_date", "summary", "participants", "reviewing"}
)


def _draft_value(value: object) -> str | int | None:
    if value is None or isinstance(value, str | int):
        return value.value if isinstance(value, StrEnum) else value
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a draft")


def _ids(partnership_ids: Iterable[int]) -> str:
    # One JSON parameter instead of a "?, ?, …" list: any number of ids, one statement to prepare.
    return json.dumps(sorted(set(partnership_ids)))


_AUTHOR = """
    SELECT c.*, TRIM(m.first_name || ' ' || m.last_name) AS author_name
    FROM contacts AS c LEFT JOIN members AS m ON m.id = c.member_id
"""
# For each partnership in :ids, its latest letter sent, if REPLY_WINDOW_DAYS have passed since it without a
# letter received dated on or after its day. Each lookup walks the (partnership, date) index back.
_AWAITING = """
    WITH latest AS (
        SELECT (
            SELECT id FROM contacts
            WHERE partnership_id = ids.value AND channel = 'letter_sent' AND contact_date <= :today
            ORDER BY contact_date DESC, id DESC LIMIT 1
        ) AS sent_id
        FROM json_each(:ids) AS ids
    )
    SELECT s.* FROM latest JOIN contacts AS s ON s.id = latest.sent_id
    WHERE s.contact_date <= date(:today, :window)
    AND NOT EXISTS (
        SELECT 1 FROM contacts AS r
        WHERE r.partnership_id = s.partnership_id AND r.channel = 'letter_received'
            AND r.contact_date >= s.contact_date AND r.contact_date <= :today
    )
"""


class ContactRepository:
    """Reads and writes the contact log and the drafts of contacts being logged."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- the log ---

    async def add(self, member_id: int | None, fields: ContactFields, *, today: date) -> Contact:
        """Log a contact; InvalidContact if it could not be true."""
        validate(fields, today=today)
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                """
                INSERT INTO contacts (partnership_id, member_id, channel, contact_date, summary,
                    participants, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                (
                    fields.partnership_id,
                    member_id,
                    fields.channel.value,
                    fields.contact_date.isoformat(),
                    fields.summary.strip(),
                    fields.participants,
                    utc_now().isoformat(),
                ),
            )
            contact = await self.get(cursor.lastrowid or 0)
        assert contact is not None  # noqa: S101 - inserted in this transaction
        return contact

    async def add_many(self, entries: Iterable[tuple[int | None, ContactFields]], *, today: date) -> int:
        """Log many contacts in one transaction (imports, benchmarks); return how many."""
        now = utc_now().isoformat()
        rows = []
        for member_id, fields in entries:
            validate(fields, today=today)
            rows.append(
                (
                    fields.partnership_id,
                    member_id,
                    fields.channel.value,
                    fields.contact_date.isoformat(),
                    fields.summary.strip(),
                    fields.participants,
                    now,
                )
            )
        async with self._db.transaction() as conn:
            await conn.executemany(
                """
                INSERT INTO contacts (partnership_id, member_id, channel, contact_date, summary,
                    participants, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                rows,
            )
        return len(rows)

    async def update(self, contact_id: int, fields: ContactFields, *, today: date) -> Contact | None:
        """Correct a contact (its partnership stays); None if it no longer exists."""
        validate(fields, today=today)
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                """
                UPDATE contacts SET channel = ?, contact_date = ?, summary = ?, participants = ?,
                    edited_at = ?
                WHERE id = ?
                """,
                (
                    fields.channel.value,
                    fields.contact_date.isoformat(),
                    fields.summary.strip(),
                    fields.participants,
                    utc_now().isoformat(),
                    contact_id,
                ),
            )
            if cursor.rowcount == 0:
                return None
            return await self.get(contact_id)

    async def delete(self, contact_id: int) -> bool:
        """Delete a contact; False if it was already gone."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
            return cursor.rowcount > 0

    async def get(self, contact_id: int) -> Contact | None:
        """One contact, with its author's name."""
        async with self._db.conn().execute(f"{_AUTHOR} WHERE c.id = ?", (contact_id,)) as cursor:
            row = await cursor.fetchone()
        return _contact(row) if row else None

    async def history(self, partnership_id: int, *, offset: int = 0, limit: int = 5) -> list[Contact]:
        """A partnership's contacts, newest first, a page at a time, with their authors' names."""
        query = f"""
            {_AUTHOR} WHERE c.partnership_id = ?
            ORDER BY c.contact_date DESC, c.id DESC LIMIT ? OFFSET ?
        """
        async with self._db.conn().execute(query, (partnership_id, limit, offset)) as cursor:
            return [_contact(row) for row in await cursor.fetchall()]

    async def logged_by(self, member_id: int) -> list[Contact]:
        """Every contact a member logged, oldest first (for /mydata)."""
        query = "SELECT * FROM contacts WHERE member_id = ? ORDER BY contact_date, id"
        async with self._db.conn().execute(query, (member_id,)) as cursor:
            return [_contact(row) for row in await cursor.fetchall()]

    async def count(self, partnership_id: int) -> int:
        """How many contacts a partnership has logged."""
        return await self.contacts_since(partnership_id, date.min)

    async def last_contact(self, partnership_id: int) -> Contact | None:
        """The partnership's latest contact (by its date; the later logged of a day)."""
        query = "SELECT * FROM contacts WHERE partnership_id = ? ORDER BY contact_date DESC, id DESC LIMIT 1"
        async with self._db.conn().execute(query, (partnership_id,)) as cursor:
            row = await cursor.fetchone()
        return _contact(row) if row else None

    async def last_contacts(self, partnership_ids: Iterable[int]) -> dict[int, Contact]:
        """The latest contact of each partnership that has one, by partnership id."""
        query = """
            SELECT c.* FROM json_each(?) AS p
            JOIN contacts AS c ON c.id = (
                SELECT id FROM contacts WHERE partnership_id = p.value
                ORDER BY contact_date DESC, id DESC LIMIT 1
            )
        """
        rows = await self._db.fetch_all(query, (_ids(partnership_ids),))
        return {row["partnership_id"]: _contact(row) for row in rows}

    async def contacts_since(self, partnership_id: int, since: date) -> int:
        """How many contacts a partnership logged dated on or after `since`."""
        query = "SELECT COUNT(*) FROM contacts WHERE partnership_id = ? AND contact_date >= ?"
        async with self._db.conn().execute(query, (partnership_id, since.isoformat())) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def counts_since(self, partnership_ids: Iterable[int], since: date) -> dict[int, int]:
        """contacts_since for many partnerships; those with none are left out."""
        query = """
            SELECT c.partnership_id, COUNT(*) FROM json_each(?) AS p
            JOIN contacts AS c ON c.partnership_id = p.value AND c.contact_date >= ?
            GROUP BY c.partnership_id
        """
        params = (_ids(partnership_ids), since.isoformat())
        return {int(row[0]): int(row[1]) for row in await self._db.fetch_all(query, params)}

    async def awaiting_reply(self, partnership_id: int, today: date) -> Contact | None:
        """The letter sent that has waited REPLY_WINDOW_DAYS for a reply, if any.

        Only the latest letter sent counts; mail is slow, so it is flagged only once REPLY_WINDOW_DAYS have
        passed with no letter received dated on or after its day, and a reply logged later clears it.
        """
        return (await self.awaiting_replies([partnership_id], today)).get(partnership_id)

    async def awaiting_replies(self, partnership_ids: Iterable[int], today: date) -> dict[int, Contact]:
        """awaiting_reply for many partnerships in one query; those awaiting none are left out."""
        params = {
            "ids": _ids(partnership_ids),
            "today": today.isoformat(),
            "window": f"-{REPLY_WINDOW_DAYS} days",
        }
        rows = await self._db.fetch_all(_AWAITING, params)
        return {row["partnership_id"]: _contact(row) for row in rows}

    async def summary_of(self, partnership_ids: Iterable[int], today: date) -> dict[int, ContactSummary]:
        """Everything the status card derives from the log, for many partnerships at once."""
        ids = sorted(set(partnership_ids))
        last = await self.last_contacts(ids)
        recent = await self.counts_since(ids, today - timedelta(days=RECENT_DAYS))
        awaiting = await self.awaiting_replies(ids, today)
        return {pid: ContactSummary(last.get(pid), recent.get(pid, 0), awaiting.get(pid)) for pid in ids}

    # --- drafts ---

    async def draft(self, member_id: int) -> ContactDraft | None:
        """The member's draft, if they are logging a contact."""
        query = "SELECT * FROM contact_drafts WHERE member_id = ?"
        async with self._db.conn().execute(query, (member_id,)) as cursor:
            row = await cursor.fetchone()
        return _draft(row) if row else None

    async def start_draft(
        self,
        member_id: int,
        token: str,
        *,
        contact: Contact | None = None,
        partnership_id: int | None = None,
        channel: Channel | None = None,
        contact_date: date | None = None,
        summary: str | None = None,
    ) -> ContactDraft:
        """Begin a new draft (replacing any earlier one): empty, partly filled, or a copy of a contact."""
        if contact is not None:
            partnership_id, channel = contact.partnership_id, contact.channel
            contact_date, summary = contact.contact_date, contact.summary
        values = (
            member_id,
            token,
            contact.id if contact else None,
            partnership_id,
            channel.value if channel else None,
            contact_date.isoformat() if contact_date else None,
            summary,
            contact.participants if contact else None,
            int(contact is not None),
            utc_now().isoformat(),
        )
        async with self._db.transaction() as conn:
            await conn.execute(
                """
                INSERT OR REPLACE INTO contact_drafts (member_id, token, contact_id, partnership_id, channel,
                    contact_date, summary, participants, reviewing, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                values,
            )
            draft = await self.draft(member_id)
        assert draft is not None  # noqa: S101 - written in this transaction
        return draft

    async def update_draft(self, member_id: int, **changes: object) -> ContactDraft | None:
        """Fill in fields of a member's draft; None if they have none (cancelled, or saved meanwhile)."""
        unknown = set(changes) - _DRAFT_FIELDS
        if unknown:
            raise TypeError(f"not a draft field: {', '.join(sorted(unknown))}")
        values = {name: _draft_value(value) for name, value in changes.items()}
        # Column names come from _DRAFT_FIELDS above, never from the caller's data.
        assignments = ", ".join(f"{name} = :{name}" for name in values)
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE contact_drafts SET {assignments}, updated_at = :now WHERE member_id = :member",  # noqa: S608
                {**values, "now": utc_now().isoformat(), "member": member_id},
            )
            if cursor.rowcount == 0:
                return None
            return await self.draft(member_id)

    async def drop_draft(self, member_id: int) -> None:
        """Forget a member's draft (saved or cancelled)."""
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM contact_drafts WHERE member_id = ?", (member_id,))
