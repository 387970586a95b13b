"""/setstatus in one line and step by step, the committee's notice, /statushistory, and every refusal."""

from __future__ import annotations

from datetime import date

import pytest

from bot.context import BotApplication
from bot.sandbox import BotApiServer
from storage.audit import AuditAction, AuditRepository
from storage.members import Role
from storage.records import Status
from tests.people import KOSTROMA, PSKOV, Who, partnership_id, person, register, seat, services_of


async def test_one_line_records_the_change_and_tells_exactly_that_committee(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    staff = await person(bot, sandbox, Who.STAFF)
    erin = sandbox.user("Erin", language_code="en")
    nina = sandbox.user("Нина", language_code="ru")
    pskov = await seat(bot, erin, PSKOV, Role.MEMBER)
    await seat(bot, nina, PSKOV, Role.COORDINATOR)
    other = sandbox.user("Oscar")
    await seat(bot, other, KOSTROMA, Role.MEMBER)

    await staff.send("/setstatus Roanoke Pskov paused 2023-02-21 City council resolution")
    preview = await staff.reply()
    assert preview.text == (
        "Record this status change and tell the committee?\n"
        "Roanoke – Pskov: active → paused\n"
        "Since: Feb 21, 2023\n"
        "Decided by: City council resolution"
    )
    assert preview.buttons == [["Confirm", "Cancel"]]
    await staff.press(preview, "Confirm")
    assert (await staff.reply()).text == "Recorded. I told 2 members of the committee."

    to_erin, to_nina = await erin.reply(), await nina.reply()
    assert to_erin.text.startswith("The status of your partnership Roanoke – Pskov has changed.\n")
    assert "Roanoke – Pskov: active → paused" in to_erin.text
    assert to_erin.text.endswith("/statushistory Pskov")
    assert to_nina.text.startswith("Статус вашего партнёрства Roanoke – Pskov изменился.\n")
    assert "Roanoke – Pskov: действует → на паузе" in to_nina.text
    assert "Решение приняли: City council resolution" in to_nina.text
    await other.no_reply(within=0.3)

    services = services_of(bot)
    partnership = await services.partnerships.get(pskov)
    assert partnership is not None
    assert (partnership.status, partnership.status_since) == (Status.PAUSED, date(2023, 2, 21))
    change = (await services.partnerships.history(pskov))[-1]
    assert (change.old_status, change.decided_by) == (Status.ACTIVE, "City council resolution")
    [entry] = await AuditRepository(services.db).latest()
    assert entry.action is AuditAction.STATUS_CHANGED
    assert entry.before["status"] == "active"
    assert entry.after["status"] == "paused"

    # Pressing Confirm again records nothing twice.
    await staff.press_data(preview, "sst:ok")
    assert len(await services.partnerships.history(pskov)) == 2


async def test_step_by_step_in_russian_with_the_reason_and_a_source(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    olga = sandbox.user("Ольга", username="olga", language_code="ru")
    await register(bot, olga)
    await services_of(bot).members.set_staff(olga.id, True)
    pskov = await partnership_id(bot, PSKOV)

    await olga.send("/setstatus")
    assert (await olga.reply()).text.startswith("Какое партнёрство?")
    await olga.send("Псков")
    choice = await olga.reply()
    assert choice.text == "Roanoke – Pskov сейчас: действует. Какой у него новый статус?"
    assert choice.buttons == [["на паузе"], ["приостановлено"], ["прекращено"]]
    await olga.press(choice, "приостановлено")
    when = await olga.reply()
    assert when.buttons == [["Сегодня"]]
    await olga.send("послезавтра")
    assert "в будущем" in (await olga.reply()).text
    await olga.send("21.02.2023")
    details = await olga.reply()
    assert details.buttons == [["Пропустить"]]
    await olga.send("Губернатор; так решили https://example.org/decree-7")
    preview = await olga.reply()
    assert "Причина: так решили" in preview.text
    assert "Источник: https://example.org/decree-7" in preview.text
    await olga.press(preview, "Подтвердить")
    assert (await olga.reply()).text == "Записано. Я сообщил(а) 0 участникам комитета."

    change = (await services_of(bot).partnerships.history(pskov))[-1]
    assert (change.new_status, change.effective_date) == (Status.SUSPENDED, date(2023, 2, 21))
    assert (change.decided_by, change.reason, change.source) == (
        "Губернатор",
        "так решили",
        "https://example.org/decree-7",
    )


async def test_cancel_changes_nothing(bot: BotApplication, sandbox: BotApiServer) -> None:
    staff = await person(bot, sandbox, Who.STAFF)
    await staff.send("/setstatus Pskov terminated")
    preview = await staff.reply()
    await staff.press(preview, "Cancel")
    assert (await staff.reply()).text == "Cancelled; the status is unchanged."
    partnership = await services_of(bot).partnerships.get(await partnership_id(bot, PSKOV))
    assert partnership is not None
    assert partnership.status is Status.ACTIVE


@pytest.mark.parametrize("who", [Who.ANYONE, Who.OTHER_MEMBER, Who.MEMBER, Who.COORDINATOR])
async def test_members_and_outsiders_are_refused_and_nothing_changes(
    bot: BotApplication, sandbox: BotApiServer, who: Who
) -> None:
    user = await person(bot, sandbox, who)
    erin = sandbox.user("Erin")
    await seat(bot, erin, PSKOV, Role.MEMBER)
    await user.send("/setstatus Roanoke Pskov terminated 2023-02-21 Governor")
    refusal = await user.reply()
    assert refusal.text == "Sorry, only the network's staff can change a partnership's status."
    for data in ("sst:ok", "sst:s:terminated", "sst:p:1"):
        answer = await user.press_data(refusal, data)
        assert answer.show_alert
    pskov = await partnership_id(bot, PSKOV)
    assert len(await services_of(bot).partnerships.history(pskov)) == 1
    await erin.no_reply(within=0.3)


async def test_in_a_group_staff_commands_answer_only_with_a_pointer(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    staff = await person(bot, sandbox, Who.STAFF)
    group = sandbox.group("Roanoke friends", [staff])
    for command in ("/setstatus Pskov paused", "/audit", "/report"):
        await group.send(staff, command)
        reply = await group.reply()
        assert reply.text == "Please send me this command in a private chat: its answer is for staff."
    pskov = await partnership_id(bot, PSKOV)
    assert len(await services_of(bot).partnerships.history(pskov)) == 1


async def test_statushistory_is_public_and_dated(bot: BotApplication, sandbox: BotApiServer) -> None:
    pskov = await partnership_id(bot, PSKOV)
    await services_of(bot).partnerships.set_status(
        pskov,
        Status.PAUSED,
        effective_date=date(2023, 2, 21),
        recorded_by="chat",
        reason="Waiting for the council",
        decided_by="Mayor",
        source="https://example.org/1",
    )
    visitor = sandbox.user("Vic")
    await visitor.send("/statushistory Pskov")
    text = (await visitor.reply()).text
    assert text.startswith(
        "Status history: Roanoke – Pskov\n\nFeb 21, 2023 · active → paused\nDecided by: Mayor\n"
    )
    assert "Why: Waiting for the council\nSource: https://example.org/1\nRecorded on " in text
    assert "Mar 7, 2022 · registered as active\nWhy: City council voted" in text

    reader = sandbox.user("Вера", language_code="ru")
    await reader.send("/statushistory Псков")
    text = (await reader.reply()).text
    assert text.startswith("История статуса: Roanoke – Pskov\n\n21 февр. 2023")
    assert "действует → на паузе\nРешение приняли: Mayor" in text

    await reader.send("/statushistory Roanoke")
    pick = await reader.reply()
    assert len(pick.buttons) == 4
    await reader.press(pick, "Pskov")
    assert (await reader.reply()).text.startswith("История статуса: Roanoke – Pskov")
