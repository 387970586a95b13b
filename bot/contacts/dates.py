"""Dates as people type them, in English and Russian, and whether a contact date can be true."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import N_

EARLIEST_YEAR = 1950  # a contact before this is a typing mistake
MAX_DAYS_AGO = 36_600  # "N days ago" beyond a century is not a date anyone means
MAX_TEXT = 60  # a date is a few words; longer text is not one

_WORDS_TODAY = frozenset({"today", "now", "сегодня", "сейчас"})
_WORDS_YESTERDAY = frozenset({"yesterday", "вчера"})
_WORDS_DAY_BEFORE = frozenset({"day before yesterday", "the day before yesterday", "позавчера"})
# Read as dates so that a contact "tomorrow" is refused as in the future, not as unreadable.
_WORDS_TOMORROW = frozenset({"tomorrow", "завтра"})
_WORDS_DAY_AFTER = frozenset({"day after tomorrow", "the day after tomorrow", "послезавтра"})

_MONTH_NAMES = {
    1: "january jan январь января янв",
    2: "february feb февраль февраля фев февр",
    3: "march mar март марта мар",
    4: "april apr апрель апреля апр",
    5: "may май мая",
    6: "june jun июнь июня июн",
    7: "july jul июль июля июл",
    8: "august aug август августа авг",
    9: "september sep sept сентябрь сентября сен сент",
    10: "october oct октябрь октября окт",
    11: "november nov ноябрь ноября ноя нояб",
    12: "december dec декабрь декабря дек",
}
MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names.split()}

_MONTH = r"(?P<month>[a-zа-яё]+)\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|-?е|-?го)?"
_YEAR = r"(?P<year>\d{4})"
_PATTERNS = (
    # 2022-04-10, 2022/4/10, 2022.04.10
    re.compile(r"(?P<year>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<day>\d{1,2})"),
    # 10.04.2022, 10.04.22, 10.04 (day first, as Russians and most of Europe write it)
    re.compile(r"(?P<day>\d{1,2})\.(?P<m>\d{1,2})(?:\.(?P<year>\d{4}|\d{2}))?"),
    # 4/10/2022, 4/10 (month first in English, day first in Russian, unless only one reading is a date)
    re.compile(r"(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<year>\d{4}|\d{2}))?"),
    # 10 April 2022, 10th of April, 10 апреля 2022 г.
    re.compile(rf"{_DAY}(?: of)? {_MONTH}(?: {_YEAR})?"),
    # April 10, 2022; April 10th; Apr 10
    re.compile(rf"{_MONTH} {_DAY}(?: {_YEAR})?"),
)
_DAYS_AGO = re.compile(r"(?P<n>\d{1,6}) (?:days?|дн(?:я|ей|ь)|день) (?:ago|назад)")


class DateProblem(StrEnum):
    """Why a date cannot be a contact's date; each value is also the key of its explanation."""

    UNREADABLE = "unreadable"
    FUTURE = "future"
    TOO_OLD = "too_old"
    BEFORE_PARTNERSHIP = "before_partnership"


# What the member is told, with {year} for the partnership's founding year.
EXPLANATIONS = {
    DateProblem.UNREADABLE: N_(
        "I could not read that as a date. Try 2022-04-10, 10.04.2022, April 10, today or yesterday."
    ),
    DateProblem.FUTURE: N_("That date is in the future. A contact can only be logged once it has happened."),
    DateProblem.TOO_OLD: N_("That date is before 1950, which looks like a typing mistake."),
    DateProblem.BEFORE_PARTNERSHIP: N_("That date is before the partnership was established in {year}."),
}


def _clean(text: str) -> str:
    text = text.casefold().replace("ё", "е")
    text = re.sub(r"[,]+", " ", text)
    # Russian writes "2022 г." or "2022 года" after a year.
    text = re.sub(r"(\d{4})\s*(?:г\.?|года|год)(?=\s|$)", r"\1", text)
    # Punctuation around a date in a sentence: "today:", "10.04.2022,", "(yesterday)".
    return " ".join(text.split()).strip(" .:;()")


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _full_year(text: str | None) -> int | None:
    if text is None:
        return None
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def _without_year(month: int, day: int, today: date) -> date | None:
    """A day and month with no year: the latest such day not after today (logs are about the past)."""
    this_year = _make(today.year, month, day)
    if this_year is not None and this_year <= today:
        return this_year
    # 29 February with no year: the last leap year's.
    for year in range(today.year - 1, today.year - 9, -1):
        earlier = _make(year, month, day)
        if earlier is not None:
            return earlier
    return None


def _dated(year: int | None, month: int, day: int, today: date) -> date | None:
    if year is None:
        return _without_year(month, day, today)
    return _make(year, month, day)


def parse_date(text: str, today: date, *, language: str = "en") -> date | None:
    """The date a person meant, or None when the text is not a date; never raises.

    `today` is the reader's today (in their timezone); `language` settles 4/10 (April 10 in English,
    4 October in Russian) when both readings are dates.
    """
    cleaned = _clean(text[: MAX_TEXT * 2])
    if not cleaned or len(cleaned) > MAX_TEXT:
        return None
    if cleaned in _WORDS_TODAY:
        return today
    if cleaned in _WORDS_YESTERDAY:
        return _shift(today, 1)
    if cleaned in _WORDS_DAY_BEFORE:
        return _shift(today, 2)
    if cleaned in _WORDS_TOMORROW:
        return _shift(today, -1)
    if cleaned in _WORDS_DAY_AFTER:
        return _shift(today, -2)
    if match := _DAYS_AGO.fullmatch(cleaned):
        days = int(match["n"])
        return _shift(today, days) if days <= MAX_DAYS_AGO else None
    for pattern in _PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match is None:
            continue
        groups = match.groupdict()
        year = _full_year(groups.get("year"))
        if groups.get("a") is not None:
            return _slashed(int(groups["a"]), int(groups["b"]), year, today, language)
        if groups.get("month") is not None:
            month = MONTHS.get(groups["month"])
            return _dated(year, month, int(groups["day"]), today) if month else None
        return _dated(year, int(groups["m"]), int(groups["day"]), today)
    return None


def _slashed(a: int, b: int, year: int | None, today: date, language: str) -> date | None:
    month_first = _dated(year, a, b, today)
    day_first = _dated(year, b, a, today)
    if month_first and day_first:
        return day_first if language == "ru" else month_first
    return month_first or day_first


def _shift(today: date, days: int) -> date | None:
    """`days` before today (after it, when negative)."""
    try:
        return today - timedelta(days=days)
    except OverflowError:
        return None


def check_contact_date(value: date, today: date, established_year: int | None = None) -> DateProblem | None:
    """Why `value` cannot be the date of a contact, or None when it can."""
    if value.year < EARLIEST_YEAR:
        return DateProblem.TOO_OLD
    if established_year is not None and value.year < established_year:
        return DateProblem.BEFORE_PARTNERSHIP
    if value > today:
        return DateProblem.FUTURE
    return None


def read_contact_date(
    text: str, today: date, *, established_year: int | None = None, language: str = "en"
) -> date | DateProblem:
    """A typed contact date, or the reason it is refused."""
    value = parse_date(text, today, language=language)
    if value is None:
        return DateProblem.UNREADABLE
    return check_contact_date(value, today, established_year) or value


def today_in(timezone: str | None, default: str) -> date:
    """Today's date where a person is: their IANA timezone, else the network's default."""
    for name in (timezone, default):
        if name:
            try:
                return datetime.now(ZoneInfo(name)).date()
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return datetime.now(ZoneInfo("UTC")).date()
