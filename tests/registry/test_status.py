"""Status questions end to end: /status, plain-text questions, buttons and inline mode, on the sandbox."""

from __future__ import annotations

import pytest

from bot.context import BotApplication
from bot.sandbox import BotApiServer, SandboxUser
from storage.members import Role
from storage.records import PartnerKind, PartnershipFields, Status, UsKind

ROANOKE = ["Roanoke – Kisumu", "Roanoke – Pskov", "Roanoke – Saint-Lô", "Roanoke – Wonju"]


def titles_in(text: str) -> list[str]:
    """The partnership titles a reply shows, in order."""
    found = [line.split(" ", 1)[1] for line in text.splitlines() if line[:1] in "🟢🟡🟠🔴" and " – " in line]
    return sorted(found)


async def seat(bot: BotApplication, user: SandboxUser, pair: tuple[str, str, str, str], role: Role) -> int:
    """Register `user` and seat them on a partnership's committee; the partnership's id."""
    services = bot.bot_data.services
    partnership = await services.partnerships.find_pair(*pair)
    assert partnership is not None
    await services.members.upsert(
        user.id,
        first_name=user.first_name,
        last_name=user.last_name or "",
        username=None,
        telegram_language="en",
    )
    await services.members.add_membership(user.id, partnership.id, role)
    return partnership.id


PSKOV = ("Roanoke", "VA", "Pskov", "Russia")


async def test_a_place_with_four_partnerships_gets_all_four_cards_in_one_message(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/status Roanoke")
    reply = await alice.reply()
    assert titles_in(reply.text) == ROANOKE
    assert "Status: active since Mar 7, 2022" in reply.text
    assert "City council voted to keep all its partnerships" in reply.text
    assert "Last contact: no contact recorded yet" in reply.text
    assert "Next check-in:" in reply.text
    assert any(e["type"] == "bold" for e in reply.entities)
    await alice.no_reply()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Durham, NC", ["Durham – Kostroma", "Durham – Toyama"]),
        ("Roanok", ROANOKE),
        ("Pskov", ["Roanoke – Pskov"]),
        ("Псков", ["Roanoke – Pskov"]),
        ("saint-lo", ["Roanoke – Saint-Lô"]),
    ],
)
async def test_status_forgives_how_a_place_is_typed(
    bot: BotApplication, sandbox: BotApiServer, query: str, expected: list[str]
) -> None:
    alice = sandbox.user("Alice")
    await alice.send(f"/status {query}")
    assert titles_in((await alice.reply()).text) == expected


async def test_a_terminated_partnership_says_why_and_expects_no_checkin(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/status Maryland")
    text = (await alice.reply()).text
    assert "Status: terminated since Mar 1, 2022" in text
    assert "Terminated unilaterally by the Governor of Maryland" in text
    assert "check-in" not in text.lower()


async def test_a_russian_speaker_asks_in_russian_and_reads_russian(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    olga = sandbox.user("Ольга", language_code="ru")
    await olga.send("что с Псковом?")
    text = (await olga.reply()).text
    assert titles_in(text) == ["Roanoke – Pskov"]
    assert "Статус: действует с 7 мар. 2022" in text
    assert "Россия" in text
    assert "Последний контакт: пока не записан" in text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("status of Durham?", ["Durham – Kostroma", "Durham – Toyama"]),
        ("how is Roanoke doing", ROANOKE),
        ("Durham", ["Durham – Kostroma", "Durham – Toyama"]),
        ("Кострома", ["Durham – Kostroma"]),
    ],
)
async def test_plain_text_questions_get_the_same_cards(
    bot: BotApplication, sandbox: BotApiServer, question: str, expected: list[str]
) -> None:
    alice = sandbox.user("Alice")
    await alice.send(question)
    assert titles_in((await alice.reply()).text) == expected


async def test_an_unknown_place_gets_a_clear_answer(bot: BotApplication, sandbox: BotApiServer) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/status Atlantis")
    reply = await alice.reply()
    assert reply.text.startswith("I don't know a place called “Atlantis” among the network's partnerships.")
    assert "/status Pskov" in reply.text
    assert reply.buttons == []


async def test_a_near_miss_offers_did_you_mean_buttons_that_answer(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/status Dur")
    reply = await alice.reply()
    assert reply.text == "I don't know “Dur”. Did you mean one of these?"
    assert reply.buttons == [["Durham"]]
    answer = await alice.press(reply, "Durham")
    assert answer.text is None
    assert titles_in((await alice.reply()).text) == ["Durham – Kostroma", "Durham – Toyama"]


async def test_a_russian_spelling_of_an_american_place_finds_it(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    olga = sandbox.user("Ольга", language_code="ru")
    await olga.send("Мэриленд")
    reply = await olga.reply()
    assert reply.text.startswith("🔴 Maryland – Leningrad Oblast")
    assert "Статус: прекращено" in reply.text


async def test_places_that_are_not_one_place_are_offered_as_a_choice(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/status Russia")
    reply = await alice.reply()
    assert "Which one do you mean?" in reply.text
    buttons = sorted(b for row in reply.buttons for b in row)
    assert "Roanoke – Pskov" in buttons
    assert "Durham – Kostroma" in buttons
    await alice.press(reply, "Roanoke – Pskov")
    card = await alice.reply()
    assert titles_in(card.text) == ["Roanoke – Pskov"]
    assert "Coordinators" not in card.text


async def test_status_without_a_name_shows_the_members_own_partnerships(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    carol = sandbox.user("Carol", last_name="Coordinator")
    await seat(bot, carol, PSKOV, Role.COORDINATOR)
    await carol.send("/status")
    text = (await carol.reply()).text
    assert titles_in(text) == ["Roanoke – Pskov"]
    assert "Coordinators: Carol Coordinator" in text


async def test_status_without_a_name_tells_a_non_member_how_to_ask(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/status")
    text = (await alice.reply()).text
    assert "/status Durham" in text


async def test_only_the_committee_staff_and_admins_see_the_committee(
    bot: BotApplication, sandbox: BotApiServer, admin: SandboxUser
) -> None:
    carol = sandbox.user("Carol", last_name="Coordinator")
    await seat(bot, carol, PSKOV, Role.COORDINATOR)
    outsider = sandbox.user("Otto")
    await seat(bot, outsider, ("Durham", "NC", "Kostroma", "Russia"), Role.MEMBER)
    stranger = sandbox.user("Stan")

    for person in (outsider, stranger):
        await person.send("/status Pskov")
        text = (await person.reply()).text
        assert "Carol" not in text
        assert "Coordinators" not in text
        assert "committee" not in text

    for person in (carol, admin):
        await person.send("/status Pskov")
        text = (await person.reply()).text
        assert "Coordinators: Carol Coordinator" in text
        assert "1 member on the committee" in text

    # In a combined reply, a member of one of Roanoke's committees sees only that committee.
    await carol.send("/status Roanoke")
    text = (await carol.reply()).text
    assert text.count("Coordinators:") == 1


async def test_the_permission_is_checked_on_the_press_not_trusted_from_the_button(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    carol = sandbox.user("Carol", last_name="Coordinator")
    pskov_id = await seat(bot, carol, PSKOV, Role.COORDINATOR)
    stranger = sandbox.user("Stan")
    await stranger.send("/status Russia")
    picker = await stranger.reply()
    await stranger.press_data(picker, f"status:{pskov_id}")
    text = (await stranger.reply()).text
    assert titles_in(text) == ["Roanoke – Pskov"]
    assert "Carol" not in text


@pytest.mark.parametrize("data", ["status:999999", "status:abc", "status:", "place:1:x", "forged"])
async def test_forged_button_data_gets_a_polite_answer_and_nothing_else(
    bot: BotApplication, sandbox: BotApiServer, data: str
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/status Russia")
    picker = await alice.reply()
    answer = await alice.press_data(picker, data)
    assert answer.text == "This button no longer works. Please ask again."
    await alice.no_reply()


async def test_inline_mode_offers_the_public_cards(bot: BotApplication, sandbox: BotApiServer) -> None:
    carol = sandbox.user("Carol", last_name="Coordinator")
    await seat(bot, carol, PSKOV, Role.COORDINATOR)
    results = await carol.inline_query("Roanoke")
    assert sorted(r["title"] for r in results) == ROANOKE
    pskov = next(r for r in results if r["title"] == "Roanoke – Pskov")
    assert pskov["type"] == "article"
    assert pskov["description"] == "Status: active since Mar 7, 2022"
    content = pskov["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert "<b>Roanoke – Pskov</b>" in content["message_text"]
    # Posted in a chat of strangers: even a coordinator's inline card is the public one.
    assert "Carol" not in content["message_text"]
    [call] = sandbox.calls("answerInlineQuery")
    assert call.params["is_personal"] in (True, "true")
    assert int(call.params["cache_time"]) <= 60


async def test_inline_mode_with_an_empty_query_offers_a_few(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice")
    results = await alice.inline_query("")
    assert 0 < len(results) <= 5


async def test_inline_mode_in_russian(bot: BotApplication, sandbox: BotApiServer) -> None:
    olga = sandbox.user("Ольга", language_code="ru")
    results = await olga.inline_query("Кострома")
    assert [r["title"] for r in results] == ["Durham – Kostroma"]
    assert results[0]["description"] == "Статус: действует с 1 мар. 2022 г.".replace(" г.", "\u202fг.")


@pytest.mark.parametrize("text", ["hello", "asdf qwerty", "🙂🙂🙂", "/nosuchcommand"])
async def test_text_the_bot_does_not_understand_gets_a_hint(
    bot: BotApplication, sandbox: BotApiServer, text: str
) -> None:
    alice = sandbox.user("Alice")
    await alice.send(text)
    reply = await alice.reply()
    assert "/status" in reply.text
    await alice.no_reply()


async def test_the_hint_is_in_the_readers_language(bot: BotApplication, sandbox: BotApiServer) -> None:
    olga = sandbox.user("Ольга", language_code="ru")
    await olga.send("привет")
    assert "Я могу рассказать" in (await olga.reply()).text


async def test_a_photo_or_a_file_outside_any_conversation_gets_the_hint(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice")
    await alice.send_photo(b"\x89PNG not really")
    assert (await alice.reply()).text.startswith("I can tell you how a sister-city partnership is doing.")
    await alice.no_reply()
    olga = sandbox.user("Ольга", language_code="ru")
    await olga.send_document(b"minutes", "minutes.txt", caption="Pskov")
    assert (await olga.reply()).text.startswith("Я могу рассказать")


async def test_a_photo_during_a_conversation_is_left_to_the_conversation(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice")
    await seat(bot, alice, PSKOV, Role.MEMBER)
    await alice.send("/log")
    await alice.reply()  # how were you in touch?
    await alice.send_photo(b"\x89PNG not really")
    reply = await alice.reply()
    assert reply.text.startswith("Please answer the last question above"), reply.text
    await alice.no_reply()


@pytest.mark.parametrize(
    "text",
    [
        "<b>Durham</b>",
        "<script>alert('x')</script>",
        "'; DROP TABLE partnerships; --",
        "Durham & <Kostroma>",
        "🏙️🇷🇺 Pskov 🇺🇸",
        "מה המצב עם Durham?",
        "\u202eDurham\u202c",
        "x" * 4096,
        "Durham " * 585,
    ],
)
async def test_hostile_text_gets_a_clear_answer_and_breaks_nothing(
    bot: BotApplication, sandbox: BotApiServer, text: str
) -> None:
    alice = sandbox.user("Alice")
    for message in (text, f"/status {text}"[:4096]):
        await alice.send(message)
        reply = await alice.reply()
        assert reply.text
    failed = [c for c in sandbox.journal if not c.ok]
    assert not failed, failed
    # The registry is intact and the bot still answers.
    await alice.send("/status Pskov")
    assert titles_in((await alice.reply()).text) == ["Roanoke – Pskov"]
    assert await bot.bot_data.services.partnerships.count() == 8


async def test_an_unknown_name_is_quoted_back_escaped(bot: BotApplication, sandbox: BotApiServer) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/status <i>Zzyzx</i>")
    reply = await alice.reply()
    assert "<i>Zzyzx</i>" in reply.text  # shown literally, not as formatting
    assert not any(e["type"] == "italic" for e in reply.entities)


async def test_in_a_group_only_commands_and_mentions_are_answered(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    alice = sandbox.user("Alice")
    group = sandbox.group("Roanoke committee", [alice])
    await group.send(alice, "/status Pskov")
    assert titles_in((await group.reply()).text) == ["Roanoke – Pskov"]
    await group.send(alice, f"@{sandbox.bot_username} how is Durham doing?")
    assert titles_in((await group.reply()).text) == ["Durham – Kostroma", "Durham – Toyama"]
    await group.send(alice, "Durham")
    await group.send(alice, f"@{sandbox.bot_username}_fan Durham")
    await group.no_reply()


async def test_a_place_with_too_many_cards_for_one_message_gets_several(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    partnerships = bot.bot_data.services.partnerships
    for n in range(8):
        fields = PartnershipFields(
            "Roanoke",
            "VA",
            UsKind.CITY,
            f"Partner{n}",
            "Region",
            "Kenya",
            PartnerKind.CITY,
            None,
            Status.PAUSED,
            30,
        )
        await partnerships.add(fields, status_since=None, status_note="why " * 300, recorded_by="tests")
    alice = sandbox.user("Alice")
    await alice.send("/status Roanoke")
    replies = [await alice.reply(), await alice.reply()]
    await sandbox.wait_idle(quiet=0.5)
    replies = alice.messages
    assert all(len(reply.text) <= 4096 for reply in replies)
    shown = [title for reply in replies for title in titles_in(reply.text)]
    assert sorted(shown) == sorted([*ROANOKE, *(f"Roanoke – Partner{n}" for n in range(8))])
    # No card is cut in half: each message has as many status lines as titles.
    assert all(reply.text.count("Status:") == len(titles_in(reply.text)) for reply in replies)


async def test_a_place_with_more_partnerships_than_fit_offers_a_choice(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    partnerships = bot.bot_data.services.partnerships
    for n in range(9):
        fields = PartnershipFields(
            "Roanoke",
            "VA",
            UsKind.CITY,
            f"Partner{n}",
            "",
            "Kenya",
            PartnerKind.CITY,
            None,
            Status.ACTIVE,
            None,
        )
        await partnerships.add(fields, status_since=None, status_note="", recorded_by="tests")
    alice = sandbox.user("Alice")
    await alice.send("/status Roanoke")
    reply = await alice.reply()
    assert "Which one do you mean?" in reply.text
    assert len(reply.buttons) == 13


@pytest.mark.parametrize("query", ["<script>alert(1)</script>", "'; DROP TABLE partnerships; --", "x" * 256])
async def test_hostile_inline_queries_get_an_answer(
    bot: BotApplication, sandbox: BotApiServer, query: str
) -> None:
    alice = sandbox.user("Alice")
    assert await alice.inline_query(query) == []
    assert not [c for c in sandbox.journal if not c.ok]


async def test_in_a_group_even_a_committee_member_gets_the_public_card(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    carol = sandbox.user("Carol", last_name="Coordinator")
    await seat(bot, carol, PSKOV, Role.COORDINATOR)
    group = sandbox.group("Friends of Pskov", [carol])
    await group.send(carol, "/status Pskov")
    text = (await group.reply()).text
    assert titles_in(text) == ["Roanoke – Pskov"]
    assert "Carol" not in text
    await group.send(carol, "/status")
    text = (await group.reply()).text
    assert titles_in(text) == ["Roanoke – Pskov"]
    assert "Coordinators" not in text
