"""The contact log in storage: what is stored, what is refused, and what the status card derives from it."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from storage.contacts import (
    Channel,
    ContactFields,
    ContactRepository,
    ContactSummary,
    InvalidContact,
)
from storage.conversations import ConversationRepository
from storage.db import Database
from storage.members import MemberRepository, Role
from storage.partnerships import PartnershipRepository
from storage.records import PartnershipFields
from tests.factories import partnership_fields

TODAY = date(2024, 6, 15)
ALICE = 501
BORIS = 502


def fields(name: str, established: int | None = None) -> PartnershipFields:
    return partnership_fields(
        partner_name=name, partner_region="", established_year=established, checkin_days=None
    )


@pytest.fixture
async def pskov(db: Database) -> int:
    partnership = await PartnershipRepository(db).add(
        fields("Pskov"), status_since=None, status_note="", recorded_by="tests"
    )
    return partnership.id


@pytest.fixture
async def members(db: Database, pskov: int) -> MemberRepository:
    repo = MemberRepository(db)
    for member_id, name in ((ALICE, "Alice"), (BORIS, "Boris")):
        await repo.upsert(member_id, first_name=name, last_name="Test", username=None, telegram_language="en")
        await repo.add_membership(member_id, pskov, Role.MEMBER)
    return repo


@pytest.fixture
def contacts(db: Database) -> ContactRepository:
    return ContactRepository(db)


def zoom(
    pid: int, on: date, summary: str = "Met the youth council", channel: Channel = Channel.ZOOM
) -> ContactFields:
    return ContactFields(pid, channel, on, summary, None)


async def test_a_contact_is_stored_with_its_author(
    contacts: ContactRepository, members: MemberRepository, pskov: int
) -> None:
    saved = await contacts.add(
        ALICE, ContactFields(pskov, Channel.ZOOM, TODAY, "  Met them  ", 12), today=TODAY
    )
    again = await contacts.get(saved.id)
    assert again is not None
    assert (again.channel, again.contact_date, again.summary, again.participants) == (
        Channel.ZOOM,
        TODAY,
        "Met them",
        12,
    )
    assert again.member_id == ALICE
    assert again.author_name == "Alice Test"
    assert again.edited_at is None


@pytest.mark.parametrize(
    "bad",
    [
        ContactFields(0, Channel.ZOOM, TODAY + timedelta(days=1), "future"),
        ContactFields(0, Channel.ZOOM, date(1949, 12, 31), "too old"),
        ContactFields(0, Channel.ZOOM, TODAY, "   "),
        ContactFields(0, Channel.ZOOM, TODAY, "x" * 1001),
        ContactFields(0, Channel.ZOOM, TODAY, "ok", 0),
    ],
)
async def test_impossible_contacts_are_refused(
    contacts: ContactRepository, members: MemberRepository, pskov: int, bad: ContactFields
) -> None:
    with pytest.raises(InvalidContact):
        await contacts.add(ALICE, replace(bad, partnership_id=pskov), today=TODAY)
    assert await contacts.count(pskov) == 0


async def test_the_table_itself_refuses_what_the_code_would(db: Database, pskov: int) -> None:
    async with db.transaction() as conn:
        for channel, day, summary in (
            ("carrier pigeon", "2024-01-01", "x"),
            ("zoom", "2024-02-30", "x"),
            ("zoom", "yesterday", "x"),
            ("zoom", "2024-01-01", ""),
        ):
            with pytest.raises(sqlite3.IntegrityError):
                await conn.execute(
                    "INSERT INTO contacts (partnership_id, channel, contact_date, summary, created_at)"
                    " VALUES (?, ?, ?, ?, '2024-01-01')",
                    (pskov, channel, day, summary),
                )


async def test_history_is_newest_first_a_page_at_a_time(
    contacts: ContactRepository, members: MemberRepository, pskov: int
) -> None:
    for day in range(1, 13):
        await contacts.add(ALICE, zoom(pskov, date(2024, 5, day), f"day {day}"), today=TODAY)
    first = await contacts.history(pskov, offset=0, limit=5)
    third = await contacts.history(pskov, offset=10, limit=5)
    assert [c.summary for c in first] == [f"day {d}" for d in (12, 11, 10, 9, 8)]
    assert [c.summary for c in third] == ["day 2", "day 1"]
    assert await contacts.count(pskov) == 12


async def test_forgetting_the_author_keeps_the_contact_as_a_former_members(
    contacts: ContactRepository, members: MemberRepository, pskov: int
) -> None:
    saved = await contacts.add(ALICE, zoom(pskov, TODAY), today=TODAY)
    await contacts.start_draft(ALICE, "tok", partnership_id=pskov)
    assert await members.forget(ALICE)
    kept = await contacts.get(saved.id)
    assert kept is not None
    assert kept.member_id is None
    assert kept.author_name is None
    assert kept.summary == "Met the youth council"
    assert await contacts.draft(ALICE) is None  # the draft was personal: it goes with the member


async def test_edit_and_delete(contacts: ContactRepository, members: MemberRepository, pskov: int) -> None:
    saved = await contacts.add(ALICE, zoom(pskov, TODAY), today=TODAY)
    edited = await contacts.update(saved.id, zoom(pskov, TODAY, "Corrected"), today=TODAY)
    assert edited is not None
    assert edited.summary == "Corrected"
    assert edited.edited_at is not None
    assert await contacts.delete(saved.id)
    assert not await contacts.delete(saved.id)
    assert await contacts.update(saved.id, zoom(pskov, TODAY), today=TODAY) is None


async def test_last_contact_and_recent_count_are_derived_from_the_log(
    contacts: ContactRepository, members: MemberRepository, pskov: int, db: Database
) -> None:
    other = (
        await PartnershipRepository(db).add(
            fields("Wonju"), status_since=None, status_note="", recorded_by="t"
        )
    ).id
    assert await contacts.last_contact(pskov) is None
    await contacts.add(ALICE, zoom(pskov, date(2024, 1, 10), "old"), today=TODAY)
    await contacts.add(ALICE, zoom(pskov, date(2024, 6, 1), "newest", Channel.PHONE), today=TODAY)
    await contacts.add(BORIS, zoom(pskov, date(2024, 4, 1), "logged last, dated earlier"), today=TODAY)
    last = await contacts.last_contact(pskov)
    assert last is not None
    assert (last.summary, last.channel) == ("newest", Channel.PHONE)
    since = TODAY - timedelta(days=90)
    assert await contacts.contacts_since(pskov, since) == 2
    assert await contacts.counts_since([pskov, other], since) == {pskov: 2}
    batch = await contacts.last_contacts([pskov, other])
    assert set(batch) == {pskov}
    assert batch[pskov].summary == "newest"
    summary = await contacts.summary_of([pskov, other], TODAY)
    assert summary[other] == ContactSummary(None, 0, None)
    assert summary[pskov].recent_count == 2


@pytest.mark.parametrize(
    ("received_after", "awaiting"),
    [(None, True), (0, False), (30, False), (60, False), (61, False), (-1, True)],
)
async def test_a_letter_sent_with_no_letter_received_since_awaits_a_reply(
    contacts: ContactRepository,
    members: MemberRepository,
    pskov: int,
    received_after: int | None,
    awaiting: bool,
) -> None:
    sent_on = date(2024, 1, 10)
    await contacts.add(ALICE, zoom(pskov, sent_on, "sent", Channel.LETTER_SENT), today=TODAY)
    if received_after is not None:
        on = sent_on + timedelta(days=received_after)
        await contacts.add(ALICE, zoom(pskov, on, "received", Channel.LETTER_RECEIVED), today=TODAY)
    letter = await contacts.awaiting_reply(pskov, TODAY)
    assert (letter is not None) is awaiting
    if letter:
        assert letter.contact_date == sent_on
    assert (pskov in await contacts.awaiting_replies([pskov], TODAY)) is awaiting


async def test_a_letter_is_awaited_only_after_60_days_without_a_reply(
    contacts: ContactRepository, members: MemberRepository, pskov: int
) -> None:
    await contacts.add(
        ALICE, zoom(pskov, TODAY - timedelta(days=59), "sent", Channel.LETTER_SENT), today=TODAY
    )
    assert await contacts.awaiting_reply(pskov, TODAY) is None
    assert await contacts.awaiting_reply(pskov, TODAY + timedelta(days=1)) is not None


async def test_only_the_latest_letter_sent_awaits_a_reply(
    contacts: ContactRepository, members: MemberRepository, pskov: int
) -> None:
    await contacts.add(ALICE, zoom(pskov, date(2024, 1, 1), "first", Channel.LETTER_SENT), today=TODAY)
    await contacts.add(ALICE, zoom(pskov, date(2024, 2, 1), "reply", Channel.LETTER_RECEIVED), today=TODAY)
    assert await contacts.awaiting_reply(pskov, TODAY) is None
    await contacts.add(ALICE, zoom(pskov, date(2024, 6, 1), "second", Channel.LETTER_SENT), today=TODAY)
    letter = await contacts.awaiting_reply(pskov, date(2024, 8, 1))
    assert letter is not None
    assert letter.summary == "second"


async def test_a_draft_is_filled_in_step_by_step_and_replaced_by_a_new_one(
    contacts: ContactRepository, members: MemberRepository, pskov: int
) -> None:
    draft = await contacts.start_draft(ALICE, "one")
    assert draft.complete() is None
    await contacts.update_draft(ALICE, partnership_id=pskov, channel=Channel.EMAIL)
    await contacts.update_draft(ALICE, contact_date=TODAY, summary="Wrote to the mayor", participants=3)
    draft = await contacts.update_draft(ALICE, reviewing=True)
    assert draft is not None
    assert draft.reviewing
    assert draft.complete() == ContactFields(pskov, Channel.EMAIL, TODAY, "Wrote to the mayor", 3)
    fresh = await contacts.start_draft(ALICE, "two")
    assert (fresh.token, fresh.channel, fresh.reviewing) == ("two", None, False)
    await contacts.drop_draft(ALICE)
    assert await contacts.update_draft(ALICE, summary="gone") is None
    with pytest.raises(TypeError):
        await contacts.update_draft(ALICE, token="forged")


async def test_conversation_states_survive_a_reopened_database(tmp_path: Path) -> None:
    path = tmp_path / "states.db"
    db = await Database.open(path)
    try:
        await ConversationRepository(db).set_state("log", (7, 7), 3)
        await ConversationRepository(db).set_state("log", (8, 8), 1)
        await ConversationRepository(db).set_state("log", (8, 8), None)
    finally:
        await db.close()
    db = await Database.open(path)
    try:
        assert await ConversationRepository(db).states("log") == {(7, 7): 3}
        assert await ConversationRepository(db).states("other") == {}
    finally:
        await db.close()


async def test_the_log_is_indexed_for_the_questions_asked_of_it(tmp_path: Path) -> None:
    path = tmp_path / "plan.db"
    await (await Database.open(path)).close()
    conn = sqlite3.connect(path)
    try:
        plans = {
            "last": "SELECT * FROM contacts WHERE partnership_id = 1"
            " ORDER BY contact_date DESC, id DESC LIMIT 1",
            "period": "SELECT COUNT(*) FROM contacts"
            " WHERE partnership_id = 1 AND contact_date >= '2024-01-01'",
            "network": "SELECT COUNT(*) FROM contacts WHERE contact_date >= '2024-01-01'",
        }
        for name, query in plans.items():
            plan = " ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {query}"))
            assert "USING" in plan, (name, plan)
            assert "INDEX" in plan, (name, plan)
            assert "TEMP B-TREE" not in plan, (name, plan)
    finally:
        conn.close()


async def test_a_summary_with_nul_is_refused_before_sqlite_would_cut_it(
    contacts: ContactRepository, members: MemberRepository, pskov: int
) -> None:
    with pytest.raises(InvalidContact):
        await contacts.add(ALICE, zoom(pskov, TODAY, "before\x00after"), today=TODAY)
    assert await contacts.count(pskov) == 0
