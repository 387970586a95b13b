"""Roles: admins make and unmake staff; staff make and unmake committee coordinators."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from telegram import Message, MessageOriginUser, Update, User
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BotContext, reader_of
from bot.i18n import Translator
from bot.permissions import Action
from bot.registry.cards import country_name
from handlers.audit import audited
from handlers.dashboard import refresh_menu_button
from handlers.person import buttons, named, presser, quoted, reader_for, send_to, sender, viewer_of
from storage.audit import AuditAction
from storage.members import Member, Role
from storage.records import Partnership

log = logging.getLogger(__name__)

COORDINATOR_PATTERN = r"^coord:(add|del):(\d+):(\d+)$"
_COORDINATOR = re.compile(COORDINATOR_PATTERN)


@dataclass(frozen=True, slots=True)
class Target:
    """Whom a role command is about, as the staff member named them, and what else they typed."""

    named: bool  # a target was given at all (reply, @username or id)
    member: Member | None  # None: given, but not someone the bot knows
    rest: list[str]


def _replied_user(message: Message) -> User | None:
    replied = message.reply_to_message
    if replied is None:
        return None
    # A forwarded message names its author; otherwise the author of the replied message is meant.
    if isinstance(replied.forward_origin, MessageOriginUser):
        return replied.forward_origin.sender_user
    user = replied.from_user
    return None if user is None or user.is_bot else user


def partnership_label(partnership: Partnership, t: Translator) -> str:
    """How a partnership is named on a button, in the reader's language: "Roanoke – Pskov (Russia)"."""
    return f"{partnership.title} ({country_name(partnership.partner_country, t.language)})"


async def find_target(message: Message, args: list[str], context: BotContext) -> Target:
    """The person a command names: by replying to their message, by @username or by numeric id."""
    members = context.services.members
    replied = _replied_user(message)
    if replied is not None:
        return Target(True, await members.get(replied.id), args)
    if not args:
        return Target(False, None, [])
    first, rest = args[0], args[1:]
    if first.startswith("@") and len(first) > 1:
        return Target(True, await members.find_by_username(first), rest)
    if first.isascii() and first.isdigit():
        return Target(True, await members.get(int(first)), rest)
    return Target(False, None, args)


def _unknown_person(t: Translator) -> str:
    return t.gettext(
        "I don't know that person yet. They need to open a chat with me and send /start first; then name "
        "them by @username or numeric id, or reply to one of their messages."
    )


async def promote(update: Update, context: BotContext) -> None:
    """Make someone staff (admins only)."""
    await _set_staff(update, context, staff=True)


async def demote(update: Update, context: BotContext) -> None:
    """Take staff powers away (admins only)."""
    await _set_staff(update, context, staff=False)


async def _set_staff(update: Update, context: BotContext, *, staff: bool) -> None:
    user, message = sender(update)
    t = reader_of(update, context)
    if not (await viewer_of(user, context)).may(Action.PROMOTE_STAFF):
        log.info("member %s was refused /%s", user.id, "promote" if staff else "demote")
        await message.reply_text(t.gettext("Sorry, only the network's admins can change who is staff."))
        return
    target = await find_target(message, list(context.args or []), context)
    if not target.named:
        usage = (
            t.gettext(
                "Whom should I make staff? Reply to their message with /promote, or send /promote @username "
                "or /promote followed by their numeric id."
            )
            if staff
            else t.gettext(
                "Whom should I take off the staff? Reply to their message with /demote, or send "
                "/demote @username or /demote followed by their numeric id."
            )
        )
        await message.reply_text(usage)
        return
    member = target.member
    if member is None:
        await message.reply_text(_unknown_person(t))
        return
    if not staff and member.id in context.config.admins:
        await message.reply_text(
            t.gettext(
                "{person} is an admin, named in the configuration file; that cannot be changed here."
            ).format(person=named(member))
        )
        return
    await context.services.members.set_staff(member.id, staff)
    action = AuditAction.STAFF_PROMOTED if staff else AuditAction.STAFF_DEMOTED
    await audited(
        context, user, action, subject=member, before={"staff": member.is_staff}, after={"staff": staff}
    )
    await refresh_menu_button(context, member.id)
    log.info("member %s set staff=%s for member %s", user.id, staff, member.id)
    done = t.gettext("{person} is now staff.") if staff else t.gettext("{person} is no longer staff.")
    await message.reply_text(done.format(person=named(member)))


async def make_coordinator(update: Update, context: BotContext) -> None:
    """Make someone a coordinator of a partnership's committee (staff only)."""
    await _coordinator_command(update, context, add=True)


async def unmake_coordinator(update: Update, context: BotContext) -> None:
    """Take a coordinator's role away; they stay on the committee as a member (staff only)."""
    await _coordinator_command(update, context, add=False)


async def _coordinator_command(update: Update, context: BotContext, *, add: bool) -> None:
    user, message = sender(update)
    t = reader_of(update, context)
    if not (await viewer_of(user, context)).may(Action.MAKE_COORDINATOR):
        log.info("member %s was refused a coordinator change", user.id)
        await message.reply_text(
            t.gettext("Sorry, only the network's staff can change who coordinates a committee.")
        )
        return
    target = await find_target(message, list(context.args or []), context)
    place = " ".join(target.rest)
    if not target.named or not place:
        usage = (
            t.gettext(
                "Send /coordinator @username (or their numeric id) and the partnership, for example: "
                "/coordinator @alice Roanoke Pskov"
            )
            if add
            else t.gettext(
                "Send /uncoordinator @username (or their numeric id) and the partnership, for example: "
                "/uncoordinator @alice Roanoke Pskov"
            )
        )
        await message.reply_text(usage)
        return
    member = target.member
    if member is None:
        await message.reply_text(_unknown_person(t))
        return
    result = await context.services.places.match(place)
    candidates = result.matches
    if not add:
        # Only the committees they coordinate can be taken away.
        coordinated = {
            m.partnership_id
            for m in await context.services.members.memberships_of(member.id)
            if m.role is Role.COORDINATOR
        }
        candidates = [p for p in candidates if p.id in coordinated]
    if not candidates:
        if add:
            await message.reply_text(
                t.gettext("I found no partnership for {typed}.").format(typed=quoted(place))
            )
        else:
            await message.reply_text(
                t.gettext("{person} does not coordinate a partnership matching {typed}.").format(
                    person=named(member), typed=quoted(place)
                )
            )
        return
    if len(candidates) == 1:
        await message.reply_text(await _apply(context, t, user, member, candidates[0], add=add))
        return
    action = "add" if add else "del"
    rows = [[(partnership_label(p, t), f"coord:{action}:{member.id}:{p.id}")] for p in candidates]
    await message.reply_text(t.gettext("Which partnership do you mean?"), reply_markup=buttons(rows))


async def coordinator_chosen(update: Update, context: BotContext) -> None:
    """The partnership chosen from a /coordinator or /uncoordinator list; permission checked again."""
    user, query, data = presser(update)
    t = reader_of(update, context)
    viewer = await viewer_of(user, context)
    match = _COORDINATOR.match(data)
    if not viewer.may(Action.MAKE_COORDINATOR) or match is None:
        log.warning("member %s pressed a coordinator button they may not use", user.id)
        await query.answer(
            t.gettext("Sorry, only the network's staff can change who coordinates a committee."),
            show_alert=True,
        )
        return
    member = await context.services.members.get(int(match.group(2)))
    partnership = await context.services.partnerships.get(int(match.group(3)))
    if member is None or partnership is None:
        await query.answer(t.gettext("That person or partnership is no longer known."), show_alert=True)
        return
    done = await _apply(context, t, user, member, partnership, add=match.group(1) == "add")
    await query.answer()
    await query.edit_message_text(done)


async def _apply(
    context: BotContext, t: Translator, by: User, member: Member, partnership: Partnership, *, add: bool
) -> str:
    """Make or unmake the coordinator, tell them, and say what was done."""
    members = context.services.members
    label = partnership_label(partnership, t)
    if not add:
        seat = await members.membership(member.id, partnership.id)
        if seat is None or seat.role is not Role.COORDINATOR:
            return t.gettext("{person} does not coordinate the {partnership} committee.").format(
                person=named(member), partnership=label
            )
    seat = await members.membership(member.id, partnership.id)
    role = Role.COORDINATOR if add else Role.MEMBER
    await members.add_membership(member.id, partnership.id, role)
    action = AuditAction.COORDINATOR_MADE if add else AuditAction.COORDINATOR_UNMADE
    await audited(
        context,
        by,
        action,
        partnership_id=partnership.id,
        subject=member,
        before={"role": seat.role if seat else None},
        after={"role": role},
    )
    log.info(
        "member %s set coordinator=%s for member %s on partnership %s", by.id, add, member.id, partnership.id
    )
    theirs = reader_for(member)
    if add:
        news = theirs.gettext(
            "You are now a coordinator of the {partnership} committee: I will send you its requests to join."
        )
        done = t.gettext("{person} now coordinates the {partnership} committee.")
    else:
        news = theirs.gettext(
            "You no longer coordinate the {partnership} committee; you stay on it as a member."
        )
        done = t.gettext(
            "{person} no longer coordinates the {partnership} committee and stays on it as a member."
        )
    if member.id != by.id:
        await send_to(context, member.id, news.format(partnership=partnership_label(partnership, theirs)))
    return done.format(person=named(member), partnership=label)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers, in the order they must be tried."""
    return [
        CommandHandler("promote", promote),
        CommandHandler("demote", demote),
        CommandHandler("coordinator", make_coordinator),
        CommandHandler("uncoordinator", unmake_coordinator),
        CallbackQueryHandler(coordinator_chosen, pattern=r"^coord:"),
    ]
