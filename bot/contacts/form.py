"""What a member picks or types when logging a contact: the channels in their words, and the one-line form."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.contacts.dates import parse_date
from bot.i18n import N_
from storage.contacts import MAX_PARTICIPANTS, SUMMARY_LIMIT, Channel

# The channels as buttons and in the history, in the order they are offered.
CHANNEL_LABELS = {
    Channel.ZOOM: N_("Zoom or video call"),
    Channel.LETTER_SENT: N_("Letter sent"),
    Channel.LETTER_RECEIVED: N_("Letter received"),
    Channel.EMAIL: N_("E-mail"),
    Channel.PHONE: N_("Phone"),
    Channel.IN_PERSON: N_("In person"),
    Channel.OTHER: N_("Other"),
}

# What people write for each channel in the one-line form, in English and Russian (lower case).
_CHANNEL_WORDS = {
    Channel.ZOOM: "zoom video videocall video-call skype teams meet зум видео видеозвонок созвон",
    Channel.LETTER_SENT: "letter-sent sent-letter sent wrote отправили отправлено написали письмо-отправлено",
    Channel.LETTER_RECEIVED: "letter-received received-letter received got получили получено письмо-получено",
    Channel.EMAIL: "email e-mail емейл имейл email-письмо",
    Channel.PHONE: "phone telephone phonecall phone-call call телефон звонок",
    Channel.IN_PERSON: "in-person inperson person meeting visit met лично встреча визит",
    Channel.OTHER: "other другое прочее",
}
CHANNEL_WORDS = {word: channel for channel, words in _CHANNEL_WORDS.items() for word in words.split()}
# Two words that name one channel: "letter sent", "письмо получено".
_CHANNEL_PAIRS = {
    ("letter", "sent"): Channel.LETTER_SENT,
    ("sent", "letter"): Channel.LETTER_SENT,
    ("letter", "received"): Channel.LETTER_RECEIVED,
    ("received", "letter"): Channel.LETTER_RECEIVED,
    ("got", "letter"): Channel.LETTER_RECEIVED,
    ("in", "person"): Channel.IN_PERSON,
    ("video", "call"): Channel.ZOOM,
    ("phone", "call"): Channel.PHONE,
    ("письмо", "отправлено"): Channel.LETTER_SENT,
    ("отправили", "письмо"): Channel.LETTER_SENT,
    ("письмо", "получено"): Channel.LETTER_RECEIVED,
    ("получили", "письмо"): Channel.LETTER_RECEIVED,
    ("эл.", "почта"): Channel.EMAIL,
}
# A letter (or post: "mail", "почта") without saying which way it went: asked, never guessed.
_LETTER_WORDS = frozenset({"letter", "письмо", "mail", "почта"})
_PARTICIPANTS = re.compile(r"([0-9]{1,6})(?:\s+[^\W\d_]{1,20})?\.?")
MAX_DATE_WORDS = 4  # "10 апреля 2022 г."
MAX_LINE = 2000  # anything longer is not a quick note; the summary limit is checked separately


class LineProblem(StrEnum):
    """Why a one-line /log could not be read; each has its explanation below."""

    NO_CHANNEL = "no_channel"
    LETTER_WITHOUT_DIRECTION = "letter_without_direction"
    NO_DATE = "no_date"
    NO_SUMMARY = "no_summary"
    TOO_LONG = "too_long"


LINE_EXPLANATIONS = {
    LineProblem.NO_CHANNEL: N_(
        "The first word should say how you were in touch: zoom, sent, received, email, "
        "phone, in-person or other."
    ),
    LineProblem.LETTER_WITHOUT_DIRECTION: N_(
        "Was the letter sent or received? Start with letter-sent or letter-received, for example: "
        "/log letter-sent yesterday Wrote to the mayor"
    ),
    LineProblem.NO_DATE: N_(
        "After how you were in touch, write when: today, yesterday, 10.04.2022 or April 10."
    ),
    LineProblem.NO_SUMMARY: N_("After the date, write in a few words what happened."),
    LineProblem.TOO_LONG: N_("What happened must fit in {limit} characters; please shorten it."),
}


@dataclass(frozen=True, slots=True)
class ContactLine:
    """A contact read from one line: `zoom yesterday Met the Pskov youth council`."""

    channel: Channel
    contact_date: date
    summary: str


def channel_from(words: list[str]) -> tuple[Channel, int] | None:
    """The channel the first words name, and how many words it took."""
    if len(words) >= 2:
        pair = (words[0].casefold(), words[1].casefold())
        if pair in _CHANNEL_PAIRS:
            return _CHANNEL_PAIRS[pair], 2
    if words and (channel := CHANNEL_WORDS.get(words[0].casefold().rstrip(",:;"))):
        return channel, 1
    return None


def clean_summary(text: str) -> str:
    """A summary as stored: control characters dropped (SQLite ends a text at NUL), blanks trimmed."""
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def parse_participants(text: str) -> int | None:
    """A typed number of people ("12", "12 people", "12 человек"), 1 to MAX_PARTICIPANTS, or None."""
    match = _PARTICIPANTS.fullmatch(text.strip())
    if match is None:
        return None
    number = int(match[1])
    return number if 1 <= number <= MAX_PARTICIPANTS else None


def parse_contact_line(text: str, today: date, *, language: str = "en") -> ContactLine | LineProblem:
    """Read `<channel> <date> <what happened>`; never raises.

    The date is the longest run of up to MAX_DATE_WORDS words after the channel that reads as one, so
    "10 April 2022 Met…" and "April 10 Met…" both work. Whether the date is possible for the partnership
    is checked by the caller, who knows which partnership it is.
    """
    if len(text) > MAX_LINE:
        return LineProblem.TOO_LONG
    words = text.split()
    found = channel_from(words)
    if found is None:
        if words and words[0].casefold().rstrip(",:;") in _LETTER_WORDS:
            return LineProblem.LETTER_WITHOUT_DIRECTION
        return LineProblem.NO_CHANNEL
    channel, used = found
    rest = text.split(maxsplit=used)[used:] if len(words) > used else []
    remainder = rest[0] if rest else ""
    date_words = remainder.split(maxsplit=MAX_DATE_WORDS)
    for count in range(min(MAX_DATE_WORDS, len(date_words)), 0, -1):
        value = parse_date(" ".join(date_words[:count]), today, language=language)
        if value is None:
            continue
        after = remainder.split(maxsplit=count)
        # "zoom today – Met them": the dash between date and summary is not part of the summary.
        summary = clean_summary((after[count] if len(after) > count else "").lstrip("-–—:"))
        if not summary:
            return LineProblem.NO_SUMMARY
        if len(summary) > SUMMARY_LIMIT:
            return LineProblem.TOO_LONG
        return ContactLine(channel, value, summary)
    return LineProblem.NO_DATE
