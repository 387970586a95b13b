"""Members (people who use the bot), their committees and their requests to join one."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from storage.conversations import PERSON_KEY
from storage.db import Database
from storage.partnerships import utc_now


class Role(StrEnum):
    """A person's role on one partnership's committee."""

    MEMBER = "member"
    COORDINATOR = "coordinator"


class RequestState(StrEnum):
    """Where a join request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class Member:
    """A person known to the bot, keyed by their Telegram user id."""

    id: int
    first_name: str
    last_name: str
    username: str | None
    telegram_language: str | None
    language: str | None
    timezone: str | None
    is_staff: bool
    active: bool
    created_at: datetime
    updated_at: datetime

    @property
    def display_name(self) -> str:
        """The name people see: first and last name."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def preferred_language(self) -> str | None:
        """The language to write to them in: their own choice, else their Telegram app's."""
        return self.language or self.telegram_language


@dataclass(frozen=True, slots=True)
class Membership:
    """A member's seat on one partnership's committee."""

    member_id: int
    partnership_id: int
    role: Role
    since: datetime


@dataclass(frozen=True, slots=True)
class JoinRequest:
    """A person's request to join a partnership's committee."""

    id: int
    member_id: int
    partnership_id: int
    state: RequestState
    created_at: datetime
    decided_at: datetime | None
    decided_by: int | None


@dataclass(frozen=True, slots=True)
class RequestNotice:
    """A message that showed a join request to one approver, with Approve / Decline buttons."""

    request_id: int
    chat_id: int
    message_id: int


def _member(row: sqlite3.Row) -> Member:
    return Member(
        id=row["id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        username=row["username"],
        telegram_language=row["telegram_language"],
        language=row["language"],
        timezone=row["timezone"],
        is_staff=bool(row["is_staff"]),
        active=bool(row["active"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def _membership(row: sqlite3.Row) -> Membership:
    return Membership(
        member_id=row["member_id"],
        partnership_id=row["partnership_id"],
        role=Role(row["role"]),
        since=datetime.fromisoformat(row["since"]),
    )


def _join_request(row: sqlite3.Row) -> JoinRequest:
    return JoinRequest(
        id=row["id"],
        member_id=row["member_id"],
        partnership_id=row["partnership_id"],
        state=RequestState(row["state"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        decided_at=datetime.fromisoformat(row["decided_at"]) if row["decided_at"] else None,
        decided_by=row["decided_by"],
    )


class MemberRepository:
    """Reads and writes members, memberships and join requests."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, member_id: int) -> Member | None:
        """The member with this Telegram user id, if known."""
        # Read for every update (the person's language), so in one trip to the database thread.
        row = await self._db.fetch_one("SELECT * FROM members WHERE id = ?", (member_id,))
        return _member(row) if row else None

    async def find_by_username(self, username: str) -> Member | None:
        """The member with this @username (case-insensitive), if known."""
        query = "SELECT * FROM members WHERE username = ? COLLATE NOCASE"
        async with self._db.conn().execute(query, (username.lstrip("@"),)) as cursor:
            row = await cursor.fetchone()
        return _member(row) if row else None

    async def upsert(
        self,
        member_id: int,
        *,
        first_name: str,
        last_name: str,
        username: str | None,
        telegram_language: str | None,
    ) -> Member:
        """Record (or refresh) what Telegram says about a person; their choices and role are kept."""
        now = utc_now().isoformat()
        async with self._db.transaction() as conn:
            await conn.execute(
                """
                INSERT INTO members (id, first_name, last_name, username, telegram_language,
                    created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name,
                    last_name = excluded.last_name, username = excluded.username,
                    telegram_language = excluded.telegram_language, updated_at = excluded.updated_at
                WHERE (first_name, last_name, username, telegram_language) IS NOT
                    (excluded.first_name, excluded.last_name, excluded.username, excluded.telegram_language)
                """,
                (member_id, first_name, last_name, username, telegram_language, now, now),
            )
            member = await self.get(member_id)
        assert member is not None  # noqa: S101 - written in this transaction
        return member

    async def set_language(self, member_id: int, language: str | None) -> None:
        """Remember the language a member chose (None: follow Telegram's)."""
        await self._set(member_id, "language", language)

    async def set_timezone(self, member_id: int, timezone: str | None) -> None:
        """Remember a member's IANA timezone."""
        await self._set(member_id, "timezone", timezone)

    async def set_staff(self, member_id: int, is_staff: bool) -> None:
        """Make a member staff, or take it away."""
        await self._set(member_id, "is_staff", int(is_staff))

    async def set_active(self, member_id: int, active: bool) -> None:
        """Mark a member unreachable (they blocked the bot) or reachable again."""
        await self._set(member_id, "active", int(active))

    async def _set(self, member_id: int, column: str, value: str | int | None) -> None:
        # column is one of our own names above, never user input.
        async with self._db.transaction() as conn:
            await conn.execute(
                f"UPDATE members SET {column} = ?, updated_at = ? WHERE id = ?",  # noqa: S608
                (value, utc_now().isoformat(), member_id),
            )

    async def staff(self) -> list[Member]:
        """Every staff member."""
        async with self._db.conn().execute("SELECT * FROM members WHERE is_staff = 1 ORDER BY id") as cursor:
            return [_member(row) for row in await cursor.fetchall()]

    async def memberships_of(self, member_id: int) -> list[Membership]:
        """The committees a member sits on."""
        query = "SELECT * FROM memberships WHERE member_id = ? ORDER BY partnership_id"
        return [_membership(row) for row in await self._db.fetch_all(query, (member_id,))]

    async def membership(self, member_id: int, partnership_id: int) -> Membership | None:
        """A member's seat on one committee, if they have one."""
        query = "SELECT * FROM memberships WHERE member_id = ? AND partnership_id = ?"
        async with self._db.conn().execute(query, (member_id, partnership_id)) as cursor:
            row = await cursor.fetchone()
        return _membership(row) if row else None

    async def committee(self, partnership_id: int, role: Role | None = None) -> list[Member]:
        """The members of a partnership's committee (optionally only those with one role)."""
        query = """
            SELECT m.* FROM members AS m JOIN memberships AS s ON s.member_id = m.id
            WHERE s.partnership_id = ? AND (? IS NULL OR s.role = ?) ORDER BY m.id
        """
        value = role.value if role else None
        async with self._db.conn().execute(query, (partnership_id, value, value)) as cursor:
            return [_member(row) for row in await cursor.fetchall()]

    async def add_membership(self, member_id: int, partnership_id: int, role: Role) -> None:
        """Seat a member on a committee, or change their role there."""
        async with self._db.transaction() as conn:
            await conn.execute(
                """
                INSERT INTO memberships (member_id, partnership_id, role, since) VALUES (?, ?, ?, ?)
                ON CONFLICT (member_id, partnership_id) DO UPDATE SET role = excluded.role
                """,
                (member_id, partnership_id, role.value, utc_now().isoformat()),
            )

    async def remove_membership(self, member_id: int, partnership_id: int) -> bool:
        """Take a member off a committee; False if they were not on it."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM memberships WHERE member_id = ? AND partnership_id = ?",
                (member_id, partnership_id),
            )
            return cursor.rowcount > 0

    async def open_request(self, member_id: int, partnership_id: int) -> tuple[JoinRequest, bool]:
        """File a join request, or return the one already pending; True when it is new."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT * FROM join_requests"
                " WHERE member_id = ? AND partnership_id = ? AND state = 'pending'",
                (member_id, partnership_id),
            ) as cursor:
                row = await cursor.fetchone()
            if row:
                return _join_request(row), False
            cursor = await conn.execute(
                "INSERT INTO join_requests (member_id, partnership_id, created_at) VALUES (?, ?, ?)",
                (member_id, partnership_id, utc_now().isoformat()),
            )
            request_id = cursor.lastrowid
        request = await self.join_request(request_id or 0)
        assert request is not None  # noqa: S101 - just inserted
        return request, True

    async def join_request(self, request_id: int) -> JoinRequest | None:
        """A join request by id."""
        async with self._db.conn().execute(
            "SELECT * FROM join_requests WHERE id = ?", (request_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return _join_request(row) if row else None

    async def decide_request(self, request_id: int, *, approve: bool, decided_by: int) -> JoinRequest | None:
        """Approve (seating the member) or decline a pending request; None if it was no longer pending."""
        now = utc_now().isoformat()
        state = RequestState.APPROVED if approve else RequestState.DECLINED
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                """
                UPDATE join_requests SET state = ?, decided_at = ?, decided_by = ?
                WHERE id = ? AND state = 'pending'
                """,
                (state.value, now, decided_by, request_id),
            )
            if cursor.rowcount == 0:
                return None
            request = await self.join_request(request_id)
            assert request is not None  # noqa: S101 - updated just now
            if approve:
                await conn.execute(
                    """
                    INSERT INTO memberships (member_id, partnership_id, role, since)
                    VALUES (?, ?, 'member', ?)
                    ON CONFLICT (member_id, partnership_id) DO NOTHING
                    """,
                    (request.member_id, request.partnership_id, now),
                )
        return request

    async def pending_requests(self, member_id: int) -> list[JoinRequest]:
        """A member's requests still waiting for a decision."""
        query = "SELECT * FROM join_requests WHERE member_id = ? AND state = 'pending' ORDER BY id"
        async with self._db.conn().execute(query, (member_id,)) as cursor:
            return [_join_request(row) for row in await cursor.fetchall()]

    async def requests_of(self, member_id: int) -> list[JoinRequest]:
        """Every join request a member filed, decided or not, oldest first."""
        query = "SELECT * FROM join_requests WHERE member_id = ? ORDER BY id"
        async with self._db.conn().execute(query, (member_id,)) as cursor:
            return [_join_request(row) for row in await cursor.fetchall()]

    async def add_notice(self, request_id: int, chat_id: int, message_id: int) -> None:
        """Remember the message that showed a join request to one approver."""
        async with self._db.transaction() as conn:
            await conn.execute(
                """
                INSERT INTO join_request_notices (request_id, chat_id, message_id) VALUES (?, ?, ?)
                ON CONFLICT (request_id, chat_id) DO UPDATE SET message_id = excluded.message_id
                """,
                (request_id, chat_id, message_id),
            )

    async def notices(self, request_id: int) -> list[RequestNotice]:
        """Every approver's copy of a join request."""
        query = "SELECT * FROM join_request_notices WHERE request_id = ? ORDER BY chat_id"
        async with self._db.conn().execute(query, (request_id,)) as cursor:
            return [
                RequestNotice(row["request_id"], row["chat_id"], row["message_id"])
                for row in await cursor.fetchall()
            ]

    async def forget(self, member_id: int) -> bool:
        """Erase a member and everything personal about them; False if there was nothing to erase.

        Deleting the member row takes their memberships and join requests with it (ON DELETE CASCADE);
        requests they decided keep the decision but no longer name them (ON DELETE SET NULL), and so can
        any later record that refers to a member: the contacts they logged stay, by "a former member".
        Rows keyed by their user id without a foreign key are deleted here.
        """
        async with self._db.transaction() as conn:
            # The copies of other people's requests that were shown in this person's chat.
            await conn.execute("DELETE FROM join_request_notices WHERE chat_id = ?", (member_id,))
            # Where they stood in conversations (and what those states carry).
            await conn.execute(f"DELETE FROM conversations WHERE {PERSON_KEY}", {"person": member_id})  # noqa: S608
            cursor = await conn.execute("DELETE FROM members WHERE id = ?", (member_id,))
            return cursor.rowcount > 0
