"""What the staff dashboard reads: the partnerships table, paged and sorted in SQL, and the network's trends.

Each question is one statement, whatever the registry's size: the table pages in SQL and computes the
derived columns (last contact, contacts in 90 days, committee) for the rows of one page only, unless the
table is sorted by one of them; contacts are read through their (partnership, date) and date indexes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from storage.db import Database
from storage.records import Status

PAGE_LIMIT = 200  # the most rows one page may ask for
RECENT_DAYS = 90
# The first status of a partnership with no date is taken as held since before any chart starts.
_BEFORE_ANY_CHART = "0000-01"


class SortKey(StrEnum):
    """The columns the table sorts by."""

    PLACE = "place"
    PARTNER = "partner"
    COUNTRY = "country"
    STATUS = "status"
    STATUS_SINCE = "status_since"
    LAST_CONTACT = "last_contact"
    RECENT = "recent"
    NEXT_CHECKIN = "next_checkin"
    COMMITTEE = "committee"


_LAST_CONTACT = "(SELECT MAX(contact_date) FROM contacts WHERE partnership_id = p.id)"
_LATEST_CHANGE = "(SELECT MAX(id) FROM status_changes WHERE partnership_id = p.id)"
_RECENT = "(SELECT COUNT(*) FROM contacts WHERE partnership_id = p.id AND contact_date >= :recent_since)"
_COMMITTEE = "(SELECT COUNT(*) FROM memberships WHERE partnership_id = p.id)"
# As the status card computes it (bot.registry.cards.next_checkin): only active and paused ties expect one.
_NEXT_CHECKIN = f"""
    CASE WHEN p.status IN ('active', 'paused') THEN date(
        MAX(COALESCE({_LAST_CONTACT}, ''), date(p.created_at)),
        '+' || COALESCE(p.checkin_days, :default_days) || ' days'
    ) END
"""
_AT_RISK = """
    EXISTS (SELECT 1 FROM checkin_cycles WHERE partnership_id = p.id AND state != 'settled'
            AND state = 'at_risk')
"""
# Sort expressions are chosen from this table by key, never built from what a client sent.
_SORT_SQL = {
    SortKey.PLACE: "p.us_name COLLATE NOCASE",
    SortKey.PARTNER: "p.partner_name COLLATE NOCASE",
    SortKey.COUNTRY: "p.partner_country COLLATE NOCASE",
    SortKey.STATUS: "p.status",
    SortKey.STATUS_SINCE: f"(SELECT effective_date FROM status_changes WHERE id = {_LATEST_CHANGE})",  # noqa: S608
    SortKey.LAST_CONTACT: _LAST_CONTACT,
    SortKey.RECENT: _RECENT,
    SortKey.NEXT_CHECKIN: _NEXT_CHECKIN,
    SortKey.COMMITTEE: _COMMITTEE,
}
_FILTERS = f"""
    (:ids IS NULL OR p.id IN (SELECT value FROM json_each(:ids)))
    AND (:country IS NULL OR p.partner_country = :country COLLATE NOCASE)
    AND (:status IS NULL OR p.status = :status)
    AND (:text IS NULL OR instr(lower(p.us_name || ' ' || p.us_state || ' ' || p.partner_name || ' '
                                     || p.partner_region), lower(:text)) > 0)
    AND (:since IS NULL OR EXISTS (
        SELECT 1 FROM contacts WHERE partnership_id = p.id AND contact_date BETWEEN :since AND :until))
    AND (:at_risk = 0 OR {_AT_RISK})
"""  # noqa: S608 - this module's constants
_ROW_COLUMNS = f"""
    p.id, p.us_name, p.us_state, p.partner_name, p.partner_region, p.partner_country, p.status,
    sc.effective_date AS status_since, COALESCE(sc.reason, '') AS status_note,
    lc.contact_date AS last_contact, lc.channel AS last_channel,
    {_RECENT} AS recent, {_NEXT_CHECKIN} AS next_checkin, {_AT_RISK} AS at_risk, {_COMMITTEE} AS committee,
    (SELECT json_group_array(name) FROM (
        SELECT TRIM(m.first_name || ' ' || m.last_name) AS name FROM memberships AS s
        JOIN members AS m ON m.id = s.member_id
        WHERE s.partnership_id = p.id AND s.role = 'coordinator' ORDER BY m.id)) AS coordinators
"""  # noqa: S608 - this module's constants
_ROW_JOINS = f"""
    LEFT JOIN status_changes AS sc ON sc.id = {_LATEST_CHANGE}
    LEFT JOIN contacts AS lc ON lc.id = (
        SELECT id FROM contacts WHERE partnership_id = p.id ORDER BY contact_date DESC, id DESC LIMIT 1)
"""  # noqa: S608 - this module's constants


@dataclass(frozen=True, slots=True)
class Filters:
    """What the dashboard's reader narrowed the network to; None everywhere means everything."""

    partnership_ids: frozenset[int] | None = None  # the reader's scope (a coordinator's committees)
    country: str | None = None
    status: Status | None = None
    since: date | None = None  # with until: partnerships with a contact dated in this range
    until: date | None = None
    text: str | None = None  # part of either side's name
    at_risk: bool = False

    def undated(self) -> Filters:
        """The same partnerships without the contact-date condition: charts use the range themselves."""
        return replace(self, since=None, until=None)

    def params(self) -> dict[str, object]:
        ids = None if self.partnership_ids is None else json.dumps(sorted(self.partnership_ids))
        dated = self.since is not None or self.until is not None
        return {
            "ids": ids,
            "country": self.country,
            "status": self.status.value if self.status else None,
            "text": self.text or None,
            "since": (self.since or date.min).isoformat() if dated else None,
            "until": (self.until or date.max).isoformat() if dated else None,
            "at_risk": int(self.at_risk),
        }


@dataclass(frozen=True, slots=True)
class TableRow:
    """One partnership as the table shows it."""

    id: int
    us_name: str
    us_state: str
    partner_name: str
    partner_region: str
    partner_country: str
    status: Status
    status_since: date | None
    status_note: str
    last_contact: date | None
    last_channel: str | None
    recent_contacts: int
    next_checkin: date | None
    at_risk: bool
    committee_size: int
    coordinators: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TablePage:
    """One page of the table and how many rows match in all."""

    rows: list[TableRow]
    total: int


@dataclass(frozen=True, slots=True)
class CountryTies:
    """How a partner country's ties stand."""

    country: str
    total: int
    kept: int  # active or paused
    ended: int  # suspended or terminated
    in_touch: int  # with a contact in the last 90 days (or in the chosen date range)


@dataclass(frozen=True, slots=True)
class DatedContact:
    """A contact in a partnership's log, as the dashboard lists it."""

    id: int
    contact_date: date
    channel: str
    summary: str
    participants: int | None
    author: str | None  # None: a former member


@dataclass(frozen=True, slots=True)
class Seat:
    """Someone on a partnership's committee."""

    name: str
    username: str | None
    role: str


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _row(row: sqlite3.Row) -> TableRow:
    return TableRow(
        id=row["id"],
        us_name=row["us_name"],
        us_state=row["us_state"],
        partner_name=row["partner_name"],
        partner_region=row["partner_region"],
        partner_country=row["partner_country"],
        status=Status(row["status"]),
        status_since=_day(row["status_since"]),
        status_note=row["status_note"],
        last_contact=_day(row["last_contact"]),
        last_channel=row["last_channel"],
        recent_contacts=int(row["recent"]),
        next_checkin=_day(row["next_checkin"]),
        at_risk=bool(row["at_risk"]),
        committee_size=int(row["committee"]),
        coordinators=tuple(json.loads(row["coordinators"] or "[]")),
    )


def months_between(first: date, last: date) -> list[str]:
    """Every month from `first`'s to `last`'s, as "YYYY-MM"."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class DashboardRepository:
    """The dashboard's reads; it writes nothing."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def _params(self, filters: Filters, today: date, default_days: int) -> dict[str, object]:
        recent_since = (today - timedelta(days=RECENT_DAYS)).isoformat()
        return {**filters.params(), "recent_since": recent_since, "default_days": default_days}

    async def table(
        self,
        filters: Filters,
        *,
        sort: SortKey,
        descending: bool,
        offset: int,
        limit: int,
        today: date,
        default_days: int,
    ) -> TablePage:
        """One page of the partnerships table, sorted, with the number of rows matching in all."""
        limit = max(1, min(limit, PAGE_LIMIT))
        direction = "DESC" if descending else "ASC"
        # The page is chosen first, computing only the sort key; the other columns for its rows alone.
        query = f"""
            WITH page AS (
                SELECT p.id, COUNT(*) OVER () AS total,
                       ROW_NUMBER() OVER (ORDER BY {_SORT_SQL[sort]} {direction},
                           p.us_name COLLATE NOCASE, p.partner_name COLLATE NOCASE, p.id) AS position
                FROM partnerships AS p WHERE {_FILTERS}
                ORDER BY position LIMIT :limit OFFSET :offset
            )
            SELECT page.total, {_ROW_COLUMNS}
            FROM page JOIN partnerships AS p ON p.id = page.id {_ROW_JOINS}
            ORDER BY page.position
        """  # noqa: S608 - every interpolated piece is a constant of this module
        params = {**self._params(filters, today, default_days), "limit": limit, "offset": max(0, offset)}
        async with self._db.conn().execute(query, params) as cursor:
            rows = list(await cursor.fetchall())
        if rows:
            return TablePage([_row(row) for row in rows], int(rows[0]["total"]))
        return TablePage([], await self.count(filters) if offset > 0 else 0)

    async def count(self, filters: Filters) -> int:
        """How many partnerships match."""
        query = f"SELECT COUNT(*) FROM partnerships AS p WHERE {_FILTERS}"  # noqa: S608 - constants only
        async with self._db.conn().execute(query, filters.params()) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def all_rows(
        self, filters: Filters, *, sort: SortKey, descending: bool, today: date, default_days: int
    ) -> AsyncIterator[TableRow]:
        """Every matching row in table order, read as they are written out (the CSV download)."""
        direction = "DESC" if descending else "ASC"
        query = f"""
            SELECT {_ROW_COLUMNS} FROM partnerships AS p {_ROW_JOINS} WHERE {_FILTERS}
            ORDER BY {_SORT_SQL[sort]} {direction}, p.us_name COLLATE NOCASE, p.partner_name COLLATE NOCASE,
                p.id
        """  # noqa: S608 - every interpolated piece is a constant of this module
        async with self._db.conn().execute(query, self._params(filters, today, default_days)) as cursor:
            async for row in cursor:
                yield _row(row)

    async def countries(self, filters: Filters) -> list[tuple[str, int]]:
        """The partner countries in scope, with how many partnerships each, the most first."""
        query = f"""
            SELECT p.partner_country, COUNT(*) FROM partnerships AS p WHERE {_FILTERS}
            GROUP BY p.partner_country COLLATE NOCASE ORDER BY COUNT(*) DESC, p.partner_country
        """  # noqa: S608 - constants only
        async with self._db.conn().execute(query, filters.params()) as cursor:
            return [(str(row[0]), int(row[1])) for row in await cursor.fetchall()]

    async def ties_by_country(self, filters: Filters, *, today: date) -> list[CountryTies]:
        """For each partner country: its ties, how many are kept, ended, and in touch."""
        if filters.since is not None or filters.until is not None:
            touch_since, touch_until = filters.params()["since"], filters.params()["until"]
        else:
            touch_since, touch_until = (today - timedelta(days=RECENT_DAYS)).isoformat(), today.isoformat()
        query = f"""
            SELECT p.partner_country AS country, COUNT(*) AS total,
                SUM(p.status IN ('active', 'paused')) AS kept,
                SUM(p.status IN ('suspended', 'terminated')) AS ended,
                SUM(p.id IN (SELECT partnership_id FROM contacts
                             WHERE contact_date BETWEEN :touch_since AND :touch_until)) AS in_touch
            FROM partnerships AS p WHERE {_FILTERS}
            GROUP BY p.partner_country COLLATE NOCASE ORDER BY total DESC, country
        """  # noqa: S608 - constants only
        params = {**filters.undated().params(), "touch_since": touch_since, "touch_until": touch_until}
        async with self._db.conn().execute(query, params) as cursor:
            return [
                CountryTies(row["country"], row["total"], row["kept"], row["ended"], row["in_touch"])
                for row in await cursor.fetchall()
            ]

    async def contacts_per_month(
        self, filters: Filters, first: date, last: date
    ) -> dict[tuple[str, str], int]:
        """How many contacts were dated in each month between `first` and `last`, by channel."""
        query = f"""
            SELECT substr(c.contact_date, 1, 7) AS month, c.channel, COUNT(*) AS contacts
            FROM contacts AS c JOIN partnerships AS p ON p.id = c.partnership_id
            WHERE c.contact_date BETWEEN :first AND :last AND {_FILTERS}
            GROUP BY month, c.channel
        """  # noqa: S608 - constants only
        params = {
            **filters.undated().params(),
            "first": first.isoformat(),
            "last": last.isoformat(),
        }
        async with self._db.conn().execute(query, params) as cursor:
            return {(row["month"], row["channel"]): int(row["contacts"]) for row in await cursor.fetchall()}

    async def status_per_month(self, filters: Filters, first: date, last: date) -> dict[str, dict[str, int]]:
        """How many partnerships held each status at the end of each month from `first` to `last`."""
        # Each status a partnership held spans from the month it took effect to the month of the next
        # change: +1 in its first month, -1 in the next change's; summing the changes up to a month gives
        # what stood at its end. One pass over the status history of the partnerships in view.
        query = f"""
            WITH changes AS (
                SELECT sc.partnership_id, sc.id, sc.new_status AS status,
                    CASE WHEN sc.effective_date IS NOT NULL THEN substr(sc.effective_date, 1, 7)
                         WHEN sc.old_status IS NULL THEN '{_BEFORE_ANY_CHART}'
                         ELSE substr(sc.recorded_at, 1, 7) END AS month
                FROM status_changes AS sc JOIN partnerships AS p ON p.id = sc.partnership_id
                WHERE {_FILTERS}
            ), spans AS (
                SELECT status, month AS began,
                    LEAD(month) OVER (PARTITION BY partnership_id ORDER BY month, id) AS ended
                FROM changes
            )
            SELECT status, began AS month, COUNT(*) AS delta FROM spans GROUP BY status, began
            UNION ALL
            SELECT status, ended, -COUNT(*) FROM spans WHERE ended IS NOT NULL GROUP BY status, ended
        """  # noqa: S608 - constants only
        params = filters.undated().params()
        months = months_between(first, last)
        deltas: dict[str, dict[str, int]] = {status.value: {} for status in Status}
        async with self._db.conn().execute(query, params) as cursor:
            for row in await cursor.fetchall():
                by_month = deltas.setdefault(row["status"], {})
                by_month[row["month"]] = by_month.get(row["month"], 0) + int(row["delta"])
        counts: dict[str, dict[str, int]] = {}
        for status, by_month in deltas.items():
            running = sum(delta for month, delta in by_month.items() if month < months[0]) if months else 0
            counts[status] = {}
            for month in months:
                running += by_month.get(month, 0)
                counts[status][month] = running
        return counts

    async def contacts(
        self, partnership_id: int, *, since: date | None, until: date | None, offset: int, limit: int
    ) -> tuple[list[DatedContact], int]:
        """A page of a partnership's contacts, newest first, in a date range; and how many in all."""
        params = {
            "pid": partnership_id,
            "since": (since or date.min).isoformat(),
            "until": (until or date.max).isoformat(),
            "limit": max(1, min(limit, PAGE_LIMIT)),
            "offset": max(0, offset),
        }
        query = """
            SELECT c.id, c.contact_date, c.channel, c.summary, c.participants,
                CASE WHEN m.id IS NULL THEN NULL ELSE TRIM(m.first_name || ' ' || m.last_name) END AS author,
                COUNT(*) OVER () AS total
            FROM contacts AS c LEFT JOIN members AS m ON m.id = c.member_id
            WHERE c.partnership_id = :pid AND c.contact_date BETWEEN :since AND :until
            ORDER BY c.contact_date DESC, c.id DESC LIMIT :limit OFFSET :offset
        """
        async with self._db.conn().execute(query, params) as cursor:
            rows = list(await cursor.fetchall())
        contacts = [
            DatedContact(
                row["id"],
                date.fromisoformat(row["contact_date"]),
                row["channel"],
                row["summary"],
                row["participants"],
                row["author"],
            )
            for row in rows
        ]
        return contacts, int(rows[0]["total"]) if rows else 0

    async def committee(self, partnership_id: int) -> list[Seat]:
        """Who sits on a partnership's committee, coordinators first."""
        query = """
            SELECT TRIM(m.first_name || ' ' || m.last_name) AS name, m.username, s.role
            FROM memberships AS s JOIN members AS m ON m.id = s.member_id
            WHERE s.partnership_id = ? ORDER BY s.role = 'coordinator' DESC, m.first_name, m.id
        """
        async with self._db.conn().execute(query, (partnership_id,)) as cursor:
            return [Seat(row["name"], row["username"], row["role"]) for row in await cursor.fetchall()]
