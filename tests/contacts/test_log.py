"""The contact log end to end: /log by buttons and in one line, refusals, history, edit, delete, restart."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from bot.app import build_application, running
from bot.config import Config
from bot.context import BotApplication
from bot.sandbox import BotApiServer, SandboxMessage
from storage.contacts import Channel, Contact, ContactFields
from storage.members import Role
from tests.people import (
    KOSTROMA,
    PSKOV,
    partnership_id,
    seat,
    services_of,
)

NEW_YORK = ZoneInfo("America/New_York")  # the config's default timezone


def today() -> date:
    return datetime.now(NEW_YORK).date()


async def edited(message: SandboxMessage, seconds: float = 5.0) -> SandboxMessage:
    """The message once the bot has edited it."""
    for _ in range(int(seconds / 0.05)):
        if message.edited:
            return message
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bot did not edit {message}")


async def logged(bot: BotApplication, pid: int) -> list[Contact]:
    return await services_of(bot).contacts.history(pid, limit=100)


async def test_a_member_logs_a_zoom_call_with_the_buttons(bot: BotApplication, sandbox: BotApiServer) -> None:
    alice = sandbox.user("Alice", last_name="Smith", language_code="en")
    pskov = await seat(bot, alice, PSKOV, Role.MEMBER)

    await alice.send("/log")
    channel = await alice.reply()
    assert channel.text == "How were you in touch?"  # one committee: no question about which
    assert channel.buttons == [
        ["Zoom or video call", "Letter sent"],
        ["Letter received", "E-mail"],
        ["Phone", "In person"],
        ["Other"],
    ]
    await alice.press(channel, "Zoom")
    assert (await edited(channel)).text.endswith("→ Zoom or video call")
    when = await alice.reply()
    assert when.buttons == [["Today", "Yesterday"]]
    await alice.press(when, "Yesterday")
    assert "What happened?" in (await alice.reply()).text
    await alice.send("Met the <b>Pskov</b> youth council & the mayor")
    people = await alice.reply()
    assert people.buttons == [["Skip"]]
    await alice.send("12")
    card = await alice.reply()
    yesterday = today() - timedelta(days=1)
    assert card.text.splitlines() == [
        "Log this contact?",
        "Partnership: Roanoke – Pskov",
        "How: Zoom or video call",
        f"When: {yesterday:%b} {yesterday.day}, {yesterday.year}",
        "12 people took part",
        "What happened: Met the <b>Pskov</b> youth council & the mayor",  # shown as typed, not as HTML
    ]
    assert card.buttons == [["Save", "Edit", "Cancel"]]
    assert await logged(bot, pskov) == []  # nothing is stored before Save

    answer = await alice.press(card, "Save")
    assert answer.text == "Saved."
    done = await alice.reply()
    assert done.text.startswith("Logged: Zoom or video call on")
    assert (await edited(card)).buttons == []
    [contact] = await logged(bot, pskov)
    assert (contact.channel, contact.contact_date, contact.participants, contact.member_id) == (
        Channel.ZOOM,
        yesterday,
        12,
        alice.id,
    )
    assert contact.summary == "Met the <b>Pskov</b> youth council & the mayor"
    assert await services_of(bot).contacts.draft(alice.id) is None
    await alice.no_reply()


async def test_a_member_logs_in_russian_and_picks_among_several_partnerships(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    nina = sandbox.user("Нина", language_code="ru")
    pskov = await seat(bot, nina, PSKOV, Role.MEMBER)
    await seat(bot, nina, KOSTROMA, Role.MEMBER)

    await nina.send("/log")
    which = await nina.reply()
    assert which.text == "С каким партнёрством был этот контакт?"
    await nina.press(which, "Pskov")
    channel = await nina.reply()
    assert channel.text == "Как вы были на связи?"
    await nina.press(channel, "Zoom или видеозвонок")
    when = await nina.reply()
    assert when.buttons == [["Сегодня", "Вчера"]]
    await nina.send("10 апреля 2022")
    await nina.reply()
    await nina.send("Встретились с молодёжным советом Пскова")
    people = await nina.reply()
    await nina.press(people, "Пропустить")
    card = await nina.reply()
    assert card.text.splitlines()[0] == "Записать этот контакт?"
    assert "Когда: 10 апр. 2022\u202fг." in card.text
    await nina.press(card, "Сохранить")
    assert (await nina.reply()).text.startswith("Записано:")
    [contact] = await logged(bot, pskov)
    assert (contact.contact_date, contact.participants) == (date(2022, 4, 10), None)


async def test_the_one_line_form_in_english_and_russian(bot: BotApplication, sandbox: BotApiServer) -> None:
    alice = sandbox.user("Alice", language_code="en")
    nina = sandbox.user("Нина", language_code="ru")
    pskov = await seat(bot, alice, PSKOV, Role.MEMBER)
    await seat(bot, nina, PSKOV, Role.MEMBER)

    await alice.send("/log zoom yesterday Met the Pskov youth council")
    card = await alice.reply()
    assert "How: Zoom or video call" in card.text
    assert "What happened: Met the Pskov youth council" in card.text
    await alice.press(card, "Save")
    await alice.reply()

    await nina.send("/log зум сегодня Созвонились с мэрией")
    card = await nina.reply()
    assert "Как: Zoom или видеозвонок" in card.text
    await nina.press(card, "Сохранить")
    await nina.reply()

    contacts = await logged(bot, pskov)
    assert [(c.summary, c.contact_date, c.member_id) for c in contacts] == [
        ("Созвонились с мэрией", today(), nina.id),
        ("Met the Pskov youth council", today() - timedelta(days=1), alice.id),
    ]


async def test_a_one_line_form_that_cannot_be_read_explains_and_stores_nothing(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice", language_code="en")
    pskov = await seat(bot, alice, PSKOV, Role.MEMBER)
    await alice.send("/log fax yesterday Sent a fax")
    reply = await alice.reply()
    assert reply.text.startswith("The first word should say how you were in touch")
    assert "/log zoom yesterday Met the Pskov youth council" in reply.text
    await alice.send("/log zoom someday Met them")
    assert (await alice.reply()).text.startswith("After how you were in touch, write when")
    assert await logged(bot, pskov) == []


async def test_a_letter_without_its_direction_is_asked_about_politely(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice", language_code="en")
    pskov = await seat(bot, alice, PSKOV, Role.MEMBER)
    await alice.send("/log letter yesterday Wrote to the mayor")
    assert (await alice.reply()).text == (
        "Was the letter sent or received? Start with letter-sent or letter-received, for example: "
        "/log letter-sent yesterday Wrote to the mayor"
    )
    nina = sandbox.user("Нина", language_code="ru")
    await seat(bot, nina, PSKOV, Role.MEMBER)
    await nina.send("/log письмо вчера Написали мэру")
    assert (await nina.reply()).text == (
        "Письмо отправлено или получено? Начните с «письмо-отправлено» или «письмо-получено», например: "
        "/log письмо-отправлено вчера Написали мэру"
    )
    assert await logged(bot, pskov) == []


async def test_tomorrow_in_the_one_line_form_is_refused_as_in_the_future(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice", language_code="en")
    pskov = await seat(bot, alice, PSKOV, Role.MEMBER)
    await alice.send("/log zoom tomorrow Met them")
    reply = await alice.reply()
    assert reply.text.startswith("That date is in the future."), reply.text
    assert "When was it?" in reply.text
    nina = sandbox.user("Нина", language_code="ru")
    await seat(bot, nina, PSKOV, Role.MEMBER)
    await nina.send("/log зум послезавтра Созвон с мэрией")
    reply = await nina.reply()
    assert reply.text.startswith("Эта дата в будущем."), reply.text
    await nina.send("завтра")
    assert (await nina.reply()).text.startswith("Эта дата в будущем.")
    assert await logged(bot, pskov) == []


async def test_a_bad_date_is_refused_with_the_reason_and_asked_again(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice", language_code="en")
    pskov = await seat(bot, alice, PSKOV, Role.MEMBER)
    await alice.send("/log")
    await alice.press(await alice.reply(), "Phone")
    await alice.reply()

    tomorrow = today() + timedelta(days=1)
    for typed, reason in [
        (tomorrow.isoformat(), "That date is in the future."),
        ("tomorrow", "That date is in the future."),
        ("the day after tomorrow", "That date is in the future."),
        ("12.12.1912", "That date is before 1950"),
        ("the other day", "I could not read that as a date."),
    ]:
        await alice.send(typed)
        again = await alice.reply()
        assert again.text.startswith(reason), again.text
        assert "When was it?" in again.text
        assert again.buttons == [["Today", "Yesterday"]]
    await alice.send("2022-04-10")
    assert "What happened?" in (await alice.reply()).text
    draft = await services_of(bot).contacts.draft(alice.id)
    assert draft is not None
    assert draft.contact_date == date(2022, 4, 10)
    assert await logged(bot, pskov) == []


async def test_a_date_before_the_partnership_was_established_is_refused(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice", language_code="en")
    pskov = await seat(bot, alice, PSKOV, Role.MEMBER)
    partnerships = services_of(bot).partnerships
    current = await partnerships.get(pskov)
    assert current is not None
    await partnerships.update_details(pskov, replace(current.fields(), established_year=1992))
    await alice.send("/log letter sent 10.04.1991 Sent our first letter")
    refused = await alice.reply()
    assert refused.text.startswith("That date is before the partnership was established in 1992.")
    await alice.send("10.04.1992")
    card = await alice.reply()
    assert "What happened: Sent our first letter" in card.text
    assert "How: Letter sent" in card.text


async def test_only_the_committee_can_log_for_a_partnership(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    boris = sandbox.user("Boris", language_code="en")
    await seat(bot, boris, KOSTROMA, Role.MEMBER)
    pskov = await partnership_id(bot, PSKOV)
    stranger = sandbox.user("Stan", language_code="en")

    await stranger.send("/log zoom today Hello")
    assert (await stranger.reply()).text.startswith("Only members of a partnership's committee")

    # Boris's own form can only offer Kostroma; forged presses for Pskov change nothing.
    await boris.send("/log")
    channel = await boris.reply()
    assert "How were you in touch?" in channel.text
    draft = await services_of(bot).contacts.draft(boris.id)
    assert draft is not None
    answer = await boris.press_data(channel, f"log:new:{pskov}")
    assert answer.text == "Only the partnership's committee and the network's staff can do that."
    answer = await boris.press_data(channel, f"log:{draft.token}:p:{pskov}")
    assert answer.text is not None
    answer = await boris.press_data(channel, "log:0000000:c:zoom")
    assert answer.text is not None
    answer = await boris.press_data(channel, "forged")
    assert answer.text is not None
    assert await logged(bot, pskov) == []
    after = await services_of(bot).contacts.draft(boris.id)
    assert after is not None
    assert after.partnership_id == draft.partnership_id != pskov


async def test_a_member_removed_from_the_committee_half_way_cannot_save(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice", language_code="en")
    pskov = await seat(bot, alice, PSKOV, Role.MEMBER)
    await alice.send("/log zoom today Met them")
    card = await alice.reply()
    await services_of(bot).members.remove_membership(alice.id, pskov)
    await alice.press(card, "Save")
    assert (await alice.reply()).text.startswith("Only members of the partnership's committee")
    assert await logged(bot, pskov) == []


async def test_cancel_at_any_step_and_the_card_buttons_after_it(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice", language_code="en")
    pskov = await seat(bot, alice, PSKOV, Role.MEMBER)
    await alice.send("/log zoom today Met them")
    card = await alice.reply()
    await alice.send("/cancel")
    assert (await alice.reply()).text == "Cancelled; nothing was saved."
    answer = await alice.press(card, "Save")
    assert answer.text == "This form is closed. Send /log to start again."
    await alice.send("Some text that is not for /log")
    await alice.reply()  # the status module's answer, not ours
    assert await logged(bot, pskov) == []


async def test_edit_on_the_card_changes_one_field(bot: BotApplication, sandbox: BotApiServer) -> None:
    alice = sandbox.user("Alice", language_code="en")
    pskov = await seat(bot, alice, PSKOV, Role.MEMBER)
    await alice.send("/log zoom today Met them")
    card = await alice.reply()
    await alice.press(card, "Edit")
    fields = await edited(card)
    assert fields.buttons == [["How", "When", "What happened"], ["People"], ["Back"]]
    await alice.press(fields, "What happened")
    await alice.reply()
    await alice.send("Met the youth council")
    card = await alice.reply()  # straight back to the card, no question about people
    assert "What happened: Met the youth council" in card.text
    await alice.press(card, "Save")
    await alice.reply()
    [contact] = await logged(bot, pskov)
    assert contact.summary == "Met the youth council"


async def test_a_restart_half_way_through_log_loses_nothing(
    bot_config: Config, registry: object, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice", language_code="en")
    async with running(build_application(bot_config), poll_timeout=1) as first:
        pskov = await seat(first, alice, PSKOV, Role.MEMBER)
        await alice.send("/log")
        await alice.press(await alice.reply(), "Letter received")
        when = await alice.reply()
        await alice.send("April 10 2022")
        assert "What happened?" in (await alice.reply()).text

    async with running(build_application(bot_config), poll_timeout=1) as second:
        await alice.send("A letter from the Pskov school with drawings")
        people = await alice.reply()
        assert "How many people took part?" in people.text
        await alice.press(people, "Skip")
        card = await alice.reply()
        assert "How: Letter received" in card.text
        assert "When: Apr 10, 2022" in card.text
        await alice.press(card, "Save")
        await alice.reply()
        [contact] = await logged(second, pskov)
        assert (contact.channel, contact.contact_date) == (Channel.LETTER_RECEIVED, date(2022, 4, 10))
        # A button from before the restart, of a form since saved, changes nothing.
        answer = await alice.press(when, "Today")
        assert answer.text == "This form is closed. Send /log to start again."


# --- history ---


async def add(bot: BotApplication, member: int | None, pid: int, on: date, summary: str) -> Contact:
    fields = ContactFields(pid, Channel.EMAIL, on, summary)
    return await services_of(bot).contacts.add(member, fields, today=today())


async def test_history_pages_newest_first_and_names_a_former_member(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice", last_name="Smith", language_code="en")
    pskov = await seat(bot, alice, PSKOV, Role.MEMBER)
    gone = sandbox.user("Gone", language_code="en")
    await seat(bot, gone, PSKOV, Role.MEMBER)
    for day in range(1, 7):
        await add(bot, alice.id, pskov, date(2024, 1, day), f"note {day}")
    await add(bot, gone.id, pskov, date(2024, 1, 7), "<script>alert(1)</script>")
    assert await services_of(bot).members.forget(gone.id)

    await alice.send("/history")
    page = await alice.reply()
    lines = page.text.splitlines()
    assert lines[0] == "Contact history: Roanoke – Pskov"
    assert lines[1] == "7 contacts logged, page 1 of 2"
    assert "1. Jan 7, 2024 · E-mail · a former member" in page.text
    assert "<script>alert(1)</script>" in page.text  # escaped: shown as typed
    assert "2. Jan 6, 2024 · E-mail · Alice Smith" in page.text
    assert "note 2" not in page.text
    assert page.buttons[-2:] == [["Next ▶"], ["➕ Log a contact"]]
    assert ["✏️ Edit 1"] not in page.buttons  # not her entry
    await alice.press(page, "Next ▶")
    second = await edited(page)
    assert "page 2 of 2" in second.text
    assert "1. Jan 2, 2024" in second.text
    assert ["◀ Previous"] in second.buttons


async def test_another_committee_cannot_see_the_history(bot: BotApplication, sandbox: BotApiServer) -> None:
    boris = sandbox.user("Boris", language_code="en")
    await seat(bot, boris, KOSTROMA, Role.MEMBER)
    pskov = await partnership_id(bot, PSKOV)
    await add(bot, None, pskov, date(2024, 1, 1), "secret")
    await boris.send("/history Pskov")
    reply = await boris.reply()
    assert (
        reply.text
        == "Only the committee of Roanoke – Pskov and the network's staff can see its contact history."
    )
    answer = await boris.press_data(reply, f"hist:{pskov}:0")
    assert answer.show_alert
    await boris.no_reply()
    assert not any("secret" in m.text for m in boris.messages)


async def test_staff_see_any_history_and_log_from_it(bot: BotApplication, sandbox: BotApiServer) -> None:
    sam = sandbox.user("Sam", language_code="en")
    services = services_of(bot)
    await services.members.upsert(
        sam.id, first_name="Sam", last_name="", username=None, telegram_language="en"
    )
    await services.members.set_staff(sam.id, True)
    pskov = await partnership_id(bot, PSKOV)
    await sam.send("/log")
    assert "open its history with /history" in (await sam.reply()).text
    await sam.send("/history Pskov")
    page = await sam.reply()
    assert "No contacts logged yet." in page.text
    await sam.press(page, "Log a contact")
    channel = await sam.reply()
    await sam.press(channel, "In person")
    await sam.press(await sam.reply(), "Today")
    await sam.reply()
    await sam.send("Visited the Pskov library")
    await sam.send("3")
    await sam.reply()
    card = await sam.reply()
    await sam.press(card, "Save")
    await sam.reply()
    [contact] = await logged(bot, pskov)
    assert (contact.member_id, contact.channel, contact.participants) == (sam.id, Channel.IN_PERSON, 3)


async def test_the_author_edits_and_deletes_others_cannot(bot: BotApplication, sandbox: BotApiServer) -> None:
    alice = sandbox.user("Alice", language_code="en")
    carol = sandbox.user("Carol", language_code="en")
    pskov = await seat(bot, alice, PSKOV, Role.MEMBER)
    await seat(bot, carol, PSKOV, Role.COORDINATOR)
    mine = await add(bot, alice.id, pskov, date(2024, 1, 1), "Alice's note")

    # Carol (same committee) sees the entry but has no buttons for it, and forged ones are refused.
    await carol.send("/history")
    page = await carol.reply()
    assert "Alice's note" in page.text
    assert page.buttons == [["➕ Log a contact"]]
    refused = await carol.press_data(page, f"hist:edit:{mine.id}")
    assert refused.text == "Only the author of an entry can change it."
    refused = await carol.press_data(page, f"hist:del:{mine.id}")
    assert refused.text == "Only the author or the network's staff can delete an entry."
    refused = await carol.press_data(page, f"hist:delok:{mine.id}")
    assert refused.text == "Only the author or the network's staff can delete an entry."
    await carol.no_reply()
    assert [c.summary for c in await logged(bot, pskov)] == ["Alice's note"]

    # Alice edits her entry through the same card as /log.
    await alice.send("/history")
    page = await alice.reply()
    assert page.buttons[0] == ["✏️ Edit 1", "🗑 Delete 1"]
    await alice.press(page, "Edit 1")
    card = await alice.reply()
    assert card.text.startswith("Save these changes?")
    await alice.press(card, "Edit")
    fields = await edited(card)
    assert "Partnership" not in str(fields.buttons)
    await alice.press(fields, "When")
    await alice.reply()
    await alice.send("02.01.2024")
    card = await alice.reply()
    await alice.press(card, "Save")
    assert (await alice.reply()).text == "The entry is corrected. See it with /history."
    [contact] = await logged(bot, pskov)
    assert (contact.id, contact.contact_date, contact.summary) == (mine.id, date(2024, 1, 2), "Alice's note")
    assert contact.edited_at is not None

    # And deletes it, after confirming.
    await alice.send("/history")
    page = await alice.reply()
    assert "(edited)" in page.text
    await alice.press(page, "Delete 1")
    confirm = await alice.reply()
    assert confirm.text.startswith("Delete this entry?")
    await alice.press(confirm, "Keep it")
    assert (await edited(confirm)).text == "Kept; nothing was deleted."
    await alice.press(page, "Delete 1")
    confirm = await alice.reply()
    answer = await alice.press(confirm, "Yes, delete")
    assert answer.text == "Deleted."
    assert await logged(bot, pskov) == []


async def test_staff_may_delete_any_entry_but_not_edit_it(bot: BotApplication, sandbox: BotApiServer) -> None:
    alice = sandbox.user("Alice", language_code="en")
    pskov = await seat(bot, alice, PSKOV, Role.MEMBER)
    entry = await add(bot, alice.id, pskov, date(2024, 1, 1), "Alice's note")
    admin = sandbox.user("Ada", language_code="en", user_id=1001)
    await admin.send("/history Pskov")
    page = await admin.reply()
    assert page.buttons[0] == ["🗑 Delete 1"]
    refused = await admin.press_data(page, f"hist:edit:{entry.id}")
    assert refused.text == "Only the author of an entry can change it."
    await admin.press(page, "Delete 1")
    await admin.press(await admin.reply(), "Yes, delete")
    assert await logged(bot, pskov) == []


async def test_the_log_stays_out_of_group_chats(bot: BotApplication, sandbox: BotApiServer) -> None:
    alice = sandbox.user("Alice", language_code="en")
    pskov = await seat(bot, alice, PSKOV, Role.MEMBER)
    await add(bot, alice.id, pskov, date(2024, 1, 1), "committee only")
    group = sandbox.group("Committee", [alice])
    await group.send(alice, "/log zoom today Met them")
    await group.send(alice, "/history")
    await group.no_reply(within=0.5)
    assert [c.summary for c in await logged(bot, pskov)] == ["committee only"]


async def test_status_shows_the_logged_contact_as_the_last_contact(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice", language_code="en")
    stranger = sandbox.user("Stan", language_code="en")
    pskov = await seat(bot, alice, PSKOV, Role.MEMBER)
    await add(bot, alice.id, pskov, date(2024, 1, 5), "An older e-mail")
    await alice.send("/log zoom 2024-02-01 Met the Pskov youth council")
    await alice.press(await alice.reply(), "Save")
    await alice.reply()

    await alice.send("/status Pskov")
    card = (await alice.reply()).text
    assert "Last contact: Feb 1, 2024 (Zoom)" in card
    assert "What they said: Met the Pskov youth council" in card  # the committee sees what was said
    await stranger.send("/status Pskov")
    public = (await stranger.reply()).text
    assert "Last contact: Feb 1, 2024 (Zoom)" in public
    assert "youth council" not in public


async def test_the_card_counts_recent_contacts_and_waits_for_a_reply_to_a_letter(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice", language_code="en")
    pskov = await seat(bot, alice, PSKOV, Role.MEMBER)
    sent_on = today() - timedelta(days=70)
    await alice.send(f"/log letter-sent {sent_on.isoformat()} Wrote to the mayor of Pskov")
    card = await alice.reply()
    assert "How: Letter sent" in card.text
    await alice.press(card, "Save")
    await alice.reply()
    await add(bot, alice.id, pskov, today() - timedelta(days=3), "A call")

    await alice.send("/status Pskov")
    text = (await alice.reply()).text
    assert "2 contacts in the last 90 days" in text  # the letter (70 days ago) and the call
    assert f"Awaiting a reply to the letter sent on {sent_on:%b} {sent_on.day}, {sent_on.year}" in text

    await alice.send(f"/log letter-received {today().isoformat()} The mayor wrote back")
    await alice.press(await alice.reply(), "Save")
    await alice.reply()
    await alice.send("/status Pskov")
    text = (await alice.reply()).text
    assert "3 contacts in the last 90 days" in text
    assert "Awaiting a reply" not in text


async def test_today_and_yesterday_are_the_members_own(bot: BotApplication, sandbox: BotApiServer) -> None:
    alice = sandbox.user("Alice", language_code="en")
    kenji = sandbox.user("Kenji", language_code="en")
    pskov = await seat(bot, alice, PSKOV, Role.MEMBER)
    await seat(bot, kenji, PSKOV, Role.MEMBER)
    await services_of(bot).members.set_timezone(kenji.id, "Asia/Tokyo")
    # 03:00 UTC: the 14th in New York (the network's default timezone), already the 15th in Tokyo.
    with time_machine.travel(datetime(2024, 3, 15, 3, 0, tzinfo=UTC), tick=True):
        for user in (alice, kenji):
            await user.send("/log phone today A call")
            await user.press(await user.reply(), "Save")
            await user.reply()
    dates = {c.member_id: c.contact_date for c in await logged(bot, pskov)}
    assert dates == {alice.id: date(2024, 3, 14), kenji.id: date(2024, 3, 15)}


async def test_history_in_russian(bot: BotApplication, sandbox: BotApiServer) -> None:
    nina = sandbox.user("Нина", language_code="ru")
    pskov = await seat(bot, nina, PSKOV, Role.MEMBER)
    await add(bot, None, pskov, date(2024, 1, 7), "Письмо от мэрии")
    await nina.send("/history")
    page = await nina.reply()
    assert page.text.splitlines()[:2] == [
        "История контактов: Roanoke – Pskov",
        "1 контакт записан, страница 1 из 1",
    ]
    assert "7 янв. 2024\u202fг. · Электронная почта · бывший участник" in page.text
    assert page.buttons == [["➕ Записать контакт"]]
