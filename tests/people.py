"""Helpers for tests about people: seating members, the six roles, and PTB's RetryAfter warning."""

from __future__ import annotations

from enum import StrEnum

from bot.context import BotApplication, Services
from bot.sandbox import BotApiServer, SandboxUser
from storage.members import Role
from tests.conftest import ADMIN_ID

PSKOV = ("Roanoke", "VA", "Pskov", "Russia")
KOSTROMA = ("Durham", "NC", "Kostroma", "Russia")
PSKOV_LABEL = "Roanoke – Pskov (Russia)"
PSKOV_LABEL_RU = "Roanoke – Pskov (Россия)"


class Who(StrEnum):
    """Everyone a restricted action can be tried by, from no role at all to the admin."""

    ANYONE = "anyone"  # has sent /start, sits on no committee
    OTHER_MEMBER = "member of another partnership"
    MEMBER = "member"
    COORDINATOR = "coordinator"
    STAFF = "staff"
    ADMIN = "admin"


def services_of(bot: BotApplication) -> Services:
    """The running bot's repositories."""
    return bot.bot_data.services


async def partnership_id(bot: BotApplication, pair: tuple[str, str, str, str]) -> int:
    """The id of a sample partnership."""
    partnership = await services_of(bot).partnerships.find_pair(*pair)
    assert partnership is not None
    return partnership.id


async def register(bot: BotApplication, user: SandboxUser) -> None:
    """Record a sandbox user as a member, as /start would."""
    await services_of(bot).members.upsert(
        user.id,
        first_name=user.first_name,
        last_name=user.last_name or "",
        username=user.username,
        telegram_language=user.language_code,
    )


async def seat(bot: BotApplication, user: SandboxUser, pair: tuple[str, str, str, str], role: Role) -> int:
    """Register `user` and seat them on a partnership's committee; the partnership's id."""
    await register(bot, user)
    pid = await partnership_id(bot, pair)
    await services_of(bot).members.add_membership(user.id, pid, role)
    return pid


async def person(bot: BotApplication, sandbox: BotApiServer, who: Who) -> SandboxUser:
    """A sandbox user holding the role `who` (on Roanoke–Pskov where the role is on a committee)."""
    if who is Who.ADMIN:
        user = sandbox.user("Ada", username="ada_admin", user_id=ADMIN_ID)
        await register(bot, user)
        return user
    user = sandbox.user(f"{who.value.split()[0].title()}", username=f"user_{who.name.lower()}")
    if who is Who.ANYONE:
        await register(bot, user)
    elif who is Who.OTHER_MEMBER:
        await seat(bot, user, KOSTROMA, Role.COORDINATOR)
    elif who is Who.MEMBER:
        await seat(bot, user, PSKOV, Role.MEMBER)
    elif who is Who.COORDINATOR:
        await seat(bot, user, PSKOV, Role.COORDINATOR)
    elif who is Who.STAFF:
        await register(bot, user)
        await services_of(bot).members.set_staff(user.id, True)
    return user
