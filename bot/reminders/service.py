"""The check-in service: one periodic tick sends the reminders the database says are due, at most once each.

A tick (every minute, and once soon after start-up to catch up after downtime):
1. refreshes the check-in cycles in SQL: contacts settle them, newly due partnerships open one, two
   unanswered reminders make a partnership "at risk";
2. claims the reminders owed in every timezone where it is reminder time, writing their UNIQUE rows and
   committing before anything is sent;
3. sends the claimed reminders through the bulk sender (several in flight, paced as notifications):
   Forbidden marks the member inactive, a 5xx answer is tried again, RetryAfter leaves the reminder pending
   until Telegram's delay is over, a timeout leaves it "unknown" (it may have arrived) rather than risk a
   second copy;
4. sends each staff member's weekly digest of partnerships at risk, Monday at the reminder hour.

The job ticks again at once while a sweep left work (run_tick), so a backlog goes out at the rate Telegram
allows instead of one batch a minute.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from bot.config import Config
from bot.delivery import BulkSender, Envelope, Result
from bot.delivery import Outcome as Delivered
from bot.i18n import Translator, translator
from bot.pacing import Priority, sending_as
from bot.reminders.texts import (
    AtRiskLine,
    at_risk_text,
    check_in_card,
    digest_text,
    quiet_days,
    reminder_text,
    shown_name,
)
from bot.reminders.times import (
    EARLIEST_OFFSET,
    is_reminder_time,
    is_timezone,
    local_day,
    open_zones,
    week_of,
)
from storage.checkins import (
    Answer,
    CheckIn,
    CheckInRepository,
    Refreshed,
    ReminderItem,
    ReminderState,
)
from storage.members import Member, MemberRepository, Role
from storage.partnerships import PartnershipRepository

log = logging.getLogger(__name__)

JOB_NAME = "check-in reminders"
TICK_SECONDS = 60
FIRST_TICK_SECONDS = 2  # soon after start-up: reminders that fell due during downtime go out once
SEND_BATCH = 500  # reminders read from the database at a time; a tick sends every one that is ready
SNOOZE_DAYS = 7
# What one sweep does at most, so that no tick is long however much fell due at once (a first deployment, a
# day's rollover); an unfinished sweep is followed by another at once (run_tick): they do not bound the rate.
CLAIM_BATCH = 300  # members claimed for
CLAIM_PAGE = 1500  # open cycles looked at where reminder time has just come
REFRESH_BATCH = 1000  # changed partnerships recomputed, cycles opened
CATCH_UP_PAUSE_SECONDS = 1.0  # between the sweeps of an unfinished tick that had nothing to send

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


class Outbox(Protocol):
    """How the service reaches members: the bot in production, a recorder in unit tests and benchmarks."""

    async def send(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> int:
        """Send a message; its message id."""

    async def edit(
        self, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> None:
        """Replace a message's text and buttons."""


class TelegramOutbox:
    """The Outbox that writes through the bot (and so through its pacer; sends are notifications)."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> int:
        with sending_as(Priority.NOTIFICATION):
            message = await self._bot.send_message(chat_id, text, reply_markup=markup)
        return message.message_id

    async def edit(
        self, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> None:
        await self._bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=markup)


@dataclass(frozen=True, slots=True)
class TickReport:
    """What one tick did."""

    opened: int = 0
    settled: int = 0
    at_risk: int = 0
    claimed: int = 0
    sent: int = 0
    digests: int = 0


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of an answer pressed on a reminder."""

    cycle: CheckIn | None  # None: it was answered already (or is no longer open)
    answered_by: Member | None = None  # who answered first, when it was not this member
    edited: frozenset[tuple[int, int]] = frozenset()  # (chat, message) of the reminders updated


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class CheckInService:
    """Sends check-in reminders and staff digests from what the database says is due."""

    def __init__(
        self,
        config: Config,
        checkins: CheckInRepository,
        members: MemberRepository,
        partnerships: PartnershipRepository,
        outbox: Outbox,
        clock: Clock = utc_now,
        *,
        sender: BulkSender | None = None,
    ) -> None:
        self.config = config
        self.checkins = checkins
        self.members = members
        self.partnerships = partnerships
        self.outbox = outbox
        self.clock = clock
        self.sender = sender or BulkSender(self._transport, members=members)
        self._lock = asyncio.Lock()
        self._zones: tuple[str, ...] = ()  # the zones members live in, read again when something changed
        self._digested: set[tuple[int, date]] = set()
        self._paused_until: datetime | None = None  # Telegram's flood control asked us to wait
        self._horizon: date | None = None  # of the last full refresh: due dates move with the calendar
        self._open: dict[str, date] = {}  # the zones where it was reminder time at the last tick
        self._owed: frozenset[int] = frozenset()  # members the last claim's batch had no room for
        self._recheck: frozenset[int] = frozenset()  # partnerships to look at again next tick
        self._pages: dict[str, int] = {}  # fresh zones not yet looked at to the end: the last cycle id seen
        self._full_pending = False  # the last full refresh had more due cycles than a batch
        self._refresh_pending = False  # the last refresh left changed partnerships for the next
        self._running = False  # a job run is working through a backlog

    # --- the job (scheduled by bot/app.py) ---

    async def run_tick(self) -> None:
        """One tick at the current time, and more while a backlog is left; logged when busy.

        The ticks of a backlog follow each other without a time budget: sending is what paces them, at the
        rate Telegram allows. A job run that finds one going leaves the backlog to it.
        """
        if self._running:
            return
        self._running = True
        try:
            while True:
                report = await self.tick(self.clock())
                if report.claimed or report.sent or report.digests:
                    log.info("check-in tick: %s", report)
                if not self.unfinished or not self.sender.keep_going() or self._paused(self.clock()):
                    return
                if not report.sent:
                    await asyncio.sleep(CATCH_UP_PAUSE_SECONDS)  # sweeps alone: let others at the database
        finally:
            self._running = False

    async def recover(self) -> int:
        """On start-up, before the first tick: reminders caught mid-send are not sent again."""
        unknown = await self.checkins.recover()
        if unknown:
            log.warning("%s reminders were being sent when the bot stopped; not sending them again", unknown)
        return unknown

    async def tick(self, now: datetime) -> TickReport:
        """Everything that is due at `now`: refresh, claim, send, digests. Ticks never overlap."""
        async with self._lock:
            refreshed, claimed = await self.sweep(now)
            for cycle in refreshed.settled:
                if cycle.answer is Answer.CONTACT:
                    await self.announce(cycle)
            sent = await self._send_ready(now)
            digests = await self._digests(now)
        return TickReport(
            opened=refreshed.opened,
            settled=len(refreshed.settled),
            at_risk=refreshed.at_risk,
            claimed=claimed,
            sent=sent,
            digests=digests,
        )

    async def sweep(self, now: datetime) -> tuple[Refreshed, int]:
        """The database part of a tick: what is due, and the reminders claimed for it (nothing is sent).

        Each part is bounded (REFRESH_BATCH changed partnerships and cycles opened, CLAIM_PAGE open cycles
        looked at, CLAIM_BATCH members claimed for), so no tick takes long however much fell due at once;
        `unfinished` then says the next tick should come soon.
        """
        defaults = self.config.defaults
        horizon = (now + EARLIEST_OFFSET).date()
        # Every partnership at start-up and when a new day begins somewhere; else only what changed.
        full = horizon != self._horizon or self._full_pending
        refreshed = await self.checkins.refresh(
            now,
            today=local_day(now, defaults.timezone),
            horizon=horizon,
            default_days=defaults.checkin_days,
            full=full,
            batch=REFRESH_BATCH,
        )
        self._horizon = horizon
        self._full_pending = full and refreshed.more
        self._refresh_pending = refreshed.more
        if refreshed.touched or not self._zones:
            self._zones = await self._member_zones()
        if not refreshed.claimable:
            self._owed, self._recheck, self._pages = frozenset(), frozenset(), {}
            return refreshed, 0
        zones = open_zones(now, self._zones, defaults.reminder_hour, defaults.quiet_hours)
        # Where reminder time has just come (or came during downtime: everywhere at start-up) every
        # open check-in is looked at, a page a tick; elsewhere only what the refresh touched, and who is
        # still owed one.
        pages = {name: after for name, after in self._pages.items() if name in zones}
        pages.update((name, 0) for name, day in zones.items() if self._open.get(name) != day)
        claimed = await self.checkins.claim(
            now,
            zones,
            default_timezone=defaults.timezone,
            not_before=now,
            fresh=pages,
            touched=refreshed.touched | self._recheck,
            owed=self._owed,
            limit=CLAIM_BATCH,
            page=CLAIM_PAGE,
        )
        self._open = zones
        end = claimed.looked_up_to
        # Zones whose page started beyond this one's end were not looked at: they keep their place.
        self._pages = {} if end is None else {name: max(after, end) for name, after in pages.items()}
        # Unfinished: the members the batch had no room for are looked up next tick (they, not every open
        # check-in again), and so are the partnerships whose round it began: the rest of their committee
        # now lacks that round.
        self._owed = claimed.owed
        self._recheck = claimed.started if claimed.owed else frozenset()
        return refreshed, claimed.reminders

    @property
    def unfinished(self) -> bool:
        """Whether the last sweep left work for the next: changed partnerships, open cycles, owed members."""
        return self._refresh_pending or bool(self._pages) or bool(self._owed)

    async def _member_zones(self) -> tuple[str, ...]:
        chosen = await self.checkins.member_timezones()
        known = [name for name in sorted(chosen) if is_timezone(name)]
        return tuple(dict.fromkeys([self.config.defaults.timezone, *known]))

    # --- sending ---

    def _paused(self, now: datetime) -> bool:
        return self._paused_until is not None and now < self._paused_until

    async def _transport(self, envelope: Envelope) -> int:
        return await self.outbox.send(envelope.chat_id, envelope.text or "", envelope.markup)

    async def _send_ready(self, now: datetime) -> int:
        """Send every claimed reminder that is ready, several at once; how many were sent."""
        if self._paused(now):
            return 0

        async def settle(reminder_id: int, envelope: Envelope, result: Result) -> None:
            await self._settle(reminder_id, envelope, result, now)

        tally = await self.sender.send_all(self._ready(now), self._compose, settle)
        if tally.retry_after is not None:
            # Telegram asked for a pause: the reminders not sent wait for it, none is dropped.
            self._paused_until = now + timedelta(seconds=tally.retry_after)
            log.warning("reminders paused for %ss by Telegram's flood control", tally.retry_after)
        return tally.sent

    async def _ready(self, now: datetime) -> AsyncIterator[int]:
        while True:
            ready = await self.checkins.ready(now, SEND_BATCH)
            for reminder_id in ready:
                yield reminder_id
            if len(ready) < SEND_BATCH:
                return

    async def _compose(self, reminder_id: int) -> Envelope | None:
        """Take a ready reminder to send (committed as "sending" first) and write it; None if not to send."""
        reminder = await self.checkins.start_sending(reminder_id)
        if reminder is None:
            return None
        member = await self.members.get(reminder.member_id)
        if member is None:
            await self.checkins.finish(reminder.id, ReminderState.DROPPED)
            return None
        t = translator(member.preferred_language, self.config.defaults.language)
        text, markup = reminder_text(reminder, t, await self._names(reminder.items))
        return Envelope(member.id, text, markup)

    async def _settle(self, reminder_id: int, envelope: Envelope, result: Result, now: datetime) -> None:
        member_id = envelope.chat_id
        if result.outcome is Delivered.SENT and result.message_id is not None:
            await self.checkins.sent(reminder_id, result.message_id, now)
            log.info("reminded member %s (reminder %s)", member_id, reminder_id)
        elif result.outcome is Delivered.DEFERRED:
            await self.checkins.retry_after(reminder_id, now + timedelta(seconds=result.retry_after or 0.0))
        elif result.outcome is Delivered.BLOCKED:
            await self.checkins.finish(reminder_id, ReminderState.BLOCKED)
        elif result.outcome is Delivered.UNKNOWN:
            # Timed out or cut off: it may have arrived. Once at most, so it is not sent again.
            log.warning(
                "reminder %s to member %s may not have arrived: %s", reminder_id, member_id, result.error
            )
            await self.checkins.finish(reminder_id, ReminderState.UNKNOWN)
        else:
            log.warning("reminder %s to member %s failed: %s", reminder_id, member_id, result.error)
            await self.checkins.finish(reminder_id, ReminderState.FAILED)

    async def _names(self, items: Iterable[ReminderItem]) -> dict[int, str]:
        names = {}
        for member_id in {item.cycle.answered_by for item in items if item.cycle.answered_by}:
            member = await self.members.get(member_id)
            if member is not None:
                names[member_id] = shown_name(member)
        return names

    # --- answers ---

    async def announce(self, cycle: CheckIn) -> frozenset[tuple[int, int]]:
        """Show every member reminded about a check-in who answered it, and take its buttons away."""
        edited = set()
        for reminder in await self.checkins.reminders_about(cycle.id):
            if reminder.chat_message_id is None:
                continue
            member = await self.members.get(reminder.member_id)
            t = translator(member.preferred_language if member else None, self.config.defaults.language)
            text, markup = reminder_text(reminder, t, await self._names(reminder.items))
            try:
                await self.outbox.edit(reminder.member_id, reminder.chat_message_id, text, markup)
            except (BadRequest, Forbidden) as error:
                # Too old to edit, unchanged, or the member blocked the bot: the answer stands anyway.
                log.debug("could not update reminder %s: %s", reminder.id, error)
            edited.add((reminder.member_id, reminder.chat_message_id))
        return frozenset(edited)

    async def card(
        self, cycle: CheckIn, t: Translator, today: date
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        """One partnership's check-in as a card with its buttons (from a combined reminder)."""
        partnership = await self.partnerships.get(cycle.partnership_id)
        title = partnership.title if partnership else "?"
        partner = partnership.partner_name if partnership else "?"
        item = ReminderItem(cycle, title, partner, quiet_days(cycle, today), second=cycle.round > 1)
        return check_in_card(item, t, await self._names([item]))

    async def snooze(self, cycle_id: int, member: Member, today: date) -> Outcome:
        """Snooze a check-in for a week for the whole committee."""
        now = self.clock()
        cycle = await self.checkins.snooze(cycle_id, member.id, today + timedelta(days=SNOOZE_DAYS), now)
        if cycle is None:
            return await self._already(cycle_id)
        log.info("member %s snoozed check-in %s", member.id, cycle_id)
        return Outcome(cycle, edited=await self.announce(cycle))

    async def in_touch(self, cycle_id: int, member: Member, note: str, today: date) -> Outcome:
        """ "We are in touch": a contact is recorded, the check-in settled for the whole committee."""
        cycle = await self.checkins.in_touch(cycle_id, member.id, note, today=today, now=self.clock())
        if cycle is None:
            return await self._already(cycle_id)
        log.info("member %s answered check-in %s: in touch", member.id, cycle_id)
        return Outcome(cycle, edited=await self.announce(cycle))

    async def _already(self, cycle_id: int) -> Outcome:
        cycle = await self.checkins.get(cycle_id)
        answered_by = await self.members.get(cycle.answered_by) if cycle and cycle.answered_by else None
        return Outcome(None, answered_by)

    # --- staff ---

    async def at_risk_lines(self, today: date) -> list[AtRiskLine]:
        """The partnerships at risk, with how long each has been quiet and who coordinates it."""
        lines = []
        for at_risk in await self.checkins.at_risk():
            coordinators = await self.members.committee(at_risk.cycle.partnership_id, Role.COORDINATOR)
            lines.append(
                AtRiskLine(
                    at_risk.title,
                    quiet_days(at_risk.cycle, today),
                    tuple(shown_name(member) for member in coordinators),
                )
            )
        return lines

    async def at_risk_report(self, t: Translator, today: date) -> str:
        """/atrisk's text."""
        return at_risk_text(await self.at_risk_lines(today), t)

    async def _digests(self, now: datetime) -> int:
        """Each staff member's weekly digest, from Monday's reminder moment on, at most once a week."""
        defaults = self.config.defaults
        staff = {member.id: member for member in await self.members.staff()}
        for admin_id in self.config.admins:
            admin = await self.members.get(admin_id)
            if admin is not None:
                staff.setdefault(admin.id, admin)
        due: list[tuple[Member, date]] = []
        for member in staff.values():
            zone_name = member.timezone or defaults.timezone
            week = week_of(local_day(now, zone_name))
            if not member.active or (member.id, week) in self._digested:
                continue
            if self._digest_time(now, zone_name):
                due.append((member, week))
        if not due:
            return 0
        first = due[0][0]
        lines = await self.at_risk_lines(local_day(now, first.timezone or defaults.timezone))

        async def prepare(staff_week: tuple[Member, date]) -> Envelope | None:
            member, week = staff_week
            self._digested.add((member.id, week))
            if not await self.checkins.claim_digest(member.id, week, now) or not lines:
                return None  # digested elsewhere, or nothing at risk this week: no message
            t = translator(member.preferred_language, defaults.language)
            return Envelope(member.id, digest_text(lines, t))

        async def settle(staff_week: tuple[Member, date], _envelope: Envelope, result: Result) -> None:
            member, week = staff_week
            if result.outcome is Delivered.SENT and result.message_id is not None:
                await self.checkins.digest_sent(member.id, week, result.message_id)
                log.info("sent the at-risk digest to staff member %s", member.id)
            elif result.outcome is Delivered.DEFERRED:
                # Not sent: let a later tick try again.
                self._digested.discard((member.id, week))
                await self.checkins.release_digest(member.id, week)
            elif result.outcome is not Delivered.BLOCKED:
                log.warning("the digest to staff member %s failed: %s", member.id, result.error)

        return (await self.sender.send_all(due, prepare, settle)).sent

    def _digest_time(self, now: datetime, zone_name: str) -> bool:
        # Past today's reminder moment and not in quiet hours: on Monday, from the hour on; a digest
        # missed during downtime goes out later that week, at a sensible hour.
        defaults = self.config.defaults
        return is_reminder_time(now, zone_name, defaults.reminder_hour, defaults.quiet_hours)
