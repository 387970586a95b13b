"""Check-in reminders end to end through the offline Bot API server: the reminder, each button, the commands.

The service's tick is called directly with a chosen "now" (the job would call it with the real clock).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.app import build_application, running, unschedule_check_ins
from bot.config import Config
from bot.context import BotApplication
from bot.reminders.service import JOB_NAME, CheckInService
from bot.sandbox import BotApiServer, SandboxMessage, SandboxUser
from storage.checkins import CheckInState
from storage.contacts import Channel
from storage.db import Database
from storage.members import Role
from storage.partnerships import PartnershipRepository
from storage.records import PartnerKind, PartnershipFields, Status, UsKind
from tests.people import register, services_of

NEW_YORK = ZoneInfo("America/New_York")
# Registered 40 days ago, so with 30 days between check-ins the reminder fell due 10 days ago: answers
# dated "today" (by the real clock, as /log dates them) come after the quiet spell began.
REGISTERED = datetime.combine(datetime.now(UTC).date() - timedelta(days=40), time(12), tzinfo=UTC)
DUE = REGISTERED.date() + timedelta(days=30)
WHEN = datetime.combine(DUE, time(10), tzinfo=NEW_YORK).astimezone(UTC)  # 10:00 in New York


def fields(us_name: str, partner: str) -> PartnershipFields:
    return PartnershipFields(
        us_name=us_name,
        us_state="PA",
        us_kind=UsKind.CITY,
        partner_name=partner,
        partner_region="",
        partner_country="Russia",
        partner_kind=PartnerKind.CITY,
        established_year=None,
        status=Status.ACTIVE,
        checkin_days=30,
    )


@pytest.fixture
async def quiet(bot_config: Config, registry: Path) -> list[int]:
    """Two partnerships registered 40 days ago with no contact since, added before the bot starts."""
    db = await Database.open(bot_config.database_path)
    try:
        with time_machine.travel(REGISTERED, tick=False):
            repo = PartnershipRepository(db)
            ids = [
                (
                    await repo.add(
                        fields("Bethlehem", partner), status_since=None, status_note="", recorded_by="t"
                    )
                ).id
                for partner in ("Tver", "Vologda")
            ]
    finally:
        await db.close()
    return ids


@pytest.fixture
async def app(bot_config: Config, quiet: list[int]) -> AsyncIterator[BotApplication]:
    async with running(build_application(bot_config), poll_timeout=1) as application:
        assert application.job_queue is not None
        assert [job.name for job in application.job_queue.get_jobs_by_name(JOB_NAME)] == [JOB_NAME]
        # These tests tick by hand with a chosen "now"; the job would tick with the same clock.
        unschedule_check_ins(application.job_queue)
        yield application


def service_of(app: BotApplication, now: datetime = WHEN) -> CheckInService:
    service = app.bot_data.reminders
    service.clock = lambda: now
    return service


async def seat(app: BotApplication, user: SandboxUser, partnership_id: int, role: Role = Role.MEMBER) -> None:
    await register(app, user)
    await services_of(app).members.add_membership(user.id, partnership_id, role)


async def edited(message: SandboxMessage, seconds: float = 5.0) -> SandboxMessage:
    for _ in range(int(seconds / 0.05)):
        if message.edited:
            return message
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bot did not edit {message}")


async def test_the_reminder_arrives_with_its_buttons_and_snooze_settles_it_for_the_committee(
    app: BotApplication, sandbox: BotApiServer, quiet: list[int]
) -> None:
    tver, _ = quiet
    alice = sandbox.user("Alice", last_name="Smith")
    nina = sandbox.user("Нина", language_code="ru")
    await seat(app, alice, tver)
    await seat(app, nina, tver)

    await service_of(app).tick(WHEN)
    reminder = await alice.reply()
    assert reminder.text.startswith(
        "Check-in: no contact with Tver (Bethlehem – Tver) has been logged for 30 days."
    )
    assert reminder.buttons == [["Log a contact"], ["Snooze a week", "We are in touch"]]
    russian = await nina.reply()
    assert russian.buttons == [["Записать контакт"], ["Отложить на неделю", "Мы на связи"]]

    answer = await alice.press(reminder, "Snooze a week")
    until = DUE + timedelta(days=7)
    assert answer.text == f"Snoozed until {until:%b} {until.day}, {until.year}."
    assert (await edited(reminder)).text.endswith(
        f"✓ Alice Smith snoozed this check-in until {until:%b} {until.day}, {until.year}."
    )
    assert reminder.buttons == []
    assert "Alice Smith отложил(а) это напоминание" in (await edited(russian)).text
    cycle = await services_of(app).checkins.open_cycle(tver)
    assert cycle is not None
    assert (cycle.state, cycle.next_on) == (CheckInState.PENDING, until)
    # Nina's old buttons (had she kept them) no longer change anything.
    late = await nina.press_data(russian, f"ci:snooze:{cycle.id}")
    assert late.text == "Alice Smith уже ответил(а) на это напоминание."
    await alice.no_reply(within=0.2)


async def test_we_are_in_touch_records_a_contact_and_tells_the_others(
    app: BotApplication, sandbox: BotApiServer, quiet: list[int]
) -> None:
    tver, _ = quiet
    alice = sandbox.user("Alice")
    boris = sandbox.user("Boris")
    await seat(app, alice, tver)
    await seat(app, boris, tver)
    await service_of(app).tick(WHEN)
    to_alice, to_boris = await alice.reply(), await boris.reply()

    answer = await boris.press(to_boris, "We are in touch")
    assert answer.text == "Thank you! I recorded that the committee is in touch."
    assert (await edited(to_alice)).text.endswith("✓ Boris said the committee is in touch.")
    assert to_alice.buttons == []
    [contact] = await services_of(app).contacts.history(tver)
    assert (contact.channel, contact.contact_date, contact.member_id) == (Channel.OTHER, DUE, boris.id)
    assert contact.summary == "We are in touch (answered a check-in reminder)."
    assert await services_of(app).checkins.open_cycle(tver) is None


async def test_log_a_contact_starts_log_for_that_partnership_and_the_contact_settles_the_check_in(
    app: BotApplication, sandbox: BotApiServer, quiet: list[int]
) -> None:
    tver, vologda = quiet
    alice = sandbox.user("Alice")
    boris = sandbox.user("Boris")
    await seat(app, alice, tver)
    await seat(app, alice, vologda, Role.COORDINATOR)  # two committees: /log alone would ask which
    await seat(app, boris, tver)
    service = service_of(app)
    await service.tick(WHEN)
    combined = await alice.reply()
    assert combined.text.startswith("2 of your partnerships have had no contact logged for a while:")
    assert combined.buttons == [["Bethlehem – Tver"], ["Bethlehem – Vologda"]]
    to_boris = await boris.reply()

    await alice.press(combined, "Bethlehem – Tver")
    card = await alice.reply()
    assert card.text.startswith("Check-in: no contact with Tver")
    await alice.press(card, "Log a contact")
    assert (await alice.reply()).text == "How were you in touch?"  # the partnership is already chosen
    channel = alice.last
    await alice.press(channel, "Zoom")
    when = await alice.reply()
    await alice.press(when, "Today")
    await alice.reply()
    await alice.send("Zoom with the Tver youth council")
    people = await alice.reply()
    await alice.press(people, "Skip")
    confirm = await alice.reply()
    assert "Partnership: Bethlehem – Tver" in confirm.text
    await alice.press(confirm, "Save")
    await alice.reply()

    await service.tick(WHEN + timedelta(minutes=1))
    assert (await edited(to_boris)).text.endswith("✓ Alice logged a contact.")
    assert await services_of(app).checkins.open_cycle(tver) is None
    vologda_cycle = await services_of(app).checkins.open_cycle(vologda)
    assert vologda_cycle is not None
    assert vologda_cycle.state is CheckInState.FIRST_SENT


async def test_a_stranger_cannot_answer_a_committees_check_in(
    app: BotApplication, sandbox: BotApiServer, quiet: list[int]
) -> None:
    tver, _ = quiet
    alice = sandbox.user("Alice")
    mallory = sandbox.user("Mallory")
    await seat(app, alice, tver)
    await register(app, mallory)
    await service_of(app).tick(WHEN)
    await alice.reply()
    cycle = await services_of(app).checkins.open_cycle(tver)
    assert cycle is not None

    await mallory.send("/help")
    help_message = await mallory.reply()
    for data in (f"ci:snooze:{cycle.id}", f"ci:touch:{cycle.id}"):
        answer = await mallory.press_data(help_message, data)
        assert answer.text == "Only the members of this partnership's committee can answer its check-in."
    assert (
        await mallory.press_data(help_message, "ci:snooze:999999")
    ).text == "This reminder is no longer open."
    assert (await mallory.press_data(help_message, "ci:drop:1")).text == "This reminder is no longer open."
    unchanged = await services_of(app).checkins.open_cycle(tver)
    assert unchanged == cycle
    assert await services_of(app).contacts.history(tver) == []


async def test_a_member_who_blocked_the_bot_is_marked_inactive_and_a_429_only_delays(
    app: BotApplication, sandbox: BotApiServer, quiet: list[int]
) -> None:
    tver, _ = quiet
    alice = sandbox.user("Alice")
    boris = sandbox.user("Boris")
    await seat(app, alice, tver)
    await seat(app, boris, tver)
    await alice.block()
    sandbox.inject_fault("sendMessage", "429", retry_after=1)

    await service_of(app).tick(WHEN)
    member = await services_of(app).members.get(alice.id)
    assert member is not None
    assert not member.active
    [reminder] = boris.messages
    assert reminder.text.startswith("Check-in:")
    await service_of(app).tick(WHEN + timedelta(minutes=1))
    assert len(boris.messages) == 1


async def test_a_5xx_during_a_reminder_batch_is_retried_and_each_member_reminded_once(
    app: BotApplication, sandbox: BotApiServer, quiet: list[int]
) -> None:
    tver, vologda = quiet
    committee = [sandbox.user(f"Member {n}") for n in range(12)]
    for n, user in enumerate(committee):
        await seat(app, user, tver if n % 2 else vologda)
    sandbox.inject_fault("sendMessage", "500", times=4)

    report = await service_of(app).tick(WHEN)
    assert report.sent == 12
    refused = [call for call in sandbox.calls("sendMessage") if call.error_code == 500]
    assert len(refused) == 4
    assert all(len(user.messages) == 1 for user in committee), "each reminded once, none lost"
    assert all(user.messages[0].text.startswith("Check-in:") for user in committee)
    for user in committee:
        assert await services_of(app).checkins.sends_to(user.id) == 1
    await service_of(app).tick(WHEN + timedelta(minutes=1))
    assert all(len(user.messages) == 1 for user in committee)


async def test_reminders_settings_pause_and_turn_back_on(
    app: BotApplication, sandbox: BotApiServer, quiet: list[int]
) -> None:
    tver, _ = quiet
    alice = sandbox.user("Alice")
    await seat(app, alice, tver)
    service_of(app)

    await alice.send("/reminders")
    settings = await alice.reply()
    assert settings.text.splitlines()[0] == "Check-in reminders are on."
    assert "They come at 10:00 your time (America/New_York), never between 21:00-08:00" in settings.text
    assert settings.buttons == [["Pause for a week", "Pause for a month"], ["Pause until a date…"]]
    await alice.press(settings, "Pause for a week")
    paused = await edited(settings)
    until = DUE + timedelta(days=7)
    assert paused.text.startswith(
        f"Check-in reminders are paused until {until:%b} {until.day}, {until.year}."
    )
    assert paused.buttons[-1] == ["Turn reminders back on"]
    assert await services_of(app).checkins.paused_until(alice.id) == until
    await service_of(app).tick(WHEN)
    await alice.no_reply(within=0.3)

    await alice.send("/reminders")
    again = await alice.reply()
    await alice.press(again, "Pause until a date…")
    await edited(again)
    day = DUE + timedelta(days=20)
    await alice.send(day.isoformat())
    assert (
        await alice.reply()
    ).text == f"Check-in reminders are paused until {day:%b} {day.day}, {day.year}."
    await alice.send("/reminders")
    third = await alice.reply()
    await alice.press(third, "Turn reminders back on")
    assert (await edited(third)).text.startswith("Check-in reminders are on.")
    assert await services_of(app).checkins.paused_until(alice.id) is None


async def test_timezone_by_button_and_by_name(
    app: BotApplication, sandbox: BotApiServer, quiet: list[int]
) -> None:
    tver, _ = quiet
    nina = sandbox.user("Нина", language_code="ru")
    await seat(app, nina, tver)
    service_of(app, datetime(2026, 7, 1, 12, 0, tzinfo=UTC))

    await nina.send("/timezone")
    offer = await nina.reply()
    assert offer.text.startswith("Ваш часовой пояс: America/New_York, там сейчас 08:00.")
    assert ["Europe/Kaliningrad", "Europe/Moscow"] in offer.buttons
    await nina.press(offer, "Europe/Moscow")
    assert (await edited(offer)).text == "Часовой пояс: Europe/Moscow (там сейчас 15:00)."
    member = await services_of(app).members.get(nina.id)
    assert member is not None
    assert member.timezone == "Europe/Moscow"

    await nina.send("/timezone")
    await nina.reply()
    await nina.send("Moscow")
    assert (await nina.reply()).text.startswith("Я не знаю такого часового пояса.")
    await nina.send("Asia/Yekaterinburg")
    assert (await nina.reply()).text == "Часовой пояс: Asia/Yekaterinburg (там сейчас 17:00)."
    await nina.send("/timezone Europe/Samara")
    assert (await nina.reply()).text == "Часовой пояс: Europe/Samara (там сейчас 16:00)."


async def test_atrisk_is_for_staff(
    app: BotApplication, sandbox: BotApiServer, quiet: list[int], admin: SandboxUser
) -> None:
    tver, _ = quiet
    alice = sandbox.user("Alice", username="alice")
    await seat(app, alice, tver, Role.COORDINATOR)
    await register(app, admin)
    service = service_of(app)
    for week in range(3):  # first reminder, second reminder, then at risk
        await service.tick(WHEN + timedelta(days=7 * week))

    first, second = await alice.reply(), await alice.reply()
    assert first.text.startswith("Check-in:")
    assert second.text.startswith("Second reminder:")
    digest = await admin.reply()  # the week's digest, as the third tick was the first of a new week
    assert digest.text.startswith("Weekly check-in digest: 1 partnership is at risk;")
    assert "• Bethlehem – Tver: quiet for 44 days; coordinators: Alice (@alice)" in digest.text

    service_of(app, WHEN + timedelta(days=14))
    await alice.send("/atrisk")
    assert (await alice.reply()).text == "Only the network's staff can see which partnerships are at risk."
    await admin.send("/atrisk")
    assert (await admin.reply()).text.splitlines() == [
        "1 partnership is at risk (two check-in reminders unanswered):",
        "• Bethlehem – Tver: quiet for 44 days; coordinators: Alice (@alice)",
    ]
