"""Registration, approval, roles and blocking, end to end through the sandbox with the real application."""

from __future__ import annotations

import asyncio

import pytest

from bot.context import BotApplication
from bot.sandbox import BotApiServer, SandboxMessage, SandboxUser
from storage.members import RequestState, Role
from tests.conftest import ADMIN_ID
from tests.people import (
    KOSTROMA,
    PSKOV,
    PSKOV_LABEL,
    PSKOV_LABEL_RU,
    Who,
    partnership_id,
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


async def ask_to_join(user: SandboxUser, city: str, button: str = PSKOV_LABEL) -> SandboxMessage:
    """/start, type a city, press the partnership's button; the edited offer."""
    await user.send("/start")
    await user.reply()
    await user.send(city)
    offer = await user.reply()
    await user.press(offer, button)
    return await edited(offer)


async def test_a_newcomer_is_greeted_in_russian_and_joins_when_the_coordinator_approves(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    carol = sandbox.user("Carol", username="carol")
    pskov = await seat(bot, carol, PSKOV, Role.COORDINATOR)
    nina = sandbox.user("Нина", language_code="ru", username="nina")

    await nina.send("/start")
    hello = await nina.reply()
    assert hello.text.startswith("Здравствуйте, \u2068Нина\u2069!")
    assert "В каком комитете партнёрства вы состоите?" in hello.text
    assert hello.buttons == [["Просто смотрю"]]
    member = await services_of(bot).members.get(nina.id)
    assert member is not None
    assert member.telegram_language == "ru"

    await nina.send("Псков")
    offer = await nina.reply()
    assert offer.text == "Какой из этих комитетов ваш?"
    # The country is named in the reader's language, on the buttons as on the status card.
    assert offer.buttons == [[PSKOV_LABEL_RU], ["Ничего из этого", "Просто смотрю"]]
    await nina.press(offer, PSKOV_LABEL_RU)
    await edited(offer)
    assert offer.text.startswith(f"Вы попросили о вступлении в комитет {PSKOV_LABEL_RU}.")
    assert offer.buttons == []

    request = await carol.reply()
    assert request.text == f"\u2068Нина\u2069 (@nina) asks to join the {PSKOV_LABEL} committee."
    assert request.buttons == [["Approve", "Decline"]]
    answer = await carol.press(request, "Approve")
    assert answer.text == "Approved."

    welcome = await nina.reply()
    assert welcome.text.startswith(f"Добро пожаловать в комитет {PSKOV_LABEL_RU}!")
    await edited(request)
    assert request.text == (
        f"\u2068Нина\u2069 (@nina) asked to join the {PSKOV_LABEL} committee: "
        "approved by \u2068Carol\u2069 (@carol)."
    )
    assert request.buttons == []
    seat_ = await services_of(bot).members.membership(nina.id, pskov)
    assert seat_ is not None
    assert seat_.role is Role.MEMBER


async def test_without_a_coordinator_staff_and_admins_get_the_request_and_one_declines(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    admin = await person(bot, sandbox, Who.ADMIN)
    staff = await person(bot, sandbox, Who.STAFF)
    dave = sandbox.user("Dave", username="dave")

    await ask_to_join(dave, "Roanoke – Pskov")
    to_admin, to_staff = await admin.reply(), await staff.reply()
    assert (
        to_admin.text
        == to_staff.text
        == f"\u2068Dave\u2069 (@dave) asks to join the {PSKOV_LABEL} committee."
    )

    assert (await staff.press(to_staff, "Decline")).text == "Declined."
    outcome = await dave.reply()
    assert outcome.text.startswith(f"Your request to join the {PSKOV_LABEL} committee was declined.")
    await edited(to_admin)
    assert to_admin.text.endswith("declined by \u2068Staff\u2069 (@user_staff).")
    assert to_admin.buttons == []

    members = services_of(bot).members
    assert await members.memberships_of(dave.id) == []
    [request] = await members.requests_of(dave.id)
    assert request.state is RequestState.DECLINED
    assert request.decided_by == staff.id

    # The admin's copy was stale: pressing it now changes nothing.
    stale = await admin.press_data(to_admin, f"join:approve:{request.id}")
    assert stale.text == "This request has already been decided."
    assert await members.memberships_of(dave.id) == []


async def test_a_coordinator_of_another_partnership_cannot_approve_a_forged_press(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    carol = sandbox.user("Carol", username="carol")
    await seat(bot, carol, PSKOV, Role.COORDINATOR)
    mallory = sandbox.user("Mallory", username="mallory")
    await seat(bot, mallory, KOSTROMA, Role.COORDINATOR)
    dave = sandbox.user("Dave", username="dave")
    await ask_to_join(dave, "Pskov")
    await carol.reply()
    members = services_of(bot).members
    [request] = await members.requests_of(dave.id)

    await mallory.send("/help")
    own_message = await mallory.reply()
    for data in (f"join:approve:{request.id}", f"join:decline:{request.id}"):
        refused = await mallory.press_data(own_message, data)
        assert refused.show_alert
        assert (
            refused.text == "Sorry, only the committee's coordinators and the staff can decide this request."
        )
    for data in ("join:approve:999999", "join:approve:abc", "join:whatever"):
        assert (await mallory.press_data(own_message, data)).text == "This request no longer exists."

    after = await members.join_request(request.id)
    assert after is not None
    assert after.state is RequestState.PENDING
    assert after.decided_by is None
    assert await members.memberships_of(dave.id) == []
    await dave.no_reply(within=0.3)


async def test_a_member_sees_their_committees_and_can_join_another(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    erin = sandbox.user("Erin")
    await seat(bot, erin, PSKOV, Role.MEMBER)
    await erin.send("/start")
    hello = await erin.reply()
    assert hello.text.startswith(
        "Welcome back, \u2068Erin\u2069! Your committees:\n• Roanoke – Pskov (Russia)"
    )

    await erin.send("/join")
    await erin.reply()
    await erin.send("Durham")
    offer = await erin.reply()
    assert offer.buttons[:2] == [["Durham – Kostroma (Russia)"], ["Durham – Toyama (Japan)"]]
    await erin.press(offer, "Durham – Kostroma (Russia)")
    await edited(offer)
    kostroma = await partnership_id(bot, KOSTROMA)
    assert [r.partnership_id for r in await services_of(bot).members.pending_requests(erin.id)] == [kostroma]


async def test_asking_twice_files_one_request(bot: BotApplication, sandbox: BotApiServer) -> None:
    admin = await person(bot, sandbox, Who.ADMIN)
    dave = sandbox.user("Dave")
    await dave.send("/join")
    await dave.reply()
    await dave.send("Pskov")
    offer = await dave.reply()
    data = offer.button_data[PSKOV_LABEL]
    await dave.press(offer, PSKOV_LABEL)
    await admin.reply()
    again = await dave.press_data(offer, data)
    assert again.text == "Your request is already waiting for a decision."
    assert len(await services_of(bot).members.requests_of(dave.id)) == 1
    await admin.no_reply(within=0.3)


async def test_none_of_these_asks_again_and_cancel_leaves(bot: BotApplication, sandbox: BotApiServer) -> None:
    dave = sandbox.user("Dave")
    await dave.send("/start")
    await dave.reply()
    await dave.send("Roanoke")
    offer = await dave.reply()
    assert len(offer.buttons) == 5  # four Roanoke partnerships and the row of other choices
    await dave.press(offer, "None of these")
    await edited(offer)
    assert offer.text == "Please type another name, or send /cancel."
    await dave.send("Kostroma")
    assert (await dave.reply()).buttons[0] == ["Durham – Kostroma (Russia)"]
    await dave.send("/cancel")
    assert (await dave.reply()).text == "All right. Send /join whenever you want to join a committee."
    assert await services_of(bot).members.requests_of(dave.id) == []


async def test_just_looking_ends_the_registration(bot: BotApplication, sandbox: BotApiServer) -> None:
    dave = sandbox.user("Dave")
    await dave.send("/start")
    hello = await dave.reply()
    await dave.press(hello, "Just looking")
    await edited(hello)
    assert hello.text.startswith("Welcome! Ask me about any partnership")
    member = await services_of(bot).members.get(dave.id)
    assert member is not None
    assert await services_of(bot).members.requests_of(dave.id) == []


async def test_an_unknown_city_gets_a_clear_answer(bot: BotApplication, sandbox: BotApiServer) -> None:
    dave = sandbox.user("Dave")
    await dave.send("/start")
    await dave.reply()
    await dave.send("Atlantis")
    reply = await dave.reply()
    assert reply.text.startswith("I found no partnership for “\u2068Atlantis\u2069”.")
    assert reply.buttons == []


HOSTILE = [
    "<b>Pskov</b>",
    "<script>alert('x')</script>",
    "Robert'); DROP TABLE members;--",
    "' OR 1=1 --",
    "🏙️🇷🇺 Псков 🎉",
    "مدينة بسكوف",
    "&lt;i&gt; & <i>",
    "\u202eokonaoR",
]


@pytest.mark.parametrize("typed", [*HOSTILE, "x" * 4096])
async def test_hostile_text_typed_as_a_city_gets_a_clear_answer_and_breaks_nothing(
    bot: BotApplication, sandbox: BotApiServer, typed: str
) -> None:
    dave = sandbox.user("Dave")
    await dave.send("/start")
    await dave.reply()
    await dave.send(typed)
    reply = await dave.reply()
    if len(typed) > 100:
        assert reply.text.startswith("That is longer than any city name I know.")
    elif reply.buttons:
        assert reply.text == "Which of these is your committee?"
    else:
        assert reply.text.startswith("I found no partnership for “\u2068")
        assert reply.text.count("\u2068") == reply.text.count("\u2069")
    assert reply.entities == []  # sent as plain text: nothing typed became formatting
    assert not [call for call in sandbox.journal if not call.ok and call.error_code == 400]
    # The bot and its tables are intact: the conversation goes on.
    await dave.send("Pskov")
    assert (await dave.reply()).buttons[0] == [PSKOV_LABEL]
    assert len(await services_of(bot).partnerships.list_all()) == 8
    assert await services_of(bot).members.get(dave.id) is not None


async def test_a_photo_instead_of_a_city_is_answered(bot: BotApplication, sandbox: BotApiServer) -> None:
    dave = sandbox.user("Dave")
    await dave.send("/start")
    await dave.reply()
    await dave.send_photo(b"\x89PNG not really")
    assert (await dave.reply()).text == "Please type the name of your city as text, or send /cancel."


async def test_blocking_marks_inactive_and_unblocking_active_again(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    frank = sandbox.user("Frank")
    await frank.send("/start")
    await frank.reply()
    members = services_of(bot).members

    async def active() -> bool:
        member = await members.get(frank.id)
        assert member is not None
        return member.active

    await frank.block()
    for _ in range(100):
        if not await active():
            break
        await asyncio.sleep(0.05)
    assert not await active()
    await frank.unblock()
    for _ in range(100):
        if await active():
            break
        await asyncio.sleep(0.05)
    assert await active()


async def test_a_blocked_coordinator_is_skipped_and_staff_are_asked(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    carol = sandbox.user("Carol")
    await seat(bot, carol, PSKOV, Role.COORDINATOR)
    await services_of(bot).members.set_active(carol.id, False)
    admin = await person(bot, sandbox, Who.ADMIN)
    dave = sandbox.user("Dave")
    await ask_to_join(dave, "Pskov")
    assert "asks to join" in (await admin.reply()).text
    await carol.no_reply(within=0.3)


# --- Roles -----------------------------------------------------------------------------------------------


async def test_the_admin_promotes_and_demotes_by_username_and_id(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    admin = await person(bot, sandbox, Who.ADMIN)
    gina = sandbox.user("Gina", username="gina")
    await register(bot, gina)
    members = services_of(bot).members

    await admin.send("/promote @GINA")
    assert (await admin.reply()).text == "\u2068Gina\u2069 (@gina) is now staff."
    assert (await members.get(gina.id)).is_staff  # type: ignore[union-attr]
    await admin.send(f"/demote {gina.id}")
    assert (await admin.reply()).text == "\u2068Gina\u2069 (@gina) is no longer staff."
    assert not (await members.get(gina.id)).is_staff  # type: ignore[union-attr]


async def test_the_admin_promotes_and_demotes_by_replying_in_a_group(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    admin = await person(bot, sandbox, Who.ADMIN)
    gina = sandbox.user("Gina", username="gina")
    await register(bot, gina)
    group = sandbox.group("Roanoke committee", [admin, gina])
    said = SandboxMessage(await group.send(gina, "hello everyone"))
    members = services_of(bot).members

    await group.send(admin, "/promote", reply_to=said)
    assert (await group.reply()).text == "\u2068Gina\u2069 (@gina) is now staff."
    assert (await members.get(gina.id)).is_staff  # type: ignore[union-attr]
    await group.send(admin, f"/demote@{sandbox.bot_username}", reply_to=said)
    assert (await group.reply()).text == "\u2068Gina\u2069 (@gina) is no longer staff."
    assert not (await members.get(gina.id)).is_staff  # type: ignore[union-attr]


async def test_promote_without_a_target_or_of_a_stranger_explains(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    admin = await person(bot, sandbox, Who.ADMIN)
    await admin.send("/promote")
    assert (await admin.reply()).text.startswith("Whom should I make staff?")
    await admin.send("/promote @nobody_here")
    assert (await admin.reply()).text.startswith("I don't know that person yet.")
    await admin.send("/promote 424242")
    assert (await admin.reply()).text.startswith("I don't know that person yet.")
    await admin.send(f"/demote {ADMIN_ID}")
    assert (await admin.reply()).text.endswith(
        "is an admin, named in the configuration file; that cannot be changed here."
    )


async def test_staff_make_and_unmake_a_coordinator(bot: BotApplication, sandbox: BotApiServer) -> None:
    staff = await person(bot, sandbox, Who.STAFF)
    hana = sandbox.user("Hana", username="hana")
    await hana.send("/start")
    await hana.reply()
    pskov = await partnership_id(bot, PSKOV)
    members = services_of(bot).members

    await staff.send("/coordinator @hana Pskov")
    assert (
        await staff.reply()
    ).text == f"\u2068Hana\u2069 (@hana) now coordinates the {PSKOV_LABEL} committee."
    assert (await hana.reply()).text.startswith(f"You are now a coordinator of the {PSKOV_LABEL} committee")
    assert (await members.membership(hana.id, pskov)).role is Role.COORDINATOR  # type: ignore[union-attr]

    await staff.send("/uncoordinator @hana Roanoke")  # four Roanoke partnerships, one coordinated
    assert (await staff.reply()).text.startswith(
        f"\u2068Hana\u2069 (@hana) no longer coordinates the {PSKOV_LABEL}"
    )
    assert (await members.membership(hana.id, pskov)).role is Role.MEMBER  # type: ignore[union-attr]


async def test_an_ambiguous_partnership_is_chosen_from_buttons(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    staff = await person(bot, sandbox, Who.STAFF)
    hana = sandbox.user("Hana", username="hana")
    await register(bot, hana)
    await staff.send("/coordinator @hana Durham")
    choice = await staff.reply()
    assert choice.text == "Which partnership do you mean?"
    assert choice.buttons == [["Durham – Kostroma (Russia)"], ["Durham – Toyama (Japan)"]]
    await staff.press(choice, "Toyama")
    await edited(choice)
    assert choice.text == "\u2068Hana\u2069 (@hana) now coordinates the Durham – Toyama (Japan) committee."


# Every restricted command and button, by everyone: who may, and that a refusal changes nothing.
RESTRICTED = ["promote", "demote", "coordinator", "uncoordinator", "coordinator button", "decide join"]
ALLOWED = {
    "promote": {Who.ADMIN},
    "demote": {Who.ADMIN},
    "coordinator": {Who.STAFF, Who.ADMIN},
    "uncoordinator": {Who.STAFF, Who.ADMIN},
    "coordinator button": {Who.STAFF, Who.ADMIN},
    "decide join": {Who.COORDINATOR, Who.STAFF, Who.ADMIN},
}


@pytest.mark.parametrize("who", list(Who))
@pytest.mark.parametrize("action", RESTRICTED)
async def test_every_restricted_command_by_every_role(
    bot: BotApplication, sandbox: BotApiServer, action: str, who: Who
) -> None:
    actor = await person(bot, sandbox, who)
    target = sandbox.user("Target", username="target")
    members = services_of(bot).members
    pskov = await seat(bot, target, PSKOV, Role.MEMBER if action == "coordinator" else Role.COORDINATOR)
    await members.set_staff(target.id, action == "demote")
    dave = sandbox.user("Dave")
    await register(bot, dave)
    request, _ = await members.open_request(dave.id, pskov)
    allowed = who in ALLOWED[action]

    if action in ("promote", "demote", "coordinator", "uncoordinator"):
        place = " Pskov" if "coordinator" in action else ""
        await actor.send(f"/{action} @target{place}")
        reply = await actor.reply()
        assert reply.text.startswith("Sorry, only") != allowed, reply.text
    else:
        await actor.send("/help")
        own = await actor.reply()
        data = (
            f"coord:del:{target.id}:{pskov}"
            if action == "coordinator button"
            else f"join:approve:{request.id}"
        )
        answer = await actor.press_data(own, data)
        refused = answer.text is not None and answer.text.startswith("Sorry, only")
        assert refused != allowed, answer.text
        assert answer.show_alert == refused

    after = await members.get(target.id)
    seat_ = await members.membership(target.id, pskov)
    assert after is not None
    assert seat_ is not None
    changed = {
        "promote": after.is_staff,
        "demote": not after.is_staff,
        "coordinator": seat_.role is Role.COORDINATOR,
        "uncoordinator": seat_.role is Role.MEMBER,
        "coordinator button": seat_.role is Role.MEMBER,
        "decide join": await members.membership(dave.id, pskov) is not None,
    }
    assert changed[action] == allowed


async def test_another_command_ends_a_waiting_registration(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    """Someone who left /join waiting for a city and then logs a contact gets the contact logged."""
    alice = sandbox.user("Alice")
    await seat(bot, alice, PSKOV, Role.MEMBER)
    await alice.send("/join")
    await alice.reply()
    await alice.send("/log")
    channels = await alice.reply()
    assert channels.text == "How were you in touch?"
    await alice.press(channels, "Phone")
    await alice.press(await alice.reply(), "Today")
    await alice.reply()
    await alice.send("Talked with the Pskov library")
    people = await alice.reply()
    assert people.buttons == [["Skip"]]
    assert not [m for m in alice.messages if "Which of these is your committee" in m.text]
