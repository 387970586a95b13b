"""Check-ins: when a partnership falls due, the reminders each member is owed, and who answered.

The database is the source of truth for what is due. Each partnership's due date is stored (checkin_due)
and recomputed only when its contacts, status or period change. A tick (bot/reminders/service.py) asks this
repository to refresh the cycles (the changed partnerships, and once a day a range scan of due dates), to
claim the reminders owed in the timezones where it is reminder time, and then sends what it claimed; each
step is bounded, and what a bound leaves is done by the next sweep. Claiming writes UNIQUE rows (a reminder
per member and local day; a send per partnership, member, due date and round) and commits them before
anything is sent, so a restart, two ticks at once or a repeated daylight-saving hour cannot send twice."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

import aiosqlite

from storage.contacts import Channel, ContactFields, ContactRepository
from storage.db import Database
from storage.partnerships import utc_now

FOLLOW_UP_DAYS = 7  # from one reminder to the next, and from the second to "at risk"
OPEN_STATES = ("pending", "first_sent", "second_sent", "at_risk")


class CheckInState(StrEnum):
    """Where a partnership's check-in stands."""

    PENDING = "pending"  # due (or snoozed): the first reminder goes out on next_on
    FIRST_SENT = "first_sent"
    SECOND_SENT = "second_sent"
    AT_RISK = "at_risk"  # two reminders unanswered: on the staff's digest and /atrisk
    SETTLED = "settled"  # a contact was logged (or the status no longer asks for check-ins)


class Answer(StrEnum):
    """How a committee answered a check-in."""

    CONTACT = "contact"  # someone logged a contact
    SNOOZE = "snooze"
    IN_TOUCH = "in_touch"  # "we are in touch": recorded as a contact of channel "other"


class ReminderState(StrEnum):
    """Where one reminder message stands."""

    PENDING = "pending"  # claimed, not yet sent (or waiting out a 429)
    SENDING = "sending"  # handed to Telegram; a crash here leaves it "unknown", never sent twice
    SENT = "sent"
    BLOCKED = "blocked"  # the member blocked the bot
    FAILED = "failed"
    UNKNOWN = "unknown"  # the request may or may not have reached the member
    DROPPED = "dropped"  # everything it was about was answered before it could be sent


@dataclass(frozen=True, slots=True)
class CheckIn:
    """One time a partnership fell due, from its due date until a contact or an answer settles it."""

    id: int
    partnership_id: int
    quiet_since: date  # the last contact, or the day the partnership was registered
    due_date: date
    state: CheckInState
    round: int  # reminder rounds started so far
    next_on: date
    snoozed_until: date | None
    at_risk_since: datetime | None
    answered_by: int | None
    answer: Answer | None
    answered_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.state is not CheckInState.SETTLED


@dataclass(frozen=True, slots=True)
class ReminderItem:
    """One partnership in a reminder message, as the member was told about it."""

    cycle: CheckIn
    title: str
    partner_name: str
    quiet_days: int
    second: bool  # the second (last) reminder of its round


@dataclass(frozen=True, slots=True)
class Reminder:
    """A reminder message to one member: one or more partnerships, sent at most once."""

    id: int
    member_id: int
    local_day: date
    state: ReminderState
    chat_message_id: int | None
    items: tuple[ReminderItem, ...]


@dataclass(frozen=True, slots=True)
class AtRisk:
    """A partnership whose committee did not answer two reminders."""

    cycle: CheckIn
    title: str


@dataclass(frozen=True, slots=True)
class Refreshed:
    """What a refresh changed."""

    opened: int
    settled: list[CheckIn] = field(default_factory=list)  # settled by a contact (or a status change)
    at_risk: int = 0
    claimable: bool = True  # some open cycle may owe someone a reminder
    touched: frozenset[int] = frozenset()  # partnerships whose cycle opened or whose people changed
    more: bool = False  # a batch was full: more changed partnerships or due cycles wait for the next refresh


@dataclass(frozen=True, slots=True)
class Claimed:
    """What a claim wrote, and what it left for the next one."""

    reminders: int
    owed: frozenset[int] = frozenset()  # members still owed a reminder: a batch had no room for them
    started: frozenset[int] = frozenset()  # partnerships whose next round began with this claim
    looked_up_to: int | None = None  # the fresh zones' page ended at this cycle id (None: at the last)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _check_in(row: sqlite3.Row) -> CheckIn:
    return CheckIn(
        id=row["id"],
        partnership_id=row["partnership_id"],
        quiet_since=date.fromisoformat(row["quiet_since"]),
        due_date=date.fromisoformat(row["due_date"]),
        state=CheckInState(row["state"]),
        round=row["round"],
        next_on=date.fromisoformat(row["next_on"]),
        snoozed_until=_day(row["snoozed_until"]),
        at_risk_since=_moment(row["at_risk_since"]),
        answered_by=row["answered_by"],
        answer=Answer(row["answer"]) if row["answer"] else None,
        answered_at=_moment(row["answered_at"]),
    )


# Each partnership's quiet spell, for those that changed: the day it went quiet is its latest contact (found
# by walking the (partnership, date) index back one step) or, without any, the day it was registered.
_RECOMPUTE_DUE = """
    INSERT INTO checkin_due (partnership_id, quiet_since, due_date, default_days)
    SELECT partnership_id, quiet_since, date(quiet_since, '+' || COALESCE(own, :days) || ' days'),
        CASE WHEN own IS NULL THEN :days END
    FROM (
        SELECT p.id AS partnership_id, p.checkin_days AS own,
            MAX(substr(p.created_at, 1, 10), COALESCE((
                SELECT contact_date FROM contacts WHERE partnership_id = p.id
                ORDER BY contact_date DESC, id DESC LIMIT 1
            ), '')) AS quiet_since
        FROM partnerships AS p WHERE p.id IN (SELECT value FROM json_each(:ids))
        -- LIMIT -1 keeps the subquery from being flattened, which would look the contact up twice.
        LIMIT -1
    )
    WHERE true
    ON CONFLICT (partnership_id) DO UPDATE SET quiet_since = excluded.quiet_since,
        due_date = excluded.due_date, default_days = excluded.default_days
"""

# Open cycles of the changed partnerships that no longer match: a newer contact moved the due date, the
# check-in period changed, or the status no longer asks for check-ins.
_STALE = """
    SELECT c.id, c.quiet_since, p.status, d.quiet_since AS now_quiet_since, (
        SELECT member_id FROM contacts WHERE partnership_id = c.partnership_id
        ORDER BY contact_date DESC, id DESC LIMIT 1
    ) AS contact_author
    FROM checkin_cycles AS c
    JOIN partnerships AS p ON p.id = c.partnership_id
    JOIN checkin_due AS d ON d.partnership_id = c.partnership_id
    WHERE c.state != 'settled' AND c.partnership_id IN (SELECT value FROM json_each(:ids)) AND (
        p.status NOT IN ('active', 'paused') OR d.due_date != c.due_date
    )
"""

# Partnerships due by :horizon without an open cycle get one, the longest overdue first; one settled earlier
# for the same due date (a contact deleted, a status restored) is reopened, its rounds counting on so no
# send key repeats. The scope is every partnership (a range scan of due dates) or the changed ones.
_OPEN = """
    INSERT INTO checkin_cycles (partnership_id, quiet_since, due_date, next_on, created_at)
    SELECT d.partnership_id, d.quiet_since, d.due_date, d.due_date, :now
    FROM checkin_due AS d JOIN partnerships AS p ON p.id = d.partnership_id
    WHERE d.due_date <= :horizon AND p.status IN ('active', 'paused') AND {scope} AND NOT EXISTS (
        SELECT 1 FROM checkin_cycles AS c WHERE c.partnership_id = d.partnership_id AND c.state != 'settled'
    )
    ORDER BY d.due_date, d.partnership_id
    LIMIT :limit
    ON CONFLICT (partnership_id, due_date) DO UPDATE SET state = 'pending', next_on = excluded.next_on,
        snoozed_until = NULL, at_risk_since = NULL, answered_by = NULL, answer = NULL, answered_at = NULL,
        settled_at = NULL
    RETURNING partnership_id
"""

# Every (open cycle, committee member) pair that may be owed a reminder now: the member is active, it is
# reminder time in their timezone (tick_zones), they have had no reminder on their local day and have not
# paused reminders; and either a new round is due on their local day or they lack the current round.
_CANDIDATES = """
    SELECT c.id, c.partnership_id, c.due_date, c.quiet_since, c.state, c.round, c.next_on, s.member_id,
        z.local_day
    FROM {source}
    CROSS JOIN members AS m ON m.id = s.member_id
    CROSS JOIN tick_zones AS z ON z.tz = COALESCE(m.timezone, :default_tz)
    WHERE c.state != 'settled' AND c.state IN ('pending', 'first_sent', 'second_sent') AND {scope}
        AND m.active = 1
        AND (
            (c.state != 'second_sent' AND c.next_on <= z.local_day)
            OR (c.state != 'pending' AND c.round > COALESCE((
                SELECT MAX(r.round) FROM reminder_sends AS r
                WHERE r.partnership_id = c.partnership_id AND r.member_id = s.member_id
                    AND r.due_date = c.due_date
            ), 0))
        )
        AND NOT EXISTS (SELECT 1 FROM reminders AS d WHERE d.member_id = m.id AND d.local_day = z.local_day)
        AND NOT EXISTS (
            SELECT 1 FROM reminder_pauses AS pause
            WHERE pause.member_id = m.id AND pause.paused_until > z.local_day
        )
    ORDER BY c.id, s.member_id
"""
# Where a zone has just reached its reminder moment, every open cycle is looked at; elsewhere, only the
# partnerships something happened to since the last tick (a cycle opened, a seat, a pause, a timezone).
_TOUCHED = "c.partnership_id IN (SELECT value FROM json_each(:touched))"
# CROSS JOIN fixes the order: from the open cycles to their committees, never the other way...
_BY_CYCLE = "checkin_cycles AS c CROSS JOIN memberships AS s ON s.partnership_id = c.partnership_id"
_CANDIDATES_FRESH = _CANDIDATES.format(
    source=_BY_CYCLE, scope=f"((z.fresh AND c.id > z.after AND c.id <= :upto) OR {_TOUCHED})"
)
_NO_END = 2**62  # a page that runs to the last cycle
_CANDIDATES_TOUCHED = _CANDIDATES.format(source=_BY_CYCLE, scope=_TOUCHED)
# ...except for the members a batch left owed: from each of them to their seats' open cycles.
_CANDIDATES_OWED = _CANDIDATES.format(
    source="""json_each(:owed) AS o
    CROSS JOIN memberships AS s ON s.member_id = o.value
    CROSS JOIN checkin_cycles AS c ON c.partnership_id = s.partnership_id AND c.state != 'settled'""",
    scope="1",
)


_ITEMS = """
    SELECT c.*, rs.reminder_id, rs.second, rs.quiet_days, p.us_name, p.partner_name
    FROM reminder_sends AS rs
    JOIN checkin_cycles AS c ON c.id = rs.cycle_id
    JOIN partnerships AS p ON p.id = rs.partnership_id
"""


def _item(row: sqlite3.Row) -> ReminderItem:
    return ReminderItem(
        cycle=_check_in(row),
        title=f"{row['us_name']} – {row['partner_name']}",
        partner_name=row["partner_name"],
        quiet_days=row["quiet_days"],
        second=bool(row["second"]),
    )


@dataclass(slots=True)
class _Round:
    """A cycle as the claim sees it, advanced in memory as members are given its rounds."""

    state: CheckInState
    round: int
    next_on: date
    started: bool = False


class CheckInRepository:
    """Reads and writes check-in cycles, the reminders they owe, members' pauses and staff digests."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- what is due ---

    async def refresh(
        self,
        now: datetime,
        *,
        today: date,
        horizon: date,
        default_days: int,
        full: bool = True,
        batch: int | None = None,
    ) -> Refreshed:
        """Settle cycles a contact or status change ended, open cycles newly due, mark the unanswered at risk.

        `horizon` is the latest local day anywhere (a cycle opens when its due date has begun somewhere;
        each member is still reminded on their own day); `today` is the network's day, for "at risk".
        Due dates are recomputed for the partnerships whose contacts, status or period changed since the
        last refresh (checkin_dirty, kept by triggers); `full` also opens cycles for every partnership the
        calendar alone made due (needed when the horizon moved). At most `batch` changed partnerships are
        recomputed and `batch` cycles opened; `more` says the rest waits for the next refresh.
        """
        limit = -1 if batch is None else batch
        async with self._db.transaction() as conn:
            if full:
                # A new network-wide period (the config changed) moves the due date of those that follow it.
                await conn.execute(
                    "INSERT OR IGNORE INTO checkin_dirty (partnership_id) SELECT partnership_id"
                    " FROM checkin_due WHERE default_days IS NOT NULL AND default_days != ?",
                    (default_days,),
                )
            query = "SELECT partnership_id FROM checkin_dirty ORDER BY partnership_id LIMIT ?"
            async with conn.execute(query, (-1 if batch is None else batch + 1,)) as cursor:
                dirty = [row[0] for row in await cursor.fetchall()]
            more_dirty = batch is not None and len(dirty) > batch
            dirty = dirty[:batch] if batch is not None else dirty
            ids = _json_ids(dirty)
            params = {"days": default_days, "ids": ids}
            await conn.execute(_RECOMPUTE_DUE, params)
            settled = await self._settle_stale(conn, now, ids)
            scope = "1" if full else "d.partnership_id IN (SELECT value FROM json_each(:ids))"
            params = {"now": now.isoformat(), "horizon": horizon.isoformat(), "ids": ids, "limit": limit}
            async with conn.execute(_OPEN.format(scope=scope), params) as cursor:
                opened = {row[0] for row in await cursor.fetchall()}
            await conn.execute(
                "DELETE FROM checkin_dirty WHERE partnership_id IN (SELECT value FROM json_each(?))", (ids,)
            )
            cursor = await conn.execute(
                """
                UPDATE checkin_cycles SET state = 'at_risk', at_risk_since = ?
                WHERE state = 'second_sent' AND next_on <= ?
                """,
                (now.isoformat(), today.isoformat()),
            )
            at_risk = cursor.rowcount
            query = """
                SELECT EXISTS (
                    SELECT 1 FROM checkin_cycles WHERE state IN ('pending', 'first_sent', 'second_sent')
                )
            """
            async with conn.execute(query) as cursor:
                found = await cursor.fetchone()
        claimable = bool(found and found[0])
        return Refreshed(
            opened=len(opened),
            settled=settled,
            at_risk=at_risk,
            claimable=claimable,
            touched=frozenset(opened) | frozenset(dirty),
            more=more_dirty or (batch is not None and len(opened) >= batch),
        )

    async def _settle_stale(self, conn: aiosqlite.Connection, now: datetime, ids: str) -> list[CheckIn]:
        # Only a change makes a cycle stale (a contact, a status, a period): the changed ones, even when full.
        async with conn.execute(_STALE, {"ids": ids}) as cursor:
            stale = await cursor.fetchall()
        if not stale:
            return []
        # A contact newer than the quiet spell answered the check-in: its author is who answered.
        await conn.executemany(
            """
            UPDATE checkin_cycles SET state = 'settled', settled_at = :now,
                answer = CASE WHEN :contact THEN 'contact' ELSE answer END,
                answered_by = CASE WHEN :contact THEN :author ELSE answered_by END,
                answered_at = CASE WHEN :contact THEN :now ELSE answered_at END
            WHERE id = :id AND state != 'settled'
            """,
            [
                {
                    "id": row["id"],
                    "now": now.isoformat(),
                    "contact": row["status"] in ("active", "paused")
                    and row["now_quiet_since"] > row["quiet_since"],
                    "author": row["contact_author"],
                }
                for row in stale
            ],
        )
        return await self._cycles(conn, [row["id"] for row in stale])

    async def _cycles(self, conn: aiosqlite.Connection, ids: Iterable[int]) -> list[CheckIn]:
        query = "SELECT * FROM checkin_cycles WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id"
        async with conn.execute(query, (_json_ids(ids),)) as cursor:
            return [_check_in(row) for row in await cursor.fetchall()]

    async def claim(
        self,
        now: datetime,
        zones: Mapping[str, date],
        *,
        default_timezone: str,
        not_before: datetime,
        fresh: Mapping[str, int] | None = None,
        touched: Iterable[int] = (),
        owed: Iterable[int] = (),
        limit: int | None = None,
        page: int | None = None,
    ) -> Claimed:
        """Claim the reminders owed now, one per member: rows written and committed before any send.

        `zones` maps each timezone where it is reminder time now to its local day; in the `fresh` ones
        (None: all) that time has just come, and every open cycle is looked at for their members: those
        after the cycle id each fresh zone maps to, `page` cycles at most (Claimed.looked_up_to says how
        far). In the others only the `touched` partnerships are, and the members an earlier batch left
        `owed`. At most `limit` members are claimed for (the lowest ids); the rest are handed back.
        """
        cursors = dict.fromkeys(zones, 0) if fresh is None else {z: c for z, c in fresh.items() if z in zones}
        fresh_zones = set(cursors)
        touched_ids = sorted(set(touched))
        # Only a batch's worth of the owed is looked up: the others could not be claimed this time anyway.
        waiting = sorted(set(owed))
        asked, later = (waiting, []) if limit is None else (waiting[:limit], waiting[limit:])
        if not zones or not (fresh_zones or touched_ids or asked):
            return Claimed(0, frozenset(later))
        async with self._db.transaction() as conn:
            await conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS tick_zones (tz TEXT PRIMARY KEY, local_day TEXT NOT NULL,"
                " fresh INTEGER NOT NULL, after INTEGER NOT NULL)"
            )
            await conn.execute("DELETE FROM tick_zones")
            await conn.executemany(
                "INSERT INTO tick_zones (tz, local_day, fresh, after) VALUES (?, ?, ?, ?)",
                [(tz, day.isoformat(), tz in fresh_zones, cursors.get(tz, 0)) for tz, day in zones.items()],
            )
            looked_up_to = await self._page_end(conn, min(cursors.values(), default=0), page)
            found: dict[tuple[int, int], sqlite3.Row] = {}
            params = {
                "default_tz": default_timezone,
                "touched": json.dumps(touched_ids),
                "upto": _NO_END if looked_up_to is None else looked_up_to,
            }
            if fresh_zones or touched_ids:
                query = _CANDIDATES_FRESH if fresh_zones else _CANDIDATES_TOUCHED
                async with conn.execute(query, params) as cursor:
                    found.update(((row["id"], row["member_id"]), row) for row in await cursor.fetchall())
            if asked:
                async with conn.execute(_CANDIDATES_OWED, {**params, "owed": json.dumps(asked)}) as cursor:
                    found.update(((row["id"], row["member_id"]), row) for row in await cursor.fetchall())
            rows = [found[key] for key in sorted(found)]
            members = sorted({row["member_id"] for row in rows})
            if limit is not None and len(members) > limit:
                # The rest wait for the next tick: no use claiming more than can be sent before it.
                kept = set(members[:limit])
                rows = [row for row in rows if row["member_id"] in kept]
                later += members[limit:]
            if not rows:
                return Claimed(0, frozenset(later), looked_up_to=looked_up_to)
            claimed, started = await self._write_claims(conn, rows, now, not_before)
        return Claimed(claimed, frozenset(later), started, looked_up_to)

    @staticmethod
    async def _page_end(conn: aiosqlite.Connection, after: int, page: int | None) -> int | None:
        """The last cycle id of a page of `page` open cycles after `after`; None: the page reaches the end."""
        if page is None:
            return None
        query = (
            "SELECT id FROM checkin_cycles WHERE state != 'settled' AND id > ? ORDER BY id LIMIT 1 OFFSET ?"
        )
        async with conn.execute(query, (after, page)) as cursor:
            beyond = await cursor.fetchone()
        if beyond is None:
            return None
        return int(beyond[0]) - 1

    async def _write_claims(
        self, conn: aiosqlite.Connection, rows: list[sqlite3.Row], now: datetime, not_before: datetime
    ) -> tuple[int, frozenset[int]]:
        rounds: dict[int, _Round] = {}
        owed: dict[int, list[tuple[sqlite3.Row, int, bool]]] = {}  # member -> (row, round, second)
        for row in rows:
            cycle = rounds.setdefault(
                row["id"],
                _Round(CheckInState(row["state"]), row["round"], date.fromisoformat(row["next_on"])),
            )
            local_day = date.fromisoformat(row["local_day"])
            if cycle.state in (CheckInState.PENDING, CheckInState.FIRST_SENT) and cycle.next_on <= local_day:
                # This member is the first whose day has come: the next round starts with them.
                cycle.round += 1
                cycle.state = (
                    CheckInState.FIRST_SENT
                    if cycle.state is CheckInState.PENDING
                    else CheckInState.SECOND_SENT
                )
                cycle.next_on = local_day + timedelta(days=FOLLOW_UP_DAYS)
                cycle.started = True
            elif cycle.state is CheckInState.PENDING:
                continue
            # Otherwise the query found this member without the current round (or another member started
            # a new round just now): they get it.
            second = cycle.state is CheckInState.SECOND_SENT
            owed.setdefault(row["member_id"], []).append((row, cycle.round, second))
        async with conn.execute("SELECT COALESCE(MAX(id), 0) FROM reminders") as cursor:
            found = await cursor.fetchone()
        # Ids chosen here so the sends can name their reminder without a query per member; the write
        # transaction keeps every other writer off them.
        next_id = int(found[0]) + 1 if found else 1
        reminders, sends = [], []
        for reminder_id, (member_id, items) in enumerate(owed.items(), start=next_id):
            local_day = items[0][0]["local_day"]
            reminders.append((reminder_id, member_id, local_day, not_before.isoformat(), now.isoformat()))
            for row, round_, second in items:
                quiet_days = (date.fromisoformat(local_day) - date.fromisoformat(row["quiet_since"])).days
                key = (row["partnership_id"], member_id, row["due_date"], round_)
                sends.append((*key, row["id"], reminder_id, int(second), quiet_days))
        await conn.executemany(
            "UPDATE checkin_cycles SET state = ?, round = ?, next_on = ?, answered_by = NULL, answer = NULL,"
            " answered_at = NULL WHERE id = ?",
            [
                (cycle.state.value, cycle.round, cycle.next_on.isoformat(), cycle_id)
                for cycle_id, cycle in rounds.items()
                if cycle.started
            ],
        )
        await conn.executemany(
            "INSERT INTO reminders (id, member_id, local_day, not_before, created_at) VALUES (?, ?, ?, ?, ?)",
            reminders,
        )
        await conn.executemany(
            """
            INSERT INTO reminder_sends (partnership_id, member_id, due_date, round, cycle_id, reminder_id,
                second, quiet_days)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            sends,
        )
        started = frozenset(row["partnership_id"] for row in rows if rounds[row["id"]].started)
        return len(reminders), started

    async def member_timezones(self) -> set[str]:
        """The timezones members have chosen (the others follow the network's default)."""
        # One index seek per distinct zone (a handful), not a scan of every member who chose one.
        query = """
            WITH RECURSIVE zone (name) AS (
                SELECT MIN(timezone) FROM members WHERE timezone IS NOT NULL
                UNION ALL
                SELECT (SELECT MIN(timezone) FROM members WHERE timezone > zone.name) FROM zone
                WHERE zone.name IS NOT NULL
            )
            SELECT name FROM zone WHERE name IS NOT NULL
        """
        async with self._db.conn().execute(query) as cursor:
            return {row[0] for row in await cursor.fetchall()}

    # --- sending ---

    async def recover(self) -> int:
        """After a restart: reminders caught "sending" may have reached the member; never send them again."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute("UPDATE reminders SET state = 'unknown' WHERE state = 'sending'")
            return cursor.rowcount

    async def ready(self, now: datetime, limit: int) -> list[int]:
        """Claimed reminders whose time has come (any 429 waited out), oldest first."""
        query = """
            SELECT id FROM reminders WHERE state = 'pending' AND not_before <= ?
            ORDER BY not_before, id LIMIT ?
        """
        async with self._db.conn().execute(query, (now.isoformat(), limit)) as cursor:
            return [row[0] for row in await cursor.fetchall()]

    async def start_sending(self, reminder_id: int) -> Reminder | None:
        """Take a pending reminder to send (None if another tick took it), with what is still open in it.

        A reminder whose every partnership was answered meanwhile is dropped instead.
        """
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE reminders SET state = 'sending' WHERE id = ? AND state = 'pending'", (reminder_id,)
            )
            if cursor.rowcount == 0:
                return None
            reminder = await self.reminder(reminder_id)
            assert reminder is not None  # noqa: S101 - updated in this transaction
            if not any(item.cycle.is_open for item in reminder.items):
                await self._set_state(conn, reminder_id, ReminderState.DROPPED)
                return None
        return reminder

    async def reminder(self, reminder_id: int) -> Reminder | None:
        """One reminder with its partnerships (as they stand now)."""
        async with self._db.conn().execute("SELECT * FROM reminders WHERE id = ?", (reminder_id,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        query = f"{_ITEMS} WHERE rs.reminder_id = ? ORDER BY rs.partnership_id"
        async with self._db.conn().execute(query, (reminder_id,)) as cursor:
            items = tuple(_item(item) for item in await cursor.fetchall())
        return Reminder(
            id=row["id"],
            member_id=row["member_id"],
            local_day=date.fromisoformat(row["local_day"]),
            state=ReminderState(row["state"]),
            chat_message_id=row["chat_message_id"],
            items=items,
        )

    async def sent(self, reminder_id: int, chat_message_id: int, now: datetime) -> None:
        """The reminder reached the member's chat as this message."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE reminders SET state = 'sent', chat_message_id = ?, sent_at = ? WHERE id = ?",
                (chat_message_id, now.isoformat(), reminder_id),
            )

    async def retry_after(self, reminder_id: int, not_before: datetime) -> None:
        """Telegram asked us to wait: the reminder stays owed and is sent after `not_before`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE reminders SET state = 'pending', not_before = ? WHERE id = ? AND state = 'sending'",
                (not_before.isoformat(), reminder_id),
            )

    async def finish(self, reminder_id: int, state: ReminderState) -> None:
        """The reminder could not be (or may not have been) delivered: blocked, failed or unknown."""
        async with self._db.transaction() as conn:
            await self._set_state(conn, reminder_id, state)

    @staticmethod
    async def _set_state(conn: aiosqlite.Connection, reminder_id: int, state: ReminderState) -> None:
        await conn.execute("UPDATE reminders SET state = ? WHERE id = ?", (state.value, reminder_id))

    async def reminders_about(self, cycle_id: int) -> list[Reminder]:
        """Every reminder sent about a cycle (to edit them once someone answered)."""
        query = """
            SELECT DISTINCT reminder_id FROM reminder_sends AS rs JOIN reminders AS r ON r.id = rs.reminder_id
            WHERE rs.cycle_id = ? AND r.chat_message_id IS NOT NULL ORDER BY reminder_id
        """
        async with self._db.conn().execute(query, (cycle_id,)) as cursor:
            ids = [row[0] for row in await cursor.fetchall()]
        found = [await self.reminder(reminder_id) for reminder_id in ids]
        return [reminder for reminder in found if reminder is not None]

    async def sends_to(self, member_id: int) -> int:
        """How many reminder rounds a member was given (tests and /mydata)."""
        query = "SELECT COUNT(*) FROM reminder_sends WHERE member_id = ?"
        async with self._db.conn().execute(query, (member_id,)) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    # --- answers ---

    async def get(self, cycle_id: int) -> CheckIn | None:
        """A cycle by id."""
        async with self._db.conn().execute(
            "SELECT * FROM checkin_cycles WHERE id = ?", (cycle_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return _check_in(row) if row else None

    async def open_cycle(self, partnership_id: int) -> CheckIn | None:
        """The partnership's open check-in, if it is due."""
        query = "SELECT * FROM checkin_cycles WHERE partnership_id = ? AND state != 'settled'"
        async with self._db.conn().execute(query, (partnership_id,)) as cursor:
            row = await cursor.fetchone()
        return _check_in(row) if row else None

    async def snooze(self, cycle_id: int, member_id: int, until: date, now: datetime) -> CheckIn | None:
        """Put the check-in off until `until` for the whole committee; None if it was answered already."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                """
                UPDATE checkin_cycles SET state = 'pending', next_on = ?, snoozed_until = ?,
                    at_risk_since = NULL, answered_by = ?, answer = 'snooze', answered_at = ?
                WHERE id = ? AND state IN ('first_sent', 'second_sent', 'at_risk')
                """,
                (until.isoformat(), until.isoformat(), member_id, now.isoformat(), cycle_id),
            )
            if cursor.rowcount == 0:
                return None
            return await self.get(cycle_id)

    async def in_touch(
        self, cycle_id: int, member_id: int, note: str, *, today: date, now: datetime
    ) -> CheckIn | None:
        """ "We are in touch": a contact of channel "other" with `note`, and the check-in settled, at once."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                """
                UPDATE checkin_cycles SET state = 'settled', settled_at = :now, answered_by = :member,
                    answer = 'in_touch', answered_at = :now
                WHERE id = :id AND state != 'settled'
                """,
                {"id": cycle_id, "member": member_id, "now": now.isoformat()},
            )
            if cursor.rowcount == 0:
                return None
            cycle = await self.get(cycle_id)
            assert cycle is not None  # noqa: S101 - updated in this transaction
            fields = ContactFields(cycle.partnership_id, Channel.OTHER, today, note)
            await ContactRepository(self._db).add(member_id, fields, today=today)
        return cycle

    async def at_risk(self) -> list[AtRisk]:
        """Every partnership at risk, the longest quiet first."""
        query = """
            SELECT c.*, p.us_name, p.partner_name FROM checkin_cycles AS c
            JOIN partnerships AS p ON p.id = c.partnership_id
            WHERE c.state = 'at_risk' ORDER BY c.quiet_since, p.us_name, p.partner_name
        """
        async with self._db.conn().execute(query) as cursor:
            return [
                AtRisk(_check_in(row), f"{row['us_name']} – {row['partner_name']}")
                for row in await cursor.fetchall()
            ]

    # --- members' pauses ---

    async def pause(self, member_id: int, until: date) -> None:
        """No reminders for this member before `until` (a day in their timezone)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                """
                INSERT INTO reminder_pauses (member_id, paused_until, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (member_id) DO UPDATE SET paused_until = excluded.paused_until,
                    updated_at = excluded.updated_at
                """,
                (member_id, until.isoformat(), utc_now().isoformat()),
            )

    async def resume(self, member_id: int) -> bool:
        """Reminders on again; False if they were not paused."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute("DELETE FROM reminder_pauses WHERE member_id = ?", (member_id,))
            return cursor.rowcount > 0

    async def paused_until(self, member_id: int) -> date | None:
        """The day a member's reminders resume, if they paused them."""
        query = "SELECT paused_until FROM reminder_pauses WHERE member_id = ?"
        async with self._db.conn().execute(query, (member_id,)) as cursor:
            row = await cursor.fetchone()
        return date.fromisoformat(row[0]) if row else None

    # --- staff digests ---

    async def claim_digest(self, member_id: int, week: date, now: datetime) -> bool:
        """Claim a staff member's digest for a week, committed before sending; False if already claimed."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO staff_digests (member_id, week, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT (member_id, week) DO NOTHING",
                (member_id, week.isoformat(), now.isoformat()),
            )
            return cursor.rowcount > 0

    async def release_digest(self, member_id: int, week: date) -> None:
        """Give a claimed digest back (Telegram asked us to wait): a later tick sends it."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "DELETE FROM staff_digests WHERE member_id = ? AND week = ? AND chat_message_id IS NULL",
                (member_id, week.isoformat()),
            )

    async def digest_sent(self, member_id: int, week: date, chat_message_id: int) -> None:
        """Remember the message that carried a digest."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE staff_digests SET chat_message_id = ? WHERE member_id = ? AND week = ?",
                (chat_message_id, member_id, week.isoformat()),
            )


def _json_ids(ids: Iterable[int]) -> str:
    return "[" + ",".join(str(int(i)) for i in ids) + "]"
