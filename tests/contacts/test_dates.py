"""Reading dates as members type them, and refusing the ones a contact cannot have."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from bot.contacts.dates import DateProblem, check_contact_date, parse_date, read_contact_date, today_in

TODAY = date(2024, 3, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-04-10", date(2022, 4, 10)),
        ("2022/4/10", date(2022, 4, 10)),
        ("10.04.2022", date(2022, 4, 10)),
        ("10.04.22", date(2022, 4, 10)),
        ("10.04", date(2023, 4, 10)),  # no year: the latest 10 April not after today
        ("10.03", date(2024, 3, 10)),
        ("April 10", date(2023, 4, 10)),
        ("april 10, 2022", date(2022, 4, 10)),
        ("Apr. 10th 2022", date(2022, 4, 10)),
        ("10 April 2022", date(2022, 4, 10)),
        ("10th of April", date(2023, 4, 10)),
        ("10 апреля", date(2023, 4, 10)),
        ("10 апреля 2022 г.", date(2022, 4, 10)),
        ("10 апр. 2022", date(2022, 4, 10)),
        ("1 мая 2022 года", date(2022, 5, 1)),
        ("  Today ", TODAY),
        ("сегодня", TODAY),
        ("yesterday", date(2024, 3, 14)),
        ("Вчера", date(2024, 3, 14)),
        ("позавчера", date(2024, 3, 13)),
        ("tomorrow", date(2024, 3, 16)),
        ("Завтра", date(2024, 3, 16)),
        ("the day after tomorrow", date(2024, 3, 17)),
        ("послезавтра", date(2024, 3, 17)),
        ("3 days ago", date(2024, 3, 12)),
        ("5 дней назад", date(2024, 3, 10)),
        ("29 Feb", date(2024, 2, 29)),
        ("13/10/2022", date(2022, 10, 13)),  # only one reading is a date
    ],
)
def test_dates_are_read_forgivingly_in_both_languages(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


def test_an_ambiguous_slash_follows_the_readers_language() -> None:
    assert parse_date("4/10/2022", TODAY, language="en") == date(2022, 4, 10)
    assert parse_date("4/10/2022", TODAY, language="ru") == date(2022, 10, 4)


@pytest.mark.parametrize(
    "text", ["", "   ", "hello", "31.02.2022", "September 31", "2022-13-01", "Zoom", "10 smarch", "0.0.0000"]
)
def test_what_is_not_a_date_is_not_read_as_one(text: str) -> None:
    assert parse_date(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "established", "problem"),
    [
        ("tomorrow-ish 2099-01-01", None, DateProblem.UNREADABLE),
        ("2024-03-16", None, DateProblem.FUTURE),
        ("tomorrow", None, DateProblem.FUTURE),
        ("завтра", None, DateProblem.FUTURE),
        ("послезавтра", None, DateProblem.FUTURE),
        ("day after tomorrow", None, DateProblem.FUTURE),
        ("1949-12-31", None, DateProblem.TOO_OLD),
        ("10.04.1990", 1991, DateProblem.BEFORE_PARTNERSHIP),
    ],
)
def test_impossible_contact_dates_are_refused_with_the_reason(
    text: str, established: int | None, problem: DateProblem
) -> None:
    assert read_contact_date(text, TODAY, established_year=established) is problem


def test_a_possible_contact_date_is_accepted() -> None:
    assert read_contact_date("01.01.1991", TODAY, established_year=1991) == date(1991, 1, 1)
    assert read_contact_date("today", TODAY) == TODAY


@given(text=st.text(max_size=200), today=st.dates())
def test_no_text_makes_the_parser_raise(text: str, today: date) -> None:
    for language in ("en", "ru"):
        value = parse_date(text, today, language=language)
        assert value is None or isinstance(value, date)


_DATE_WORDS = st.sampled_from(
    ["today", "yesterday", "вчера", "April", "апреля", "Feb", "of", "days", "ago", "назад", "г.", ",", "."]
)


@given(
    parts=st.lists(st.one_of(_DATE_WORDS, st.integers(-5, 100_000).map(str)), max_size=5),
    separators=st.sampled_from([" ", ".", "/", "-"]),
    today=st.dates(),
    established=st.none() | st.integers(1, 9999),
)
def test_an_accepted_contact_date_is_always_possible(
    parts: list[str], separators: str, today: date, established: int | None
) -> None:
    value = read_contact_date(separators.join(parts), today, established_year=established)
    if isinstance(value, date):
        assert check_contact_date(value, today, established) is None
        assert date(1950, 1, 1) <= value <= today
        assert established is None or value.year >= established


def test_today_is_the_members_own_day() -> None:
    # 03:00 UTC: still the 14th in New York (the network's default), already the 15th in Tokyo.
    with time_machine.travel(datetime(2024, 3, 15, 3, 0, tzinfo=UTC), tick=False):
        assert today_in(None, "America/New_York") == date(2024, 3, 14)
        assert today_in("Asia/Tokyo", "America/New_York") == date(2024, 3, 15)
        assert today_in("Not/A_Zone", "America/New_York") == date(2024, 3, 14)
