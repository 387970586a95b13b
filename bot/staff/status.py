"""Status changes set by staff in the chat: the one-line form, the committee's notice, the dated history."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.contacts.dates import parse_date
from bot.i18n import LANGUAGES, Translator, translator
from bot.registry.cards import STATUS_WORDS
from storage.records import Partnership, Status, StatusChange

MAX_DECIDED_BY = 200
MAX_REASON = 1000  # as a CSV status_note
MAX_SOURCE = 500
FIRST_YEAR = 1900
_URL = re.compile(r"https?://\S+", re.IGNORECASE)


def status_word(status: Status, t: Translator) -> str:
    """The status as one word in the reader's language: "paused" / "на паузе"."""
    return t.gettext(STATUS_WORDS[status])


def read_status(text: str) -> Status | None:
    """A status typed in English or Russian ("paused", "на паузе", "PAUSED"), or None."""
    folded = " ".join(text.casefold().split())
    for status in Status:
        if folded in {
            translator(language).gettext(STATUS_WORDS[status]).casefold() for language in LANGUAGES
        }:
            return status
        if folded == status.value:
            return status
    return None


def today_anywhere() -> date:
    """A date that is today somewhere on Earth (UTC+14) is not in the future for whoever typed it."""
    return (datetime.now(UTC) + timedelta(hours=14)).date()


def date_problem(value: date, t: Translator) -> str | None:
    """Why a date cannot be when a status took effect, or None."""
    if value > today_anywhere():
        return t.gettext("{date} is in the future; a status change is recorded once it took effect.").format(
            date=t.date(value)
        )
    if value.year < FIRST_YEAR:
        return t.gettext("{date} is before {year}; please check the year.").format(
            date=t.date(value), year=FIRST_YEAR
        )
    return None


@dataclass(frozen=True, slots=True)
class StatusDraft:
    """A status change being prepared: what staff have said so far."""

    partnership_id: int | None = None
    status: Status | None = None
    effective_date: date | None = None
    decided_by: str = ""
    reason: str = ""
    source: str = ""

    def to_json(self) -> dict[str, object]:
        """The draft as stored between steps."""
        return {
            "partnership_id": self.partnership_id,
            "status": self.status.value if self.status else None,
            "effective_date": self.effective_date.isoformat() if self.effective_date else None,
            "decided_by": self.decided_by,
            "reason": self.reason,
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> StatusDraft:
        """The draft as stored between steps, read back."""
        status, effective = data.get("status"), data.get("effective_date")
        pid = data.get("partnership_id")
        return cls(
            partnership_id=pid if isinstance(pid, int) else None,
            status=Status(status) if isinstance(status, str) else None,
            effective_date=date.fromisoformat(effective) if isinstance(effective, str) else None,
            decided_by=str(data.get("decided_by") or ""),
            reason=str(data.get("reason") or ""),
            source=str(data.get("source") or ""),
        )


@dataclass(frozen=True, slots=True)
class StatusLine:
    """What a one-line /setstatus says: the place as typed, and the rest of the change."""

    place: str
    draft: StatusDraft
    problem: str | None = None


def split_details(text: str) -> tuple[str, str, str]:
    """Who decided, why, and the source, from "who decided; why" with a link anywhere."""
    links = _URL.findall(text)
    source = links[0] if links else ""
    rest = _URL.sub(" ", text)
    decided, _, reason = rest.partition(";")
    if "\n" in text and not reason:
        # Typed on lines instead: who decided, why, the link.
        lines = [line.strip() for line in rest.splitlines() if line.strip()]
        decided, reason = (lines[0] if lines else ""), " ".join(lines[1:])
    return (
        " ".join(decided.split())[:MAX_DECIDED_BY],
        " ".join(reason.split())[:MAX_REASON],
        source[:MAX_SOURCE],
    )


def parse_status_line(text: str, today: date, t: Translator) -> StatusLine | None:
    """`Roanoke Pskov paused 2023-02-21 City council; why https://…`, or None when no status is named."""
    words = text.split()
    for index in range(len(words)):
        # A status is one or two words ("на паузе"); the longest reading wins.
        for width in (2, 1):
            status = read_status(" ".join(words[index : index + width]))
            if status is None or index == 0:
                continue
            place = " ".join(words[:index])
            rest = words[index + width :]
            effective: date | None = None
            problem = None
            if rest and (parsed := parse_date(rest[0], today, language=t.language)):
                effective, rest = parsed, rest[1:]
                problem = date_problem(parsed, t)
            decided_by, reason, source = split_details(" ".join(rest))
            draft = StatusDraft(None, status, effective or today, decided_by, reason, source)
            return StatusLine(place, draft, problem)
    return None


def change_lines(draft: StatusDraft, partnership: Partnership, t: Translator) -> list[str]:
    """The change as staff confirm it and the committee reads it, in plain text."""
    assert draft.status is not None  # noqa: S101 - only a complete draft is shown
    lines = [
        t.gettext("{partnership}: {old} → {new}").format(
            partnership=partnership.title,
            old=status_word(partnership.status, t),
            new=status_word(draft.status, t),
        )
    ]
    if draft.effective_date:
        lines.append(t.gettext("Since: {date}").format(date=t.date(draft.effective_date)))
    if draft.decided_by:
        lines.append(t.gettext("Decided by: {who}").format(who=draft.decided_by))
    if draft.reason:
        lines.append(t.gettext("Why: {reason}").format(reason=draft.reason))
    if draft.source:
        lines.append(t.gettext("Source: {link}").format(link=draft.source))
    return lines


def committee_notice(draft: StatusDraft, partnership: Partnership, t: Translator) -> str:
    """What each member of the committee is told, in their language."""
    head = t.gettext("The status of your partnership {partnership} has changed.").format(
        partnership=partnership.title
    )
    tail = t.gettext("Its dated history: /statushistory {place}").format(place=partnership.partner_name)
    return "\n".join([head, *change_lines(draft, partnership, t), tail])


def render_history(partnership: Partnership, changes: list[StatusChange], t: Translator) -> list[str]:
    """The dated history as HTML blocks, newest first, every stored text escaped."""
    e = html.escape
    blocks = [f"<b>{e(t.gettext('Status history: {title}').format(title=partnership.title))}</b>"]
    for change in reversed(changes):
        when = t.date(change.effective_date) if change.effective_date else t.gettext("date not recorded")
        if change.old_status is None:
            what = t.gettext("registered as {status}").format(status=status_word(change.new_status, t))
        else:
            what = t.gettext("{old} → {new}").format(
                old=status_word(change.old_status, t), new=status_word(change.new_status, t)
            )
        lines = [f"<b>{e(when)}</b> · {e(what)}"]
        if change.decided_by:
            lines.append(e(t.gettext("Decided by: {who}").format(who=change.decided_by)))
        if change.reason:
            lines.append(e(t.gettext("Why: {reason}").format(reason=change.reason)))
        if change.source:
            lines.append(e(t.gettext("Source: {link}").format(link=change.source)))
        lines.append(e(t.gettext("Recorded on {date}").format(date=t.date(change.recorded_at.date()))))
        blocks.append("\n".join(lines))
    return blocks
