"""What check-in reminders, the staff's at-risk digest and /atrisk say, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from storage.checkins import Answer, CheckIn, CheckInState, Reminder, ReminderItem
from storage.members import Member

# Callback data is a key, never a permission: the press is checked against the committee again.
CHECK_IN_PREFIX = "ci:"
SNOOZE = "snooze"
IN_TOUCH = "touch"
SHOW = "show"
CHECK_IN_PATTERN = r"^ci:(snooze|touch|show):(\d{1,9})$"
# "Log a contact" starts the /log conversation for the partnership (handlers/contacts.py, log_for).
LOG_FOR = "log:new:{partnership_id}"

NAME_LIMIT = 64
_AWAITING_ANSWER = (CheckInState.FIRST_SENT, CheckInState.SECOND_SENT, CheckInState.AT_RISK)


@dataclass(frozen=True, slots=True)
class AtRiskLine:
    """A partnership at risk as staff see it: how long it has been quiet and who coordinates it."""

    title: str
    quiet_days: int
    coordinators: tuple[str, ...]


def shown_name(member: Member) -> str:
    """A member's name as a plain-text reminder shows it: one line, not too long."""
    name = " ".join(member.display_name.split()) or "?"
    name = "".join(ch for ch in name if ch.isprintable())
    if len(name) > NAME_LIMIT:
        name = name[: NAME_LIMIT - 1] + "…"
    return f"{name} (@{member.username})" if member.username else name


def awaits_answer(cycle: CheckIn) -> bool:
    """Whether a reminder about this cycle still offers its buttons."""
    return cycle.state in _AWAITING_ANSWER


def _data(action: str, cycle_id: int) -> str:
    return f"{CHECK_IN_PREFIX}{action}:{cycle_id}"


def answer_buttons(cycle: CheckIn, t: Translator) -> InlineKeyboardMarkup:
    """Log a contact / Snooze a week / We are in touch, for one partnership's check-in."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext("Log a contact"),
                    callback_data=LOG_FOR.format(partnership_id=cycle.partnership_id),
                )
            ],
            [
                InlineKeyboardButton(t.gettext("Snooze a week"), callback_data=_data(SNOOZE, cycle.id)),
                InlineKeyboardButton(t.gettext("We are in touch"), callback_data=_data(IN_TOUCH, cycle.id)),
            ],
        ]
    )


def answered_line(cycle: CheckIn, t: Translator, names: Mapping[int, str]) -> str | None:
    """Who answered the check-in and how, once someone did; None while it awaits an answer."""
    if awaits_answer(cycle):
        return None
    name = names.get(cycle.answered_by or 0) or t.gettext("a former member")
    if cycle.answer is Answer.SNOOZE and cycle.snoozed_until:
        return t.gettext("✓ {name} snoozed this check-in until {date}.").format(
            name=name, date=t.date(cycle.snoozed_until)
        )
    if cycle.answer is Answer.IN_TOUCH:
        return t.gettext("✓ {name} said the committee is in touch.").format(name=name)
    if cycle.answer is Answer.CONTACT:
        return t.gettext("✓ {name} logged a contact.").format(name=name)
    return t.gettext("✓ This check-in is closed.")


def _single(item: ReminderItem, t: Translator) -> str:
    if item.second:
        opening = t.ngettext(
            "Second reminder: no contact with {partner} ({title}) has been logged for {count} day.",
            "Second reminder: no contact with {partner} ({title}) has been logged for {count} days.",
            item.quiet_days,
        )
        closing = t.gettext(
            "How is the partnership going? If nobody answers this week, the network's staff will be told "
            "that it may be slipping away."
        )
    else:
        opening = t.ngettext(
            "Check-in: no contact with {partner} ({title}) has been logged for {count} day.",
            "Check-in: no contact with {partner} ({title}) has been logged for {count} days.",
            item.quiet_days,
        )
        closing = t.gettext(
            "How is the partnership going? Log a contact, tell me the committee is in touch, or snooze "
            "this reminder for a week."
        )
    text = opening.format(partner=item.partner_name, title=item.title, count=t.number(item.quiet_days))
    return f"{text}\n\n{closing}"


def check_in_card(
    item: ReminderItem, t: Translator, names: Mapping[int, str]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One partnership's reminder: the text, and its three buttons while it awaits an answer."""
    text = _single(item, t)
    answered = answered_line(item.cycle, t, names)
    if answered:
        return f"{text}\n\n{answered}", None
    return text, answer_buttons(item.cycle, t)


def reminder_text(
    reminder: Reminder, t: Translator, names: Mapping[int, str]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A reminder message: one partnership's card, or several partnerships combined into one message."""
    if len(reminder.items) == 1:
        return check_in_card(reminder.items[0], t, names)
    lines = [
        t.ngettext(
            "{count} of your partnerships has had no contact logged for a while:",
            "{count} of your partnerships have had no contact logged for a while:",
            len(reminder.items),
        ).format(count=t.number(len(reminder.items)))
    ]
    rows = []
    for item in reminder.items:
        if item.second:
            line = t.ngettext(
                "• {title}: {count} day without a contact (second reminder)",
                "• {title}: {count} days without a contact (second reminder)",
                item.quiet_days,
            )
        else:
            line = t.ngettext(
                "• {title}: {count} day without a contact",
                "• {title}: {count} days without a contact",
                item.quiet_days,
            )
        lines.append(line.format(title=item.title, count=t.number(item.quiet_days)))
        answered = answered_line(item.cycle, t, names)
        if answered:
            lines.append(f"   {answered}")
        else:
            rows.append([InlineKeyboardButton(item.title, callback_data=_data(SHOW, item.cycle.id))])
    if rows:
        lines.append("")
        lines.append(
            t.gettext("Press a partnership to log a contact, say you are in touch, or snooze its reminder.")
        )
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


def _at_risk_lines(lines: Sequence[AtRiskLine], t: Translator) -> list[str]:
    shown = []
    for line in lines:
        if line.coordinators:
            text = t.ngettext(
                "• {title}: quiet for {count} day; coordinators: {names}",
                "• {title}: quiet for {count} days; coordinators: {names}",
                line.quiet_days,
            )
        else:
            text = t.ngettext(
                "• {title}: quiet for {count} day; no coordinator",
                "• {title}: quiet for {count} days; no coordinator",
                line.quiet_days,
            )
        shown.append(
            text.format(title=line.title, count=t.number(line.quiet_days), names=", ".join(line.coordinators))
        )
    return shown


def digest_text(lines: Sequence[AtRiskLine], t: Translator) -> str:
    """The staff's weekly digest of partnerships at risk."""
    heading = t.ngettext(
        "Weekly check-in digest: {count} partnership is at risk; its committee did not answer two reminders.",
        "Weekly check-in digest: {count} partnerships are at risk; their committees did not answer two "
        "reminders.",
        len(lines),
    ).format(count=t.number(len(lines)))
    footer = t.gettext("/atrisk shows this list at any time.")
    return "\n".join([heading, "", *_at_risk_lines(lines, t), "", footer])


def at_risk_text(lines: Sequence[AtRiskLine], t: Translator) -> str:
    """/atrisk: the partnerships at risk now."""
    if not lines:
        return t.gettext("No partnership is at risk: every committee has answered its check-ins.")
    heading = t.ngettext(
        "{count} partnership is at risk (two check-in reminders unanswered):",
        "{count} partnerships are at risk (two check-in reminders unanswered):",
        len(lines),
    ).format(count=t.number(len(lines)))
    return "\n".join([heading, *_at_risk_lines(lines, t)])


def quiet_days(cycle: CheckIn, today: date) -> int:
    """How many days a partnership has been quiet, as of `today`."""
    return max(0, (today - cycle.quiet_since).days)
