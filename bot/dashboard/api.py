"""The dashboard's JSON endpoints: the reader, the partnerships table and its CSV, one partnership, trends.

Each takes the same filters (country, status, a contact-date range, a name, at risk only), always within the
reader's scope; each answers from a few indexed queries, whatever the size of the registry.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from aiohttp import web

from bot.audit.trail import ACTION_LABELS
from bot.dashboard import texts
from bot.dashboard.auth import CLOCK, CONFIG, STORES, Handler, Reader, refusal
from bot.i18n import Translator
from bot.permissions import Action
from storage.dashboard import PAGE_LIMIT, Filters, SortKey, TableRow, months_between
from storage.records import Status

PER_PAGE = 50
CHART_MONTHS = 12  # the trends' period when none is asked for
MAX_CHART_MONTHS = 120
MAX_TEXT = 100


class BadQuery(ValueError):
    """A query parameter the page would never send."""


@dataclass(frozen=True, slots=True)
class TableQuery:
    """What the table was asked to show."""

    filters: Filters
    sort: SortKey
    descending: bool
    page: int
    per_page: int


def _date(query: Mapping[str, str], name: str) -> date | None:
    value = query.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadQuery(name) from None


def _integer(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = query.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise BadQuery(name)
    return int(value)


def filters_of(query: Mapping[str, str], reader: Reader) -> Filters:
    """The filters in a request, inside what the reader may see."""
    status = query.get("status", "").strip() or None
    if status is not None and status not in {s.value for s in Status}:
        raise BadQuery("status")
    since, until = _date(query, "from"), _date(query, "to")
    if since and until and since > until:
        raise BadQuery("from")
    text = query.get("q", "").strip()[:MAX_TEXT] or None
    return Filters(
        partnership_ids=reader.scope.partnership_ids,
        country=query.get("country", "").strip() or None,
        status=Status(status) if status else None,
        since=since,
        until=until,
        text=text,
        at_risk=query.get("at_risk", "") in ("1", "true"),
    )


def table_query(query: Mapping[str, str], reader: Reader) -> TableQuery:
    """The filters, sort and page of a table request."""
    sort = query.get("sort", SortKey.PLACE.value)
    if sort not in {key.value for key in SortKey}:
        raise BadQuery("sort")
    return TableQuery(
        filters=filters_of(query, reader),
        sort=SortKey(sort),
        descending=query.get("order", "asc") == "desc",
        page=_integer(query, "page", 1, 1, 1_000_000),
        per_page=_integer(query, "per_page", PER_PAGE, 1, PAGE_LIMIT),
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def row_json(row: TableRow, t: Translator, today: date) -> dict[str, Any]:
    """One table row as the page reads it: stored values, and labels in the reader's language."""
    channels = texts.channel_labels(t)
    return {
        "id": row.id,
        "us_name": row.us_name,
        "us_state": row.us_state,
        "partner_name": row.partner_name,
        "partner_region": row.partner_region,
        "country": row.partner_country,
        "country_label": texts.country_label(row.partner_country, t),
        "status": row.status.value,
        "status_label": texts.status_labels(t)[row.status.value],
        "status_since": _iso(row.status_since),
        "status_note": row.status_note,
        "last_contact": _iso(row.last_contact),
        "last_channel": row.last_channel,
        "last_channel_label": channels.get(row.last_channel or "", row.last_channel),
        "recent_contacts": row.recent_contacts,
        "next_checkin": _iso(row.next_checkin),
        "overdue": row.next_checkin is not None and row.next_checkin < today,
        "at_risk": row.at_risk,
        "committee_size": row.committee_size,
        "coordinators": list(row.coordinators),
    }


def _today(request: web.Request) -> date:
    return request.app[CLOCK]().date()


def _bad(reader: Reader) -> web.Response:
    return refusal(400, texts.BAD_REQUEST, reader.t)


async def me(request: web.Request, reader: Reader) -> web.StreamResponse:
    """Who is looking, what they see, and every word of the page in their language."""
    t = reader.t
    countries = await request.app[STORES].dashboard.countries(Filters(reader.scope.partnership_ids))
    return web.json_response(
        {
            "user": {"id": reader.user.id, "first_name": reader.user.first_name},
            "language": t.language,
            "scope": "network" if reader.scope.partnership_ids is None else "committees",
            "sees_audit": reader.viewer.may(Action.SEE_AUDIT),
            "today": _today(request).isoformat(),
            "texts": texts.page_texts(t),
            "statuses": texts.status_labels(t),
            "channels": texts.channel_labels(t),
            "countries": [
                {"value": country, "label": texts.country_label(country, t), "count": count}
                for country, count in countries
            ],
        }
    )


async def partnerships(request: web.Request, reader: Reader) -> web.StreamResponse:
    """One page of the partnerships table."""
    try:
        asked = table_query(request.query, reader)
    except BadQuery:
        return _bad(reader)
    config = request.app[CONFIG]
    today = _today(request)
    page = await request.app[STORES].dashboard.table(
        asked.filters,
        sort=asked.sort,
        descending=asked.descending,
        offset=(asked.page - 1) * asked.per_page,
        limit=asked.per_page,
        today=today,
        default_days=config.defaults.checkin_days,
    )
    return web.json_response(
        {
            "total": page.total,
            "page": asked.page,
            "per_page": asked.per_page,
            "rows": [row_json(row, reader.t, today) for row in page.rows],
        }
    )


def _csv_header(t: Translator) -> list[str]:
    words = texts.page_texts(t)
    return [
        words["us_member"],
        "state",
        words["partner"],
        "region",
        words["country"],
        words["status"],
        "status_since",
        "status_note",
        words["last_contact"],
        "channel",
        words["recent"],
        words["next_checkin"],
        words["at_risk"],
        words["committee"],
        words["coordinator"],
    ]


async def partnerships_csv(request: web.Request, reader: Reader) -> web.StreamResponse:
    """Every row the table's filters select, in its order, as CSV (UTF-8 with a BOM, for spreadsheets)."""
    try:
        asked = table_query(request.query, reader)
    except BadQuery:
        return _bad(reader)
    config = request.app[CONFIG]
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": 'attachment; filename="partnerships.csv"',
        }
    )
    await response.prepare(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(_csv_header(reader.t))
    rows = request.app[STORES].dashboard.all_rows(
        asked.filters,
        sort=asked.sort,
        descending=asked.descending,
        today=_today(request),
        default_days=config.defaults.checkin_days,
    )
    async for row in rows:
        writer.writerow(
            [
                row.us_name,
                row.us_state,
                row.partner_name,
                row.partner_region,
                row.partner_country,
                row.status.value,
                _iso(row.status_since) or "",
                row.status_note,
                _iso(row.last_contact) or "",
                row.last_channel or "",
                row.recent_contacts,
                _iso(row.next_checkin) or "",
                "yes" if row.at_risk else "",
                row.committee_size,
                "; ".join(row.coordinators),
            ]
        )
        if buffer.tell() > 64 * 1024:
            await response.write(buffer.getvalue().encode())
            buffer.seek(0)
            buffer.truncate()
    await response.write(buffer.getvalue().encode())
    await response.write_eof()
    return response


async def partnership(request: web.Request, reader: Reader) -> web.StreamResponse:
    """One partnership: its card, its dated status history, its contact log and its committee."""
    t = reader.t
    try:
        partnership_id = int(request.match_info["id"])
        since, until = _date(request.query, "from"), _date(request.query, "to")
        page = _integer(request.query, "page", 1, 1, 1_000_000)
    except (BadQuery, ValueError):
        return _bad(reader)
    if not reader.scope.includes(partnership_id):
        return refusal(403, texts.NOT_IN_VIEW, t)
    stores = request.app[STORES]
    found = await stores.dashboard.table(
        Filters(frozenset({partnership_id})),
        sort=SortKey.PLACE,
        descending=False,
        offset=0,
        limit=1,
        today=_today(request),
        default_days=request.app[CONFIG].defaults.checkin_days,
    )
    if not found.rows:
        raise web.HTTPNotFound()
    statuses = texts.status_labels(t)
    history = [
        {
            "date": _iso(change.effective_date),
            "recorded": change.recorded_at.date().isoformat(),
            "status": change.new_status.value,
            "status_label": statuses[change.new_status.value],
            "old_status": change.old_status.value if change.old_status else None,
            "reason": change.reason,
            "decided_by": change.decided_by,
            "source": change.source,
        }
        for change in reversed(await stores.partnerships.history(partnership_id))
    ]
    body: dict[str, Any] = {
        "card": row_json(found.rows[0], t, _today(request)),
        "history": history,
        "contacts": None,
        "committee": None,
    }
    # What contacts said and who sits on the committee: for that committee's readers and staff only.
    if reader.viewer.may(Action.VIEW_COMMITTEE, partnership_id):
        contacts, total = await stores.dashboard.contacts(
            partnership_id, since=since, until=until, offset=(page - 1) * PER_PAGE, limit=PER_PAGE
        )
        channels = texts.channel_labels(t)
        body["contacts"] = {
            "total": total,
            "page": page,
            "per_page": PER_PAGE,
            "rows": [
                {
                    "id": c.id,
                    "date": c.contact_date.isoformat(),
                    "channel": c.channel,
                    "channel_label": channels.get(c.channel, c.channel),
                    "summary": c.summary,
                    "participants": c.participants,
                    "author": c.author,
                }
                for c in contacts
            ],
        }
        body["committee"] = [
            {"name": seat.name, "username": seat.username, "role": seat.role}
            for seat in await stores.dashboard.committee(partnership_id)
        ]
    return web.json_response(body)


def _period(request: web.Request) -> tuple[date, date]:
    today = _today(request)
    until = min(_date(request.query, "to") or today, today)
    back = until.year * 12 + until.month - 1 - (CHART_MONTHS - 1)
    since = _date(request.query, "from") or date(back // 12, back % 12 + 1, 1)
    if since > until or len(months_between(since, until)) > MAX_CHART_MONTHS:
        raise BadQuery("from")
    return since, until


async def trends(request: web.Request, reader: Reader) -> web.StreamResponse:
    """Contacts per month by channel, partnerships by status over time, and ties kept per country."""
    t = reader.t
    try:
        filters = filters_of(request.query, reader)
        since, until = _period(request)
    except BadQuery:
        return _bad(reader)
    repository = request.app[STORES].dashboard
    months = months_between(since, until)
    per_month = await repository.contacts_per_month(filters, since, until)
    by_status = await repository.status_per_month(filters, since, until)
    ties = await repository.ties_by_country(filters, today=_today(request))
    channels = sorted({channel for _month, channel in per_month}, key=list(texts.channel_labels(t)).index)
    return web.json_response(
        {
            "from": since.isoformat(),
            "to": until.isoformat(),
            "months": months,
            "contacts": {
                channel: [per_month.get((month, channel), 0) for month in months] for channel in channels
            },
            "statuses": {status: [counts[m] for m in months] for status, counts in by_status.items()},
            "countries": [
                {
                    "country": tie.country,
                    "label": texts.country_label(tie.country, t),
                    "total": tie.total,
                    "kept": tie.kept,
                    "ended": tie.ended,
                    "in_touch": tie.in_touch,
                }
                for tie in ties
            ],
        }
    )


async def audit(request: web.Request, reader: Reader) -> web.StreamResponse:
    """A page of the audit log, newest first: for admins only."""
    t = reader.t
    if not reader.viewer.may(Action.SEE_AUDIT):
        return refusal(403, texts.ADMINS_ONLY, t)
    try:
        page = _integer(request.query, "page", 1, 1, 1_000_000)
    except BadQuery:
        return _bad(reader)
    repository = request.app[STORES].audit
    entries = await repository.latest(offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return web.json_response(
        {
            "total": await repository.count(),
            "page": page,
            "per_page": PER_PAGE,
            "rows": [
                {
                    "at": entry.at.isoformat(),
                    "actor": entry.actor_name if entry.actor_id is not None else None,
                    "action": entry.action.value,
                    "action_label": t.gettext(ACTION_LABELS[entry.action]),
                    "partnership_id": entry.partnership_id,
                    "subject": entry.subject_name if entry.subject_id is not None else None,
                    "before": entry.before,
                    "after": entry.after,
                }
                for entry in entries
            ],
        }
    )


ROUTES: dict[str, Handler] = {
    "me": me,
    "partnerships": partnerships,
    "partnerships.csv": partnerships_csv,
    "partnerships/{id:[0-9]+}": partnership,
    "trends": trends,
    "audit": audit,
}
