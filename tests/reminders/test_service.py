"""Check-in reminders with a controlled clock: when they fall due, at which local hour they go out, once only.

The service's tick is called with a chosen "now"; messages go to a recording outbox, so a month of minutes
takes a moment and nothing sleeps. End-to-end tests through the sandbox are in test_e2e.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from telegram import InlineKeyboardMarkup
from telegram.error import Forbidden, RetryAfter, TimedOut

from bot.config import Config, Defaults, QuietHours
from bot.i18n import translator
from bot.reminders import service as reminders
from bot.reminders.service import CheckInService
from bot.reminders.times import reminder_moment
from storage.checkins import Answer, CheckInRepository, CheckInState
from storage.contacts import Channel, ContactFields, ContactRepository
from storage.db import Database
from storage.members import MemberRepository, Role
from storage.partnerships import PartnershipRepository
from storage.records import PartnerKind, PartnershipFields, Status, UsKind

NEW_YORK = "America/New_York"
MOSCOW = "Europe/Moscow"
REGISTERED = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)  # every partnership here was registered then
DUE = date(2026, 1, 31)  # ...and with 30 days between check-ins, falls due on this day
STAFF = 900


@dataclass
class Sent:
    chat_id: int
    text: str
    markup: InlineKeyboardMarkup | None
    message_id: int
    at: datetime

    @property
    def buttons(self) -> list[list[str]]:
        return [[b.text for b in row] for row in self.markup.inline_keyboard] if self.markup else []


@dataclass
class RecordingOutbox:
    """Messages the service sent and edited; a chat can be made to fail its next sends."""

    now: datetime = REGISTERED
    sent: list[Sent] = field(default_factory=list)
    edits: dict[tuple[int, int], tuple[str, InlineKeyboardMarkup | None]] = field(default_factory=dict)
    failures: dict[int, list[Exception]] = field(default_factory=dict)

    async def send(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> int:
        if self.failures.get(chat_id):
            raise self.failures[chat_id].pop(0)
        self.sent.append(Sent(chat_id, text, markup, len(self.sent) + 1, self.now))
        return len(self.sent)

    async def edit(
        self, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> None:
        self.edits[(chat_id, message_id)] = (text, markup)

    def to(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]


class Network:
    """A database with partnerships and members, the check-in service on it, and a recording outbox."""

    def __init__(self, db: Database, config: Config, outbox: RecordingOutbox | None = None) -> None:
        self.db = db
        self.config = config
        self.partnerships = PartnershipRepository(db)
        self.members = MemberRepository(db)
        self.contacts = ContactRepository(db)
        self.checkins = CheckInRepository(db)
        self.outbox = outbox or RecordingOutbox()
        self.service = CheckInService(config, self.checkins, self.members, self.partnerships, self.outbox)

    async def partnership(
        self, partner: str, checkin_days: int | None = 30, registered: datetime = REGISTERED
    ) -> int:
        fields = PartnershipFields(
            us_name="Roanoke",
            us_state="VA",
            us_kind=UsKind.CITY,
            partner_name=partner,
            partner_region="",
            partner_country="Russia",
            partner_kind=PartnerKind.CITY,
            established_year=None,
            status=Status.ACTIVE,
            checkin_days=checkin_days,
        )
        with time_machine.travel(registered, tick=False):
            added = await self.partnerships.add(
                fields, status_since=None, status_note="", recorded_by="tests"
            )
        return added.id

    async def member(
        self, member_id: int, name: str, *seats: int, timezone: str | None = None, language: str = "en"
    ) -> int:
        await self.members.upsert(
            member_id, first_name=name, last_name="", username=None, telegram_language=language
        )
        if timezone:
            await self.members.set_timezone(member_id, timezone)
        for seat in seats:
            await self.members.add_membership(member_id, seat, Role.MEMBER)
        return member_id

    async def tick(self, now: datetime) -> None:
        self.outbox.now = now
        self.service.clock = lambda: now
        await self.service.tick(now)

    async def run(self, start: datetime, end: datetime, step: timedelta = timedelta(minutes=15)) -> None:
        """Tick every `step` from `start` up to (not including) `end`."""
        now = start
        while now < end:
            await self.tick(now)
            now += step


def at(day: date, hour: int, minute: int = 0, zone: str = NEW_YORK) -> datetime:
    """A local wall-clock time, as a UTC instant."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "reminders.db")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(database_path=tmp_path / "reminders.db", admins=(STAFF,))


@pytest.fixture
def net(db: Database, config: Config) -> Network:
    return Network(db, config)


async def test_a_partnership_falls_due_after_its_checkin_days(net: Network) -> None:
    pskov = await net.partnership("Pskov")
    alice = await net.member(1, "Alice", pskov)

    await net.run(at(DUE - timedelta(days=2), 0), at(DUE, 0), timedelta(hours=1))
    assert net.outbox.sent == []

    await net.run(at(DUE, 0), at(DUE + timedelta(days=1), 0), timedelta(hours=1))
    [reminder] = net.outbox.to(alice)
    assert reminder.at == at(DUE, 10)
    assert reminder.text.startswith(
        "Check-in: no contact with Pskov (Roanoke – Pskov) has been logged for 30 days."
    )
    assert reminder.buttons == [["Log a contact"], ["Snooze a week", "We are in touch"]]
    assert reminder.markup is not None
    data = [b.callback_data for row in reminder.markup.inline_keyboard for b in row]
    cycle = await net.checkins.open_cycle(pskov)
    assert cycle is not None
    assert cycle.due_date == DUE
    assert data == [f"log:new:{pskov}", f"ci:snooze:{cycle.id}", f"ci:touch:{cycle.id}"]


async def test_the_last_contact_starts_the_clock_and_the_default_applies_without_a_partnership_value(
    net: Network,
) -> None:
    kostroma = await net.partnership("Kostroma", checkin_days=None)  # the network's default: 45 days
    alice = await net.member(1, "Alice", kostroma)
    await net.contacts.add(
        alice, ContactFields(kostroma, Channel.ZOOM, date(2026, 2, 10), "Zoom"), today=date(2026, 2, 10)
    )

    await net.run(at(date(2026, 3, 26), 0), at(date(2026, 3, 27), 0), timedelta(hours=1))
    assert net.outbox.sent == []  # 44 days after the call
    await net.run(at(date(2026, 3, 27), 0), at(date(2026, 3, 28), 0), timedelta(hours=1))
    [reminder] = net.outbox.sent
    assert "has been logged for 45 days" in reminder.text


async def test_each_member_is_reminded_at_the_reminder_hour_in_their_own_timezone(net: Network) -> None:
    pskov = await net.partnership("Pskov")
    new_yorker = await net.member(1, "Alice", pskov)  # no timezone set: the network's default
    muscovite = await net.member(2, "Нина", pskov, timezone=MOSCOW, language="ru")

    await net.run(at(DUE, 0, zone=MOSCOW), at(DUE + timedelta(days=1), 0), timedelta(minutes=10))

    [moscow] = net.outbox.to(muscovite)
    assert moscow.at == at(DUE, 10, zone=MOSCOW) == datetime(2026, 1, 31, 7, 0, tzinfo=UTC)
    assert moscow.text.startswith("Напоминание")
    assert moscow.buttons == [["Записать контакт"], ["Отложить на неделю", "Мы на связи"]]
    [new_york] = net.outbox.to(new_yorker)
    assert new_york.at == at(DUE, 10) == datetime(2026, 1, 31, 15, 0, tzinfo=UTC)


async def test_nothing_is_sent_in_quiet_hours_even_when_catching_up(net: Network) -> None:
    pskov = await net.partnership("Pskov")
    alice = await net.member(1, "Alice", pskov)

    # The bot was down all day and comes back at 22:30, inside quiet hours (21:00-08:00).
    await net.run(at(DUE, 22, 30), at(DUE + timedelta(days=1), 10), timedelta(minutes=10))
    assert net.outbox.sent == []
    await net.tick(at(DUE + timedelta(days=1), 10))
    [reminder] = net.outbox.to(alice)
    assert reminder.at == at(DUE + timedelta(days=1), 10)


async def test_after_downtime_what_fell_due_is_sent_once_on_start_up(net: Network) -> None:
    pskov = await net.partnership("Pskov")
    kostroma = await net.partnership("Kostroma", checkin_days=32)
    alice = await net.member(1, "Alice", pskov, kostroma)

    # Down from before the due day until three days later, mid-afternoon: one message, both partnerships.
    await net.tick(at(DUE + timedelta(days=3), 15, 7))
    [reminder] = net.outbox.sent
    assert reminder.chat_id == alice
    assert "2 of your partnerships" in reminder.text
    await net.run(at(DUE + timedelta(days=3), 15, 8), at(DUE + timedelta(days=4), 0), timedelta(minutes=7))
    assert len(net.outbox.sent) == 1


async def test_a_backlog_bigger_than_a_batch_goes_out_over_the_next_ticks_once_each(
    net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reminders, "CLAIM_BATCH", 2)
    pskov = await net.partnership("Pskov")
    kostroma = await net.partnership("Kostroma")
    committee = [await net.member(member_id, f"Member {member_id}", pskov) for member_id in range(1, 6)]
    fedor = await net.member(6, "Fedor", pskov, kostroma)
    nina = await net.member(7, "Нина", kostroma, timezone=MOSCOW, language="ru")

    # Back after downtime at noon in New York (20:00 in Moscow): seven members owed, two claimed a tick.
    start = at(DUE + timedelta(days=3), 12, 7)
    await net.tick(start)
    assert sorted(s.chat_id for s in net.outbox.sent) == committee[:2]
    await net.run(start + timedelta(minutes=1), start + timedelta(minutes=10), timedelta(minutes=1))
    assert sorted(s.chat_id for s in net.outbox.sent) == [*committee, fedor, nina]
    [combined] = net.outbox.to(fedor)
    assert "2 of your partnerships" in combined.text
    await net.run(start + timedelta(minutes=10), at(DUE + timedelta(days=4), 0), timedelta(minutes=7))
    assert len(net.outbox.sent) == 7


async def test_a_backlog_bigger_than_every_bound_is_swept_a_part_at_a_time_each_member_once(
    net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two changed partnerships recomputed and opened, two open check-ins looked at, two members claimed
    # for per sweep: a first deployment with everything overdue at once, in miniature.
    monkeypatch.setattr(reminders, "REFRESH_BATCH", 2)
    monkeypatch.setattr(reminders, "CLAIM_PAGE", 2)
    monkeypatch.setattr(reminders, "CLAIM_BATCH", 2)
    places = [await net.partnership(name) for name in ("Pskov", "Kostroma", "Tver", "Vologda", "Perm")]
    members = [await net.member(10 + i, f"Member {i}", place) for i, place in enumerate(places)]
    both = await net.member(20, "Fedor", places[0], places[4])

    now = at(DUE + timedelta(days=3), 12, 7)
    net.outbox.now = now
    refreshed, claimed = await net.service.sweep(now)
    assert (refreshed.opened, claimed) == (2, 2)
    assert net.service.unfinished
    sweeps = 1
    while net.service.unfinished:
        await net.service.tick(now)
        sweeps += 1
        assert sweeps < 20, "the backlog never ran out"
    await net.service.tick(now)
    assert sweeps >= 3  # five partnerships, two a sweep: done in parts, not at once
    assert sorted(s.chat_id for s in net.outbox.sent) == sorted([*members, both])
    [combined] = net.outbox.to(both)
    assert "2 of your partnerships" in combined.text
    await net.run(now + timedelta(minutes=1), at(DUE + timedelta(days=4), 0), timedelta(minutes=7))
    assert len(net.outbox.sent) == 6


async def test_run_tick_goes_on_while_a_backlog_is_left(
    net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reminders, "REFRESH_BATCH", 1)
    monkeypatch.setattr(reminders, "CATCH_UP_PAUSE_SECONDS", 0)
    places = [await net.partnership(name) for name in ("Pskov", "Kostroma", "Tver")]
    members = [await net.member(10 + i, f"Member {i}", place) for i, place in enumerate(places)]
    now = at(DUE + timedelta(days=3), 12, 7)
    net.outbox.now = now
    net.service.clock = lambda: now
    await net.service.run_tick()  # one job run: the three sweeps it takes
    assert not net.service.unfinished
    assert sorted(s.chat_id for s in net.outbox.sent) == members


async def test_a_new_network_check_in_period_moves_the_due_dates_that_follow_it(
    db: Database, config: Config
) -> None:
    net = Network(db, replace(config, defaults=replace(config.defaults, checkin_days=90)))
    pskov = await net.partnership("Pskov", checkin_days=None)
    alice = await net.member(1, "Alice", pskov)
    await net.tick(at(DUE + timedelta(days=3), 12, 7))  # 33 days quiet: not due at 90
    assert net.outbox.sent == []
    # Restarted with a 30-day period in the config: due since DUE, reminded at once.
    net = Network(db, replace(config, defaults=replace(config.defaults, checkin_days=30)), net.outbox)
    await net.tick(at(DUE + timedelta(days=3), 12, 8))
    assert [s.chat_id for s in net.outbox.sent] == [alice]


@pytest.mark.parametrize(
    ("due", "hour", "expected"),
    [
        # 2:00 does not exist on 2026-03-08 in New York: the reminder goes out when the clock jumps to 3:00.
        (date(2026, 3, 8), 2, datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
        # 1:00 happens twice on 2026-11-01: the first one sends, the repeated hour sends nothing.
        (date(2026, 11, 1), 1, datetime(2026, 11, 1, 5, 0, tzinfo=UTC)),
    ],
)
async def test_daylight_saving_changes_in_new_york_send_exactly_once(
    db: Database, config: Config, due: date, hour: int, expected: datetime
) -> None:
    night_owls = replace(config.defaults, reminder_hour=hour, quiet_hours=QuietHours(time(23), time(0, 30)))
    net = Network(db, replace(config, defaults=night_owls))
    registered = datetime.combine(due - timedelta(days=30), time(12), tzinfo=UTC)
    pskov = await net.partnership("Pskov", registered=registered)
    kostroma = await net.partnership("Kostroma", registered=registered)
    await net.member(1, "Alice", pskov)
    await net.member(2, "Boris", kostroma)

    start = datetime.combine(due - timedelta(days=1), time(12), tzinfo=UTC)
    await net.run(start, start + timedelta(days=2), timedelta(minutes=15))
    assert [(s.chat_id, s.at) for s in net.outbox.sent] == [(1, expected), (2, expected)]
    # Replaying the repeated hour (a restart, a clock step back) sends nothing more either.
    await net.run(expected - timedelta(hours=1), expected + timedelta(hours=2), timedelta(minutes=5))
    assert len(net.outbox.sent) == 2


def test_the_reminder_moment_in_a_gap_and_an_overlap() -> None:
    quiet = QuietHours(time(23), time(0, 30))
    assert reminder_moment(date(2026, 3, 8), NEW_YORK, 2, quiet) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    assert reminder_moment(date(2026, 11, 1), NEW_YORK, 1, quiet) == datetime(2026, 11, 1, 5, 0, tzinfo=UTC)
    assert reminder_moment(date(2026, 7, 1), MOSCOW, 10, Defaults().quiet_hours) == datetime(
        2026, 7, 1, 7, 0, tzinfo=UTC
    )
    # An hour inside quiet hours moves to their end.
    assert reminder_moment(date(2026, 7, 1), MOSCOW, 7, Defaults().quiet_hours) == datetime(
        2026, 7, 1, 5, 0, tzinfo=UTC
    )


async def test_a_member_in_three_quiet_partnerships_gets_one_combined_message(net: Network) -> None:
    ids = [await net.partnership(name) for name in ("Pskov", "Kostroma", "Wonju")]
    alice = await net.member(1, "Alice", *ids)

    await net.run(at(DUE, 0), at(DUE + timedelta(days=1), 0), timedelta(minutes=10))
    [reminder] = net.outbox.to(alice)
    assert reminder.text.splitlines() == [
        "3 of your partnerships have had no contact logged for a while:",
        "• Roanoke – Pskov: 30 days without a contact",
        "• Roanoke – Kostroma: 30 days without a contact",
        "• Roanoke – Wonju: 30 days without a contact",
        "",
        "Press a partnership to log a contact, say you are in touch, or snooze its reminder.",
    ]
    assert reminder.buttons == [["Roanoke – Pskov"], ["Roanoke – Kostroma"], ["Roanoke – Wonju"]]
    assert await net.checkins.sends_to(alice) == 3


async def test_a_member_is_reminded_at_most_once_a_day_across_partnerships(net: Network) -> None:
    pskov = await net.partnership("Pskov")
    kostroma = await net.partnership("Kostroma", checkin_days=30, registered=REGISTERED + timedelta(hours=6))
    alice = await net.member(1, "Alice", pskov)
    await net.tick(at(DUE, 10))
    await net.members.add_membership(alice, kostroma, Role.MEMBER)  # seated after today's reminder
    await net.run(at(DUE, 10, 30), at(DUE + timedelta(days=2), 0), timedelta(minutes=30))
    assert [(s.at, "Kostroma" in s.text) for s in net.outbox.to(alice)] == [
        (at(DUE, 10), False),
        (at(DUE + timedelta(days=1), 10), True),
    ]


async def test_snooze_puts_the_check_in_off_a_week_for_the_whole_committee(net: Network) -> None:
    pskov = await net.partnership("Pskov")
    alice = await net.member(1, "Alice", pskov)
    boris = await net.member(2, "Boris", pskov)
    await net.tick(at(DUE, 10))
    cycle = await net.checkins.open_cycle(pskov)
    assert cycle is not None

    alice_member = await net.members.get(alice)
    assert alice_member is not None
    outcome = await net.service.snooze(cycle.id, alice_member, DUE)
    assert outcome.cycle is not None
    assert outcome.cycle.snoozed_until == DUE + timedelta(days=7)
    for sent in net.outbox.sent:
        text, markup = net.outbox.edits[(sent.chat_id, sent.message_id)]
        assert text.endswith("✓ Alice snoozed this check-in until Feb 7, 2026.")
        assert markup is None
    boris_member = await net.members.get(boris)
    assert boris_member is not None
    late = await net.service.snooze(cycle.id, boris_member, DUE)
    assert late.cycle is None
    assert late.answered_by is not None
    assert late.answered_by.id == alice

    await net.run(at(DUE, 10, 15), at(DUE + timedelta(days=7), 0), timedelta(hours=1))
    assert len(net.outbox.sent) == 2
    await net.run(at(DUE + timedelta(days=7), 0), at(DUE + timedelta(days=8), 0), timedelta(hours=1))
    again = net.outbox.sent[2:]
    assert [s.chat_id for s in again] == [alice, boris]
    assert all(s.text.startswith("Check-in:") and "37 days" in s.text for s in again)


async def test_we_are_in_touch_records_a_contact_and_restarts_the_clock(net: Network) -> None:
    pskov = await net.partnership("Pskov")
    alice = await net.member(1, "Alice", pskov)
    boris = await net.member(2, "Boris", pskov, timezone=MOSCOW)
    await net.run(at(DUE, 0, zone=MOSCOW), at(DUE, 10, 30), timedelta(minutes=30))
    cycle = await net.checkins.open_cycle(pskov)
    assert cycle is not None

    member = await net.members.get(boris)
    assert member is not None
    outcome = await net.service.in_touch(cycle.id, member, "We are in touch", DUE)
    assert outcome.cycle is not None
    assert outcome.cycle.answer is Answer.IN_TOUCH
    [contact] = await net.contacts.history(pskov)
    assert (contact.channel, contact.contact_date, contact.summary, contact.member_id) == (
        Channel.OTHER,
        DUE,
        "We are in touch",
        boris,
    )
    edited = {chat for chat, _ in net.outbox.edits}
    assert edited == {alice, boris}
    assert all(
        text.endswith("✓ Boris said the committee is in touch.") for text, _ in net.outbox.edits.values()
    )

    await net.run(at(DUE, 11), at(DUE + timedelta(days=30), 0), timedelta(hours=2))
    assert len(net.outbox.sent) == 2  # the next check-in is 30 days after the contact
    await net.run(at(DUE + timedelta(days=30), 0), at(DUE + timedelta(days=31), 0), timedelta(hours=1))
    assert len(net.outbox.sent) == 4


async def test_no_answer_brings_a_second_reminder_then_the_partnership_is_at_risk(net: Network) -> None:
    pskov = await net.partnership("Pskov")
    alice = await net.member(1, "Alice", pskov)
    await net.members.add_membership(alice, pskov, Role.COORDINATOR)
    await net.member(STAFF, "Stella")
    await net.members.set_staff(STAFF, True)

    await net.run(at(DUE, 0), at(DUE + timedelta(days=14), 0), timedelta(hours=1))
    first, second = net.outbox.to(alice)
    assert first.at == at(DUE, 10)
    assert second.at == at(DUE + timedelta(days=7), 10)
    assert second.text.startswith(
        "Second reminder: no contact with Pskov (Roanoke – Pskov) has been logged for 37 days."
    )
    cycle = await net.checkins.open_cycle(pskov)
    assert cycle is not None
    assert cycle.state is CheckInState.SECOND_SENT

    await net.tick(at(DUE + timedelta(days=14), 0, 5))
    cycle = await net.checkins.open_cycle(pskov)
    assert cycle is not None
    assert cycle.state is CheckInState.AT_RISK
    report = await net.service.at_risk_report(translator("en"), DUE + timedelta(days=14))
    assert report.splitlines() == [
        "1 partnership is at risk (two check-in reminders unanswered):",
        "• Roanoke – Pskov: quiet for 44 days; coordinators: Alice",
    ]
    # Nothing more for the committee; the staff hear on Monday (2026-02-16) at the reminder hour.
    await net.run(at(DUE + timedelta(days=14), 1), at(date(2026, 2, 17), 0), timedelta(hours=1))
    assert len(net.outbox.to(alice)) == 2
    [digest] = net.outbox.to(STAFF)
    assert digest.at == at(date(2026, 2, 16), 10)
    assert digest.text.splitlines()[0] == (
        "Weekly check-in digest: 1 partnership is at risk; its committee did not answer two reminders."
    )
    assert "• Roanoke – Pskov: quiet for 46 days; coordinators: Alice" in digest.text
    await net.run(at(date(2026, 2, 17), 0), at(date(2026, 2, 23), 9), timedelta(hours=3))
    assert len(net.outbox.to(STAFF)) == 1  # once a week


async def test_a_contact_logged_at_any_point_ends_the_escalation(net: Network) -> None:
    pskov = await net.partnership("Pskov")
    alice = await net.member(1, "Alice", pskov)
    boris = await net.member(2, "Boris", pskov)
    await net.run(at(DUE, 0), at(DUE + timedelta(days=8), 0), timedelta(hours=1))
    assert len(net.outbox.to(alice)) == 2  # first and second reminders

    await net.contacts.add(
        boris,
        ContactFields(pskov, Channel.LETTER_SENT, DUE + timedelta(days=7), "A letter"),
        today=DUE + timedelta(days=8),
    )
    await net.tick(at(DUE + timedelta(days=8), 9))
    assert await net.checkins.open_cycle(pskov) is None
    # Everyone's reminders now say who answered, without buttons.
    assert {chat for chat, _ in net.outbox.edits} == {alice, boris}
    assert all(
        text.endswith("✓ Boris logged a contact.") and markup is None
        for text, markup in net.outbox.edits.values()
    )
    await net.run(at(DUE + timedelta(days=8), 10), at(DUE + timedelta(days=30), 0), timedelta(hours=3))
    assert len(net.outbox.sent) == 4
    assert await net.checkins.at_risk() == []


async def test_a_restart_between_due_and_sent_neither_loses_nor_duplicates(
    tmp_path: Path, config: Config
) -> None:
    first = Network(await Database.open(tmp_path / "reminders.db"), config)
    pskov = await first.partnership("Pskov")
    alice = await first.member(1, "Alice", pskov)
    boris = await first.member(2, "Boris", pskov)
    _refreshed, claimed = await first.service.sweep(at(DUE, 10))  # claimed and committed...
    assert claimed == 2
    assert first.outbox.sent == []
    # ...and one of them handed to Telegram when the process died.
    [caught, _] = await first.checkins.ready(at(DUE, 10), 10)
    assert await first.checkins.start_sending(caught) is not None
    await first.db.close()

    outbox = RecordingOutbox()
    second = Network(await Database.open(tmp_path / "reminders.db"), config, outbox)
    try:
        assert await second.service.recover() == 1  # may have arrived: never sent again
        await second.run(at(DUE, 10, 1), at(DUE + timedelta(days=1), 0), timedelta(minutes=10))
        assert [s.chat_id for s in outbox.sent] == [boris]
        unknown = await second.checkins.reminder(caught)
        assert unknown is not None
        assert unknown.member_id == alice
        assert unknown.state == "unknown"
    finally:
        await second.db.close()


async def test_two_ticks_at_once_send_once(tmp_path: Path, config: Config) -> None:
    one = Network(await Database.open(tmp_path / "reminders.db"), config)
    two = Network(await Database.open(tmp_path / "reminders.db"), config, one.outbox)  # another process
    try:
        pskov = await one.partnership("Pskov")
        await one.member(1, "Alice", pskov)
        await one.member(2, "Boris", pskov)
        now = at(DUE, 10)
        await asyncio.gather(one.service.tick(now), two.service.tick(now), one.service.tick(now))
        assert sorted(s.chat_id for s in one.outbox.sent) == [1, 2]
    finally:
        await one.db.close()
        await two.db.close()


async def test_a_member_who_blocked_the_bot_is_skipped_and_marked_inactive(net: Network) -> None:
    pskov = await net.partnership("Pskov")
    alice = await net.member(1, "Alice", pskov)
    boris = await net.member(2, "Boris", pskov)
    net.outbox.failures[alice] = [Forbidden("Forbidden: bot was blocked by the user")]

    await net.run(at(DUE, 10), at(DUE + timedelta(days=8), 0), timedelta(hours=1))
    assert [s.chat_id for s in net.outbox.sent] == [boris, boris]  # first and second reminders
    member = await net.members.get(alice)
    assert member is not None
    assert not member.active


async def test_flood_control_delays_a_reminder_and_never_drops_it(net: Network) -> None:
    pskov = await net.partnership("Pskov")
    alice = await net.member(1, "Alice", pskov)
    boris = await net.member(2, "Boris", pskov)
    net.outbox.failures[alice] = [RetryAfter(timedelta(seconds=30))]
    now = at(DUE, 10)

    await net.tick(now)
    assert net.outbox.sent == []  # Alice's was refused; Boris's waits with it, behind the pause
    await net.tick(now + timedelta(seconds=20))
    assert net.outbox.sent == []
    await net.tick(now + timedelta(seconds=31))
    assert sorted(s.chat_id for s in net.outbox.sent) == [alice, boris]
    await net.run(now + timedelta(minutes=1), now + timedelta(hours=3), timedelta(minutes=5))
    assert len(net.outbox.sent) == 2


async def test_a_timeout_is_not_retried_so_nobody_gets_two_copies(net: Network) -> None:
    pskov = await net.partnership("Pskov")
    alice = await net.member(1, "Alice", pskov)
    net.outbox.failures[alice] = [TimedOut()]
    await net.run(at(DUE, 10), at(DUE, 20), timedelta(minutes=30))
    assert net.outbox.sent == []  # it may have arrived; the second reminder comes in a week as usual


async def test_a_member_who_paused_reminders_hears_nothing_until_the_pause_ends(net: Network) -> None:
    pskov = await net.partnership("Pskov")
    alice = await net.member(1, "Alice", pskov)
    boris = await net.member(2, "Boris", pskov)
    await net.checkins.pause(alice, DUE + timedelta(days=3))

    await net.run(at(DUE, 0), at(DUE + timedelta(days=3), 0), timedelta(hours=1))
    assert [s.chat_id for s in net.outbox.sent] == [boris]
    await net.run(at(DUE + timedelta(days=3), 0), at(DUE + timedelta(days=4), 0), timedelta(hours=1))
    assert [s.chat_id for s in net.outbox.sent] == [boris, alice]  # the round she missed
    assert await net.checkins.resume(alice)


async def test_suspended_and_terminated_partnerships_are_not_nudged(net: Network) -> None:
    pskov = await net.partnership("Pskov")
    kostroma = await net.partnership("Kostroma")
    alice = await net.member(1, "Alice", pskov, kostroma)
    await net.partnerships.set_status(pskov, Status.SUSPENDED, effective_date=None, recorded_by="tests")
    await net.partnerships.set_status(kostroma, Status.PAUSED, effective_date=None, recorded_by="tests")

    await net.run(at(DUE, 0), at(DUE + timedelta(days=1), 0), timedelta(hours=1))
    [reminder] = net.outbox.to(alice)
    assert "Kostroma" in reminder.text
    assert "Pskov" not in reminder.text
