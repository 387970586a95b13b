"""The dashboard's data: the table with its filters, sort, pages and CSV, one partnership, and trends."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.context import BotApplication
from bot.sandbox import BotApiServer, SandboxUser
from storage.contacts import Channel, ContactFields
from storage.members import Role
from storage.records import Status
from tests.dashboard.conftest import DashboardClient
from tests.people import KOSTROMA, PSKOV, Who, partnership_id, person, seat, services_of

TODAY = datetime.now(UTC).date()


@pytest.fixture
async def staff(dashboard_bot: BotApplication, sandbox: BotApiServer) -> SandboxUser:
    return await person(dashboard_bot, sandbox, Who.STAFF)


async def log_contact(
    bot: BotApplication, pair: tuple[str, str, str, str], days_ago: int, channel: Channel
) -> None:
    pid = await partnership_id(bot, pair)
    fields = ContactFields(pid, channel, TODAY - timedelta(days=days_ago), "Zoom with the youth council", 12)
    await services_of(bot).contacts.add(None, fields, today=TODAY)


async def test_the_table_shows_every_sample_partnership_with_what_the_card_derives(
    dashboard_bot: BotApplication,
    dashboard: DashboardClient,
    staff: SandboxUser,
    sign_for: Any,
    sandbox: BotApiServer,
) -> None:
    coordinator = await person(dashboard_bot, sandbox, Who.COORDINATOR)
    await log_contact(dashboard_bot, PSKOV, 3, Channel.ZOOM)
    await log_contact(dashboard_bot, PSKOV, 200, Channel.LETTER_SENT)
    status, body = await dashboard.get("api/partnerships", sign_for(staff))
    assert status == 200
    assert body["total"] == 8
    pairs = [(row["us_name"], row["partner_name"]) for row in body["rows"]]
    assert pairs[:2] == [("Durham", "Kostroma"), ("Durham", "Toyama")]  # sorted by the US member
    pskov = next(row for row in body["rows"] if row["partner_name"] == "Pskov")
    assert pskov["country"] == "Russia"
    assert pskov["status"] == "active"
    assert pskov["status_since"] == "2022-03-07"
    assert "Pskov included" in pskov["status_note"]
    assert pskov["last_contact"] == (TODAY - timedelta(days=3)).isoformat()
    assert pskov["last_channel"] == "zoom"
    assert pskov["recent_contacts"] == 1
    # As on the card: 30 days from the last contact, or from registration if that came later (today).
    assert pskov["next_checkin"] == (TODAY + timedelta(days=30)).isoformat()
    assert pskov["committee_size"] == 1
    assert pskov["coordinators"] == [coordinator.first_name]
    maryland = next(row for row in body["rows"] if row["us_name"] == "Maryland")
    assert maryland["status"] == "terminated"
    assert maryland["next_checkin"] is None
    assert maryland["last_contact"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "Russia"}, {"Pskov", "Kostroma", "Leningrad Oblast", "Stavropol Krai"}),
        ({"country": "japan"}, {"Toyama"}),
        ({"status": "terminated"}, {"Leningrad Oblast", "Stavropol Krai"}),
        ({"country": "Russia", "status": "active"}, {"Pskov", "Kostroma"}),
        ({"q": "roanoke"}, {"Pskov", "Wonju", "Kisumu", "Saint-Lô"}),
        ({"q": "oblast"}, {"Pskov", "Kostroma", "Leningrad Oblast"}),  # partner regions count
    ],
)
async def test_filters_narrow_the_table(
    dashboard: DashboardClient, staff: SandboxUser, sign_for: Any, params: dict[str, str], expected: set[str]
) -> None:
    status, body = await dashboard.get("api/partnerships", sign_for(staff), **params)
    assert status == 200
    assert {row["partner_name"] for row in body["rows"]} == expected
    assert body["total"] == len(expected)


async def test_a_date_range_keeps_partnerships_with_a_contact_in_it(
    dashboard_bot: BotApplication, dashboard: DashboardClient, staff: SandboxUser, sign_for: Any
) -> None:
    await log_contact(dashboard_bot, PSKOV, 3, Channel.ZOOM)
    await log_contact(dashboard_bot, KOSTROMA, 40, Channel.EMAIL)
    since = (TODAY - timedelta(days=10)).isoformat()
    _status, body = await dashboard.get("api/partnerships", sign_for(staff), **{"from": since})
    assert [row["partner_name"] for row in body["rows"]] == ["Pskov"]
    until = (TODAY - timedelta(days=30)).isoformat()
    _status, body = await dashboard.get("api/partnerships", sign_for(staff), to=until)
    assert [row["partner_name"] for row in body["rows"]] == ["Kostroma"]


async def test_at_risk_only(
    dashboard_bot: BotApplication, dashboard: DashboardClient, staff: SandboxUser, sign_for: Any
) -> None:
    pid = await partnership_id(dashboard_bot, KOSTROMA)
    db = services_of(dashboard_bot).db
    async with db.transaction() as conn:
        await conn.execute(
            """
            INSERT INTO checkin_cycles (partnership_id, quiet_since, due_date, state, next_on, created_at)
            VALUES (?, '2026-01-01', '2026-02-01', 'at_risk', '2026-02-15', '2026-02-01T00:00:00+00:00')
            """,
            (pid,),
        )
    _status, body = await dashboard.get("api/partnerships", sign_for(staff), at_risk=1)
    assert [(row["partner_name"], row["at_risk"]) for row in body["rows"]] == [("Kostroma", True)]


async def test_sorting_and_pages(
    dashboard_bot: BotApplication, dashboard: DashboardClient, staff: SandboxUser, sign_for: Any
) -> None:
    await log_contact(dashboard_bot, PSKOV, 3, Channel.ZOOM)
    await log_contact(dashboard_bot, KOSTROMA, 40, Channel.EMAIL)
    init_data = sign_for(staff)
    _status, body = await dashboard.get("api/partnerships", init_data, sort="last_contact", order="desc")
    assert [row["partner_name"] for row in body["rows"][:2]] == ["Pskov", "Kostroma"]
    _status, body = await dashboard.get("api/partnerships", init_data, sort="partner", per_page=3, page=2)
    assert body["total"] == 8
    assert [row["partner_name"] for row in body["rows"]] == ["Pskov", "Saint-Lô", "Stavropol Krai"]
    _status, body = await dashboard.get("api/partnerships", init_data, per_page=3, page=9)
    assert (body["rows"], body["total"]) == ([], 8)
    for bad in ({"sort": "password"}, {"status": "gone"}, {"from": "yesterday"}, {"page": "0"}):
        status, reply = await dashboard.get("api/partnerships", init_data, **bad)
        assert status == 400, bad
        assert "reload" in reply["message"]


async def test_the_csv_holds_what_the_table_shows(
    dashboard: DashboardClient, staff: SandboxUser, sign_for: Any
) -> None:
    status, text = await dashboard.get(
        "api/partnerships.csv", sign_for(staff), country="Russia", sort="partner"
    )
    assert status == 200
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["US member", "state", "Partner"]
    assert [row[2] for row in rows[1:]] == ["Kostroma", "Leningrad Oblast", "Pskov", "Stavropol Krai"]


async def test_the_csv_link_may_carry_init_data_where_a_download_cannot_send_a_header(
    dashboard: DashboardClient, staff: SandboxUser, sign_for: Any
) -> None:
    url = f"{dashboard.base}api/partnerships.csv"
    async with dashboard.session.get(url, params={"init_data": sign_for(staff)}) as response:
        assert response.status == 200
        assert response.headers["Content-Disposition"] == 'attachment; filename="partnerships.csv"'
    # Only the download: the JSON endpoints want the header.
    async with dashboard.session.get(
        f"{dashboard.base}api/me", params={"init_data": sign_for(staff)}
    ) as response:
        assert response.status == 401


async def test_a_partnership_s_page_has_its_card_history_log_and_committee(
    dashboard_bot: BotApplication,
    dashboard: DashboardClient,
    staff: SandboxUser,
    sign_for: Any,
    sandbox: BotApiServer,
) -> None:
    pid = await seat(dashboard_bot, sandbox.user("Sam", username="sam"), PSKOV, Role.COORDINATOR)
    await log_contact(dashboard_bot, PSKOV, 3, Channel.ZOOM)
    await log_contact(dashboard_bot, PSKOV, 20, Channel.LETTER_RECEIVED)
    await services_of(dashboard_bot).partnerships.set_status(
        pid,
        Status.PAUSED,
        effective_date=TODAY,
        recorded_by="tests",
        reason="Elections",
        decided_by="Council",
    )
    status, body = await dashboard.get(f"api/partnerships/{pid}", sign_for(staff))
    assert status == 200
    assert body["card"]["status"] == "paused"
    assert [(h["status"], h["date"]) for h in body["history"]] == [
        ("paused", TODAY.isoformat()),
        ("active", "2022-03-07"),
    ]
    assert body["history"][0]["reason"] == "Elections"
    assert body["history"][0]["decided_by"] == "Council"
    assert [c["channel"] for c in body["contacts"]["rows"]] == ["zoom", "letter_received"]
    assert body["contacts"]["rows"][0]["author"] is None  # logged without an author: "a former member"
    assert body["committee"] == [{"name": "Sam", "username": "sam", "role": "coordinator"}]
    since = (TODAY - timedelta(days=10)).isoformat()
    _status, body = await dashboard.get(f"api/partnerships/{pid}", sign_for(staff), **{"from": since})
    assert body["contacts"]["total"] == 1
    status, _body = await dashboard.get("api/partnerships/9999", sign_for(staff))
    assert status == 404


async def test_trends_count_contacts_by_month_and_channel_statuses_and_ties(
    dashboard_bot: BotApplication, dashboard: DashboardClient, staff: SandboxUser, sign_for: Any
) -> None:
    await log_contact(dashboard_bot, PSKOV, 0, Channel.ZOOM)
    await log_contact(dashboard_bot, PSKOV, 0, Channel.ZOOM)
    await log_contact(dashboard_bot, KOSTROMA, 0, Channel.EMAIL)
    status, body = await dashboard.get("api/trends", sign_for(staff))
    assert status == 200
    assert len(body["months"]) == 12
    assert body["months"][-1] == TODAY.strftime("%Y-%m")
    assert body["contacts"]["zoom"][-1] == 2
    assert body["contacts"]["email"][-1] == 1
    # Six active ties (all with no date or since 2022) and two terminated ones, every month.
    assert body["statuses"]["active"] == [6] * 12
    assert body["statuses"]["terminated"] == [2] * 12
    russia = next(c for c in body["countries"] if c["country"] == "Russia")
    assert (russia["total"], russia["kept"], russia["ended"], russia["in_touch"]) == (4, 2, 2, 2)
    _status, body = await dashboard.get("api/trends", sign_for(staff), country="Japan")
    assert body["contacts"] == {}
    assert [c["country"] for c in body["countries"]] == ["Japan"]
    first = date(TODAY.year - 1, 1, 1)
    _status, body = await dashboard.get(
        "api/trends", sign_for(staff), **{"from": first.isoformat(), "to": TODAY.isoformat()}
    )
    assert body["months"][0] == first.strftime("%Y-%m")


async def test_the_page_s_words_come_in_the_reader_s_language(
    dashboard_bot: BotApplication, dashboard: DashboardClient, sandbox: BotApiServer, sign_for: Any
) -> None:
    olga = await person(dashboard_bot, sandbox, Who.STAFF)
    _status, me = await dashboard.get("api/me", sign_for(olga, language="ru"))
    assert me["language"] == "ru"
    assert me["texts"]["partnerships"] == "Партнёрства"
    assert me["statuses"]["terminated"] != "terminated"
    russia = next(c for c in me["countries"] if c["value"] == "Russia")
    assert russia["label"] == "Россия"
    # A choice made with /language wins over the Telegram app's language.
    await services_of(dashboard_bot).members.set_language(olga.id, "en")
    _status, me = await dashboard.get("api/me", sign_for(olga, language="ru"))
    assert me["texts"]["partnerships"] == "Partnerships"
