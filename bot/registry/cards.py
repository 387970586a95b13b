"""The partnership card: what a person sees when they ask about a partnership, and what they may see."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from babel import Locale

from bot.i18n import N_, Translator, country_codes, shorten
from bot.permissions import Action, Viewer
from storage.members import MemberRepository, Role
from storage.records import Partnership, Status, UsKind

MESSAGE_LIMIT = 4096  # Telegram's longest message text
NOTE_LIMIT = 600  # a status reason longer than this is cut so that one card always fits a message

# The full sentence for each status, with and without a date, so a translator can agree the words.
_STATUS_SINCE = {
    Status.ACTIVE: N_("Status: active since {date}"),
    Status.PAUSED: N_("Status: paused since {date}"),
    Status.SUSPENDED: N_("Status: suspended since {date}"),
    Status.TERMINATED: N_("Status: terminated since {date}"),
}
_STATUS = {
    Status.ACTIVE: N_("Status: active"),
    Status.PAUSED: N_("Status: paused"),
    Status.SUSPENDED: N_("Status: suspended"),
    Status.TERMINATED: N_("Status: terminated"),
}
STATUS_WORDS = {
    Status.ACTIVE: N_("active"),
    Status.PAUSED: N_("paused"),
    Status.SUSPENDED: N_("suspended"),
    Status.TERMINATED: N_("terminated"),
}
_STATUS_MARK = {Status.ACTIVE: "🟢", Status.PAUSED: "🟡", Status.SUSPENDED: "🟠", Status.TERMINATED: "🔴"}
# The contact log's channels (storage.contacts.Channel values); anything else is shown as recorded.
CHANNELS = {
    "zoom": N_("Zoom"),
    "letter_sent": N_("letter sent"),
    "letter_received": N_("letter received"),
    "email": N_("e-mail"),
    "phone": N_("phone"),
    "in_person": N_("in person"),
    "other": N_("other"),
}
# Only these statuses expect the committee to keep in touch, so only they have a next check-in.
_CHECKED_IN = frozenset({Status.ACTIVE, Status.PAUSED})


@dataclass(frozen=True, slots=True)
class LastContact:
    """The latest contact logged with the partner city."""

    on: date
    channel: str
    summary: str  # what was said: committee only


@dataclass(frozen=True, slots=True)
class ContactLog:
    """What the contact log says of a partnership: never typed on the card, always derived."""

    last: LastContact | None
    recent_count: int  # contacts dated in the last 90 days
    awaiting_reply_since: date | None  # a letter sent, with no letter received within 60 days of it


@dataclass(frozen=True, slots=True)
class Committee:
    """Who keeps the partnership alive: committee only."""

    coordinators: tuple[str, ...]  # display names
    member_count: int


@dataclass(frozen=True, slots=True)
class CardView:
    """Everything one card shows to one reader; private parts are None when the reader may not see them."""

    partnership: Partnership
    last_contact_on: date | None
    last_contact_channel: str | None
    next_checkin: date | None
    today: date
    committee: Committee | None = None
    contact_summary: str | None = None
    recent_contacts: int = 0
    awaiting_reply_since: date | None = None

    @classmethod
    def build(
        cls,
        partnership: Partnership,
        *,
        include_private: bool,
        today: date,
        default_checkin_days: int,
        log: ContactLog | None = None,
        committee: Committee | None = None,
    ) -> CardView:
        """The card for a reader; the one place that drops what is private when they may not see it."""
        last_contact = log.last if log else None
        return cls(
            partnership=partnership,
            last_contact_on=last_contact.on if last_contact else None,
            last_contact_channel=last_contact.channel if last_contact else None,
            next_checkin=next_checkin(partnership, last_contact, default_checkin_days),
            today=today,
            committee=committee if include_private else None,
            contact_summary=(last_contact.summary or None) if include_private and last_contact else None,
            recent_contacts=log.recent_count if log else 0,
            awaiting_reply_since=log.awaiting_reply_since if log else None,
        )

    @property
    def is_private(self) -> bool:
        """Whether this card shows anything beyond the public record."""
        return self.committee is not None or self.contact_summary is not None


def may_see_private(viewer: Viewer | None, partnership_id: int) -> bool:
    """Whether a reader may see the committee and what contacts said (None: a public audience)."""
    return viewer is not None and viewer.may(Action.VIEW_COMMITTEE, partnership_id)


def next_checkin(
    partnership: Partnership, last_contact: LastContact | None, default_days: int
) -> date | None:
    """When the committee is next expected to report contact; None when the status expects none."""
    if partnership.status not in _CHECKED_IN:
        return None
    start = partnership.created_at.date()
    if last_contact and last_contact.on > start:
        start = last_contact.on
    return start + timedelta(days=partnership.checkin_days or default_days)


async def card_views(
    partnerships: Sequence[Partnership],
    viewer: Viewer | None,
    members: MemberRepository,
    *,
    today: date,
    default_checkin_days: int,
    logs: Mapping[int, ContactLog] | None = None,
) -> list[CardView]:
    """The cards for one reader (None: anyone, as in a shared inline message), reading only what they may."""
    views = []
    for partnership in partnerships:
        include_private = may_see_private(viewer, partnership.id)
        committee = await _committee(members, partnership.id) if include_private else None
        views.append(
            CardView.build(
                partnership,
                include_private=include_private,
                today=today,
                default_checkin_days=default_checkin_days,
                log=(logs or {}).get(partnership.id),
                committee=committee,
            )
        )
    return views


async def _committee(members: MemberRepository, partnership_id: int) -> Committee:
    everyone = await members.committee(partnership_id)
    coordinators = await members.committee(partnership_id, Role.COORDINATOR)
    return Committee(tuple(m.display_name for m in coordinators), len(everyone))


def status_line(partnership: Partnership, t: Translator) -> str:
    """The status in one plain-text line: "Status: active since Mar 7, 2022"."""
    if partnership.status_since:
        return t.gettext(_STATUS_SINCE[partnership.status]).format(date=t.date(partnership.status_since))
    return t.gettext(_STATUS[partnership.status])


def render_card(view: CardView, t: Translator) -> str:
    """The card as HTML, every stored text escaped."""
    p = view.partnership
    e = html.escape
    lines = [
        f"{_STATUS_MARK[p.status]} <b>{e(p.title)}</b>",
        e(_us_side(p, t)),
        e(_partner_side(p, t)),
        e(status_line(p, t)),
    ]
    if p.status_note:
        lines.append(e(t.gettext("Why: {reason}").format(reason=shorten(p.status_note, NOTE_LIMIT))))
    if p.established_year:
        lines.append(e(t.gettext("Partners since: {year}").format(year=p.established_year)))
    lines.append(e(_last_contact_line(view, t)))
    if view.last_contact_on is not None:
        lines.append(
            e(
                t.ngettext(
                    "{count} contact in the last 90 days",
                    "{count} contacts in the last 90 days",
                    view.recent_contacts,
                ).format(count=t.number(view.recent_contacts))
            )
        )
    if view.awaiting_reply_since is not None:
        line = t.gettext("Awaiting a reply to the letter sent on {date}")
        lines.append(e(line.format(date=t.date(view.awaiting_reply_since))))
    if view.contact_summary:
        summary = shorten(view.contact_summary, NOTE_LIMIT)
        lines.append(e(t.gettext("What they said: {summary}").format(summary=summary)))
    if view.next_checkin:
        if view.next_checkin < view.today:
            line = t.gettext("Check-in overdue since {date}").format(date=t.date(view.next_checkin))
        else:
            line = t.gettext("Next check-in: {date}").format(date=t.date(view.next_checkin))
        lines.append(e(line))
    if view.committee is not None:
        lines.extend(e(line) for line in _committee_lines(view.committee, t))
    return "\n".join(lines)


def render_cards(views: Sequence[CardView], t: Translator, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The cards as few messages as fit Telegram's limit (one when they fit), never splitting a card."""
    messages: list[str] = []
    current = ""
    for view in views:
        card = render_card(view, t)
        joined = f"{current}\n\n{card}" if current else card
        if current and _telegram_len(joined) > limit:
            messages.append(current)
            joined = card
        current = joined
    if current:
        messages.append(current)
    return messages


def _telegram_len(text: str) -> int:
    # Telegram counts UTF-16 code units; counting the HTML source over-counts, which is the safe side.
    return len(text.encode("utf-16-le")) // 2


def _us_side(p: Partnership, t: Translator) -> str:
    country = country_name("United States", t.language)
    if p.us_kind is UsKind.STATE or not p.us_state:
        return t.gettext("US member: {place}, {country}").format(place=p.us_name, country=country)
    return t.gettext("US member: {place}, {state}, {country}").format(
        place=p.us_name, state=p.us_state, country=country
    )


def _partner_side(p: Partnership, t: Translator) -> str:
    country = country_name(p.partner_country, t.language)
    if p.partner_region and p.partner_region != p.partner_name:
        return t.gettext("Partner: {place}, {region}, {country}").format(
            place=p.partner_name, region=p.partner_region, country=country
        )
    return t.gettext("Partner: {place}, {country}").format(place=p.partner_name, country=country)


def _last_contact_line(view: CardView, t: Translator) -> str:
    if view.last_contact_on is None:
        return t.gettext("Last contact: no contact recorded yet")
    channel = view.last_contact_channel or "other"
    label = t.gettext(CHANNELS[channel]) if channel in CHANNELS else channel
    return t.gettext("Last contact: {date} ({channel})").format(
        date=t.date(view.last_contact_on), channel=label
    )


def _committee_lines(committee: Committee, t: Translator) -> list[str]:
    if committee.coordinators:
        names = ", ".join(committee.coordinators)
        coordinators = t.gettext("Coordinators: {names}").format(names=names)
    else:
        coordinators = t.gettext("Coordinators: none yet")
    count = t.ngettext(
        "{count} member on the committee", "{count} members on the committee", committee.member_count
    ).format(count=t.number(committee.member_count))
    return [coordinators, count]


def country_name(stored: str, language: str) -> str:
    """A country's name in the reader's language, when the stored (English) name is a known one."""
    code = country_codes().get(stored.casefold())
    if code is None:
        return stored
    return Locale.parse(language).territories.get(code, stored)
