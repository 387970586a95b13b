"""The one-line /log form and the number of people: examples, and arbitrary text storing nothing invalid."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.contacts.dates import check_contact_date
from bot.contacts.form import ContactLine, LineProblem, parse_contact_line, parse_participants
from storage.contacts import SUMMARY_LIMIT, Channel, ContactFields, ContactRepository
from storage.db import Database
from storage.members import MemberRepository
from storage.partnerships import PartnershipRepository
from tests.factories import partnership_fields

TODAY = date(2024, 3, 15)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "zoom yesterday Met the Pskov youth council",
            ContactLine(Channel.ZOOM, date(2024, 3, 14), "Met the Pskov youth council"),
        ),
        ("Zoom, today: agenda", ContactLine(Channel.ZOOM, TODAY, "agenda")),
        ("zoom (yesterday) – Met them", ContactLine(Channel.ZOOM, date(2024, 3, 14), "Met them")),
        ("зум вчера Встретились", ContactLine(Channel.ZOOM, date(2024, 3, 14), "Встретились")),
        ("letter sent 10 April 2022 Photos", ContactLine(Channel.LETTER_SENT, date(2022, 4, 10), "Photos")),
        ("received 10.04.2022 Drawings", ContactLine(Channel.LETTER_RECEIVED, date(2022, 4, 10), "Drawings")),
        (
            "письмо получено 10 апреля 2022 г. Рисунки",
            ContactLine(Channel.LETTER_RECEIVED, date(2022, 4, 10), "Рисунки"),
        ),
        ("in person April 10 Visit", ContactLine(Channel.IN_PERSON, date(2023, 4, 10), "Visit")),
        (
            "email 2 days ago Sent\nthe minutes",
            ContactLine(Channel.EMAIL, date(2024, 3, 13), "Sent\nthe minutes"),
        ),
        ("phone today 2022 budget", ContactLine(Channel.PHONE, TODAY, "2022 budget")),
        ("fax today hi", LineProblem.NO_CHANNEL),
        ("letter yesterday Wrote to the mayor", LineProblem.LETTER_WITHOUT_DIRECTION),
        ("Письмо, вчера Написали мэру", LineProblem.LETTER_WITHOUT_DIRECTION),
        ("mail today hi", LineProblem.LETTER_WITHOUT_DIRECTION),
        ("почта сегодня Открытки", LineProblem.LETTER_WITHOUT_DIRECTION),
        ("letter-sent today hi", ContactLine(Channel.LETTER_SENT, TODAY, "hi")),
        ("письмо-получено сегодня Открытки", ContactLine(Channel.LETTER_RECEIVED, TODAY, "Открытки")),
        ("эл. почта сегодня Протокол", ContactLine(Channel.EMAIL, TODAY, "Протокол")),
        ("", LineProblem.NO_CHANNEL),
        ("zoom", LineProblem.NO_DATE),
        ("zoom soon hi", LineProblem.NO_DATE),
        ("zoom today", LineProblem.NO_SUMMARY),
        ("ZOOM TODAY \x00", LineProblem.NO_SUMMARY),  # found by the property test: SQLite ends text at NUL
        ("zoom today a\x00b\x07\nc", ContactLine(Channel.ZOOM, TODAY, "ab\nc")),
        ("zoom today " + "x" * (SUMMARY_LIMIT + 1), LineProblem.TOO_LONG),
    ],
)
def test_the_one_line_form(line: str, expected: ContactLine | LineProblem) -> None:
    assert parse_contact_line(line, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 3 ", 3),
        ("12 people", 12),
        ("12 человек", 12),
        ("0", None),
        ("-3", None),
        ("many", None),
    ],
)
def test_the_number_of_people(text: str, expected: int | None) -> None:
    assert parse_participants(text) == expected


_WORDS = st.sampled_from(
    [
        "zoom",
        "зум",
        "letter",
        "sent",
        "received",
        "письмо",
        "получено",
        "email",
        "phone",
        "in",
        "person",
        "other",
        "today",
        "yesterday",
        "вчера",
        "сегодня",
        "April",
        "апреля",
        "10",
        "2022",
        "1949",
        "2999",
        "10.04.2022",
        "31.02.2022",
        "4/10",
        "days",
        "ago",
        "назад",
        "г.",
        ",",
        ":",
        "\n",
    ]
)
LINES = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(_WORDS, st.text(max_size=12)), max_size=12).map(" ".join),
    st.text(max_size=1200).map(lambda tail: f"zoom today {tail}"),
)


def test_arbitrary_lines_never_raise_and_never_store_anything_invalid(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    path: Path = tmp_path_factory.mktemp("one-line") / "log.db"
    with asyncio.Runner() as runner:
        db = runner.run(Database.open(path))
        try:
            pid = runner.run(_setup(db))
            contacts = ContactRepository(db)

            @settings(max_examples=300, deadline=None)
            @given(
                line=LINES,
                today=st.dates(date(1950, 1, 1), date(2100, 1, 1)),
                established=st.none() | st.integers(1900, 2100),
            )
            def one_line(line: str, today: date, established: int | None) -> None:
                parsed = parse_contact_line(line, today, language="ru")
                before = runner.run(contacts.count(pid))
                if isinstance(parsed, LineProblem):
                    return
                assert parsed.summary == parsed.summary.strip()
                assert 1 <= len(parsed.summary) <= SUMMARY_LIMIT
                if check_contact_date(parsed.contact_date, today, established) is not None:
                    return  # refused and asked again: nothing reaches storage
                fields = ContactFields(pid, parsed.channel, parsed.contact_date, parsed.summary)
                saved = runner.run(contacts.add(None, fields, today=today))
                assert (saved.channel, saved.contact_date, saved.summary) == (
                    parsed.channel,
                    parsed.contact_date,
                    parsed.summary,
                )
                assert runner.run(contacts.count(pid)) == before + 1

            one_line()
            stored = runner.run(contacts.history(pid, limit=10_000))
            assert stored, "the strategy should produce some valid lines"
            for contact in stored:
                assert date(1950, 1, 1) <= contact.contact_date <= date(2100, 1, 1)
                assert 1 <= len(contact.summary) <= SUMMARY_LIMIT
        finally:
            runner.run(db.close())


async def _setup(db: Database) -> int:
    await MemberRepository(db).upsert(1, first_name="A", last_name="", username=None, telegram_language="en")
    partnership = await PartnershipRepository(db).add(
        partnership_fields(partner_region="", checkin_days=None),
        status_since=None,
        status_note="",
        recorded_by="tests",
    )
    return partnership.id
