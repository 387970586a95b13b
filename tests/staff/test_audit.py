"""The audit log: staff and admin actions recorded, read by admins a page at a time, kept by /forgetme."""

from __future__ import annotations

import pytest

from bot.context import BotApplication
from bot.sandbox import BotApiServer
from storage.audit import Actor, AuditAction, AuditRepository
from storage.members import Role
from tests.people import PSKOV, PSKOV_LABEL, Who, partnership_id, person, register, seat, services_of


async def test_a_decline_and_a_new_coordinator_are_in_the_admins_audit_log(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    admin = await person(bot, sandbox, Who.ADMIN)
    staff = await person(bot, sandbox, Who.STAFF)
    dave = sandbox.user("Dave", username="dave")
    await dave.send("/join")
    await dave.reply()
    await dave.send("Pskov")
    await dave.press(await dave.reply(), PSKOV_LABEL)
    await admin.reply()
    await staff.press(await staff.reply(), "Decline")
    await dave.reply()
    carol = sandbox.user("Carol", username="carol")
    await seat(bot, carol, PSKOV, Role.MEMBER)
    await staff.send("/coordinator @carol Roanoke Pskov")
    await staff.reply()

    await admin.send("/audit")
    log = await admin.reply()
    lines = log.text.splitlines()
    assert lines[0] == "Audit log, page 1 of 1"
    # Newest first: who, what, on which partnership, to whom, and what changed.
    assert lines[2].endswith("Staff (@user_staff) · made a coordinator · Roanoke – Pskov · Carol (@carol)")
    assert lines[3] == "role: member → coordinator"
    declined = "Staff (@user_staff) · declined a request to join · Roanoke – Pskov · Dave (@dave)"
    assert lines[5].endswith(declined)
    assert log.buttons == []


async def test_the_log_reads_in_russian_and_pages_back(bot: BotApplication, sandbox: BotApiServer) -> None:
    trail = services_of(bot).audit
    pskov = await partnership_id(bot, PSKOV)
    for number in range(12):
        await trail.record(Actor(7, f"Staff {number}"), AuditAction.STATUS_CHANGED, partnership_id=pskov)
    olga = sandbox.user("Ольга", user_id=1001, language_code="ru")  # the admin, reading Russian
    await register(bot, olga)

    await olga.send("/audit")
    first = await olga.reply()
    assert first.text.startswith("Журнал действий, страница 1 из 2")
    assert "Staff 11 · изменил(а) статус партнёрства · Roanoke – Pskov" in first.text
    assert first.buttons == [["Старше ▶"]]
    await olga.press(first, "Старше ▶")
    await sandbox.wait_until(lambda: first.edited or None)
    assert first.text.startswith("Журнал действий, страница 2 из 2")
    assert "Staff 0 ·" in first.text
    assert "Staff 2 ·" not in first.text
    assert first.buttons == [["◀ Новее"]]


@pytest.mark.parametrize("who", [Who.ANYONE, Who.MEMBER, Who.COORDINATOR, Who.STAFF])
async def test_only_admins_read_the_log(bot: BotApplication, sandbox: BotApiServer, who: Who) -> None:
    await services_of(bot).audit.record(Actor(7, "Secret Staff"), AuditAction.REGISTRY_IMPORTED)
    user = await person(bot, sandbox, who)
    await user.send("/audit")
    assert (await user.reply()).text == "Sorry, only the network's admins can read the audit log."
    admin = await person(bot, sandbox, Who.ADMIN)
    await admin.send("/help")
    own = await admin.reply()
    refused = await user.press_data(own, "audit:0")
    assert refused.show_alert
    assert "Secret Staff" not in own.text


async def test_forgetme_keeps_the_entries_as_a_former_member(
    bot: BotApplication, sandbox: BotApiServer
) -> None:
    admin = await person(bot, sandbox, Who.ADMIN)
    staff = await person(bot, sandbox, Who.STAFF)
    carol = sandbox.user("Carol", username="carol")
    await seat(bot, carol, PSKOV, Role.MEMBER)
    await staff.send("/coordinator @carol Pskov")
    await staff.reply()
    await carol.reply()
    for leaver in (staff, carol):
        await leaver.send("/forgetme")
        await leaver.press(await leaver.reply(), "Yes, erase my data")

    await admin.send("/audit")
    text = (await admin.reply()).text
    assert "a former member · made a coordinator · Roanoke – Pskov · a former member" in text
    assert "Carol" not in text
    assert "Staff" not in text
    [entry] = await AuditRepository(services_of(bot).db).latest()
    assert (entry.actor_id, entry.actor_name, entry.subject_id, entry.subject_name) == (None, "", None, "")
