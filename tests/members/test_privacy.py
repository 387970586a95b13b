"""/privacy, /mydata, /forgetme, /language and /help by role, end to end through the sandbox."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest

from bot.context import BotApplication
from bot.sandbox import BotApiServer, SandboxMessage
from storage.contacts import Channel, ContactFields
from storage.conversations import ConversationRepository
from storage.members import RequestState, Role
from tests.people import (
    PSKOV,
    PSKOV_LABEL,
    PSKOV_LABEL_RU,
    Who,
    person,
    register,
    seat,
    services_of,
)


async def edited(message: SandboxMessage, seconds: float = 5.0) -> SandboxMessage:
    """The message once the bot has edited it."""
    for _ in range(int(seconds / 0.05)):
        if message.edited:
            return message
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bot did not edit {message}")


async def test_privacy_says_what_is_stored_why_and_who_sees_it(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    ivan = sandbox.user("Иван", language_code="ru")
    await ivan.send("/privacy")
    reply = await ivan.reply()
    assert reply.text.startswith("Что я храню о вас и зачем:")
    assert "Кто это видит:" in reply.text
    assert "/mydata" in reply.text
    assert "/forgetme" in reply.text
    # The contacts a member logs: under their name, seen by the committee and staff, kept after /forgetme.
    assert "Контакты с городами-партнёрами, которые вы записываете командой /log" in reply.text
    assert "записанные вами контакты под вашим именем видят ваш комитет и сотрудники сети" in reply.text
    assert "в истории партнёрства с подписью «бывший участник», ваше имя будет удалено" in reply.text
    # Asking what is stored stores nothing.
    assert await services_of(bot).members.get(ivan.id) is None


async def test_mydata_sends_everything_held(bot: BotApplication, sandbox: BotApiServer) -> None:
    jane = sandbox.user("Jane", username="jane", last_name="Doe")
    pskov = await seat(bot, jane, PSKOV, Role.COORDINATOR)
    members = services_of(bot).members
    await members.set_language(jane.id, "ru")
    request, _ = await members.open_request(jane.id, pskov)  # an older, still pending request is impossible
    assert request.state is RequestState.PENDING

    await jane.send("/mydata")
    reply = await jane.reply()
    assert reply.document is not None
    assert reply.document["file_name"] == "my-data.json"
    assert reply.text == "Всё, что я о вас храню, в формате JSON."
    data = json.loads(await sandbox.download(reply.document["file_id"]))
    assert data["member"]["id"] == jane.id
    assert (data["member"]["first_name"], data["member"]["last_name"]) == ("Jane", "Doe")
    assert (data["member"]["username"], data["member"]["language"]) == ("jane", "ru")
    assert data["memberships"] == [
        {
            "member_id": jane.id,
            "partnership_id": pskov,
            "role": "coordinator",
            "since": data["memberships"][0]["since"],
            "partnership": PSKOV_LABEL_RU,  # in the language she chose
        }
    ]
    assert [(r["id"], r["state"], r["partnership"]) for r in data["join_requests"]] == [
        (request.id, "pending", PSKOV_LABEL_RU)
    ]


async def test_mydata_includes_logged_contacts_the_open_draft_and_where_they_stand(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice", username="alice")
    pskov = await seat(bot, alice, PSKOV, Role.MEMBER)
    services = services_of(bot)
    fields = ContactFields(pskov, Channel.ZOOM, date(2024, 4, 10), "Met the Pskov youth council", 12)
    contact = await services.contacts.add(alice.id, fields, today=date(2024, 4, 11))
    await services.checkins.pause(alice.id, date(2099, 1, 31))
    await alice.send("/log zoom 2024-05-02 Planned the autumn visit")  # a draft, waiting to be saved
    await alice.reply()
    conversations = ConversationRepository(services.db)
    for _ in range(100):  # the conversation's state is written within a second
        if await conversations.states_of(alice.id):
            break
        await asyncio.sleep(0.05)

    await alice.send("/mydata")
    reply = await alice.reply()
    assert reply.document is not None
    data = json.loads(await sandbox.download(reply.document["file_id"]))
    assert data["contacts_logged"] == [
        {
            "id": contact.id,
            "partnership_id": pskov,
            "member_id": alice.id,
            "channel": "zoom",
            "contact_date": "2024-04-10",
            "summary": "Met the Pskov youth council",
            "participants": 12,
            "created_at": contact.created_at.isoformat(),
            "edited_at": None,
            "partnership": PSKOV_LABEL,
        }
    ]
    draft = data["contact_draft"]
    assert (draft["channel"], draft["contact_date"], draft["summary"]) == (
        "zoom",
        "2024-05-02",
        "Planned the autumn visit",
    )
    assert draft["partnership"] == PSKOV_LABEL
    assert [(c["name"], c["key"]) for c in data["conversations"]] == [("log", [alice.id, alice.id])]
    assert data["check_in_reminders"] == {"paused_until": "2099-01-31"}


async def test_mydata_for_a_stranger_holds_nothing(bot: BotApplication, sandbox: BotApiServer) -> None:
    kim = sandbox.user("Kim")
    await kim.send("/mydata")
    assert (await kim.reply()).text == "I hold no data about you."


async def test_forgetme_erases_after_confirmation(bot: BotApplication, sandbox: BotApiServer) -> None:
    leo = sandbox.user("Leo", username="leo")
    pskov = await seat(bot, leo, PSKOV, Role.MEMBER)
    members = services_of(bot).members

    await leo.send("/forgetme")
    question = await leo.reply()
    assert "The contacts you logged stay in the partnership's history as logged by “a former member”" in (
        question.text
    )
    assert question.buttons == [["Yes, erase my data", "No, keep it"]]
    await leo.press(question, "No, keep it")
    assert (await edited(question)).text == "Nothing was erased."
    assert await members.get(leo.id) is not None

    await leo.send("/forgetme")
    question = await leo.reply()
    await leo.press(question, "Yes, erase my data")
    assert (await edited(question)).text.startswith("Done: I have erased everything I held about you.")
    assert await members.get(leo.id) is None
    assert await members.memberships_of(leo.id) == []
    assert await members.membership(leo.id, pskov) is None
    assert await members.requests_of(leo.id) == []

    await leo.send("/mydata")
    assert (await leo.reply()).text == "I hold no data about you."


async def test_personal_data_is_never_sent_into_a_group(bot: BotApplication, sandbox: BotApiServer) -> None:
    leo = sandbox.user("Leo")
    await register(bot, leo)
    group = sandbox.group("Committee", [leo])
    await group.send(leo, "/mydata")
    await group.send(leo, "/forgetme")
    await group.no_reply(within=0.5)
    assert await services_of(bot).members.get(leo.id) is not None


async def test_language_switches_and_every_later_reply_follows(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    mia = sandbox.user("Mia", language_code="en")
    await mia.send("/start")
    await mia.reply()
    await mia.send("/cancel")
    await mia.reply()

    await mia.send("/language")
    choice = await mia.reply()
    assert choice.text == "Which language should I use with you?"
    assert choice.buttons == [["English", "Русский"]]
    await mia.press(choice, "Русский")
    assert (await edited(choice)).text == "Теперь я буду писать вам по-русски."
    member = await services_of(bot).members.get(mia.id)
    assert member is not None
    assert member.language == "ru"

    await mia.send("/help")
    assert (await mia.reply()).text.startswith("Что я умею:")
    await mia.send("/status Pskov")  # another module's reply follows the choice too
    status = await mia.reply()
    assert "Статус: действует с 7 мар" in status.text

    await mia.send("/language")
    choice = await mia.reply()
    assert choice.text == "На каком языке мне с вами общаться?"
    await mia.press(choice, "English")
    assert (await edited(choice)).text == "From now on I will write to you in English."


async def test_a_forged_language_is_refused(bot: BotApplication, sandbox: BotApiServer) -> None:
    mia = sandbox.user("Mia")
    await mia.send("/language")
    choice = await mia.reply()
    answer = await mia.press_data(choice, "lang:de")
    assert answer.text == "Sorry, I don't speak that language."
    assert await services_of(bot).members.get(mia.id) is None


SECTIONS = ["Anyone can:", "As a committee member:", "As a coordinator:", "As staff:", "As an admin:"]
HELP_BY_ROLE = {
    Who.ANYONE: SECTIONS[:1],
    Who.OTHER_MEMBER: SECTIONS[:3],  # coordinates Durham–Kostroma
    Who.MEMBER: SECTIONS[:2],
    Who.COORDINATOR: SECTIONS[:3],
    Who.STAFF: [SECTIONS[0], SECTIONS[3]],
    Who.ADMIN: [SECTIONS[0], SECTIONS[3], SECTIONS[4]],
}


@pytest.mark.parametrize("who", list(Who))
async def test_help_shows_what_each_role_can_do(bot: BotApplication, sandbox: BotApiServer, who: Who) -> None:
    user = await person(bot, sandbox, who)
    await user.send("/help")
    text = (await user.reply()).text
    assert [section for section in SECTIONS if section in text] == HELP_BY_ROLE[who]
    assert ("/promote" in text) == (who is Who.ADMIN)
    assert ("/coordinator" in text) == (who in (Who.STAFF, Who.ADMIN))
    assert ("/log - Log a contact" in text) == (who in (Who.OTHER_MEMBER, Who.MEMBER, Who.COORDINATOR))
    assert "/forgetme" in text


async def test_help_in_russian(bot: BotApplication, sandbox: BotApiServer) -> None:
    olga = sandbox.user("Ольга", language_code="ru")
    await olga.send("/help")
    text = (await olga.reply()).text
    assert text.startswith("Что я умею:\n\nЛюбой может:\n/start - Знакомство и ваши комитеты")


async def test_the_published_commands_match_in_both_languages(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    english = {c["command"]: c["description"] for c in sandbox.my_commands()}
    russian = {c["command"]: c["description"] for c in sandbox.my_commands(language_code="ru")}
    assert (
        set(english)
        == set(russian)
        >= {"start", "join", "status", "log", "history", "language", "privacy", "mydata", "forgetme", "help"}
    )
    assert russian["language"] == "Английский или русский"
