"""Registration: a person says which committee they belong to; its coordinators (or the staff) decide."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext, reader_of
from bot.i18n import Translator
from bot.permissions import Action, approvers_for, viewer_for
from handlers.audit import audited
from handlers.person import (
    another_command,
    buttons,
    named,
    per_person_conversation,
    presser,
    quoted,
    quoted_plain,
    reader_for,
    record,
    send_to,
    sender,
)
from handlers.roles import partnership_label
from storage.audit import AuditAction
from storage.members import JoinRequest, Member, RequestState
from storage.records import Partnership

log = logging.getLogger(__name__)

# Conversation state: waiting for the person to type the name of their city.
TYPING_CITY = 1

# How long a half-finished registration waits for a city name.
REGISTRATION_TIMEOUT = timedelta(minutes=10)

# Longer than any place name in the registry ("Leningrad Oblast", "Winston-Salem"), with room to spare.
MAX_CITY_LENGTH = 100

PICK_PATTERN = r"^join:pick:(\d+)$"
DECIDE_PATTERN = r"^join:(approve|decline):(\d+)$"
_PICK = re.compile(PICK_PATTERN)
_DECIDE = re.compile(DECIDE_PATTERN)


async def _titles(context: BotContext, partnership_ids: list[int], t: Translator) -> list[str]:
    titles = []
    for partnership_id in partnership_ids:
        partnership = await context.services.partnerships.get(partnership_id)
        if partnership:
            titles.append(partnership_label(partnership, t))
    return titles


def _ask_for_city(t: Translator) -> str:
    return t.gettext(
        "Which partnership committee do you belong to? Type the name of your city or of its partner city, "
        "for example Roanoke or Pskov."
    )


def _just_looking(t: Translator) -> list[tuple[str, str]]:
    return [(t.gettext("Just looking"), "join:look")]


async def start(update: Update, context: BotContext) -> int:
    """Greet a person: a member sees their committees, a newcomer is asked which committee is theirs."""
    user, message = sender(update)
    t = reader_of(update, context)
    members = context.services.members
    await record(user, members)
    memberships = await members.memberships_of(user.id)
    if memberships:
        committees = await _titles(context, [m.partnership_id for m in memberships], t)
        await message.reply_text(
            t.gettext(
                "Welcome back, {name}! Your committees:\n{committees}\n\n"
                "Send /join to join another committee, or /help to see what I can do."
            ).format(
                name=quoted_plain(user.first_name, 64), committees="\n".join(f"• {c}" for c in committees)
            )
        )
        return ConversationHandler.END
    log.info("member %s started registration", user.id)
    text = t.gettext(
        "Hello, {name}! I keep the record of sister-city partnerships for the network's committees: their "
        "status, their contacts with partner cities, and reminders when a partnership goes quiet."
    ).format(name=quoted_plain(user.first_name, 64))
    pending = await members.pending_requests(user.id)
    if pending:
        waiting = await _titles(context, [r.partnership_id for r in pending], t)
        text += "\n\n" + t.gettext("Still waiting for approval: {committees}.").format(
            committees=", ".join(waiting)
        )
    await message.reply_text(f"{text}\n\n{_ask_for_city(t)}", reply_markup=buttons([_just_looking(t)]))
    return TYPING_CITY


async def join(update: Update, context: BotContext) -> int:
    """Ask which committee a person wants to join (they may sit on several)."""
    user, message = sender(update)
    t = reader_of(update, context)
    await record(user, context.services.members)
    await message.reply_text(_ask_for_city(t), reply_markup=buttons([_just_looking(t)]))
    return TYPING_CITY


async def city_typed(update: Update, context: BotContext) -> int:
    """Offer the partnerships a typed city name matches, as buttons."""
    _user, message = sender(update)
    t = reader_of(update, context)
    typed = message.text or ""
    if len(typed) > MAX_CITY_LENGTH:
        await message.reply_text(
            t.gettext(
                "That is longer than any city name I know. Please type just the name of your city, "
                "or send /cancel."
            )
        )
        return TYPING_CITY
    result = await context.services.places.match(typed)
    if result.matches:
        rows = [[(partnership_label(p, t), f"join:pick:{p.id}")] for p in result.matches]
        rows.append([(t.gettext("None of these"), "join:none"), *_just_looking(t)])
        await message.reply_text(t.gettext("Which of these is your committee?"), reply_markup=buttons(rows))
    elif result.suggestions:
        await message.reply_text(
            t.gettext(
                "I found no partnership for {typed}. Did you mean {suggestions}? "
                "Please type the name again, or send /cancel."
            ).format(typed=quoted(typed), suggestions=", ".join(result.suggestions))
        )
    else:
        await message.reply_text(
            t.gettext(
                "I found no partnership for {typed}. Please check the spelling and type the name of your "
                "city or of its partner city again, or send /cancel."
            ).format(typed=quoted(typed))
        )
    return TYPING_CITY


async def not_text(update: Update, context: BotContext) -> int:
    """Ask for the city as text when something else (a photo, a sticker) arrives."""
    _user, message = sender(update)
    await message.reply_text(
        reader_of(update, context).gettext("Please type the name of your city as text, or send /cancel.")
    )
    return TYPING_CITY


async def cancel(update: Update, context: BotContext) -> int:
    """Leave the registration."""
    _user, message = sender(update)
    await message.reply_text(
        reader_of(update, context).gettext("All right. Send /join whenever you want to join a committee.")
    )
    return ConversationHandler.END


async def none_of_these(update: Update, context: BotContext) -> int:
    """The offered partnerships were not theirs: ask again."""
    _user, query, _data = presser(update)
    t = reader_of(update, context)
    await query.answer()
    await query.edit_message_text(t.gettext("Please type another name, or send /cancel."))
    return TYPING_CITY


async def just_looking(update: Update, context: BotContext) -> int:
    """A visitor, not a committee member: say what they can do."""
    _user, query, _data = presser(update)
    t = reader_of(update, context)
    await query.answer()
    await query.edit_message_text(
        t.gettext(
            "Welcome! Ask me about any partnership, for example /status Durham. "
            "Send /join whenever you want to join a committee."
        )
    )
    return ConversationHandler.END


async def stale_choice(update: Update, context: BotContext) -> None:
    """A "None of these" pressed after the registration ended."""
    _user, query, _data = presser(update)
    await query.answer(reader_of(update, context).gettext("Send /join to look for your committee again."))


async def committee_chosen(update: Update, context: BotContext) -> int:
    """File a request to join the chosen committee and pass it to those who decide."""
    user, query, data = presser(update)
    t = reader_of(update, context)
    members, partnerships = context.services.members, context.services.partnerships
    match = _PICK.match(data)
    member = await members.get(user.id)
    partnership = await partnerships.get(int(match.group(1))) if match else None
    if member is None:
        await query.answer(t.gettext("Please send /start first."), show_alert=True)
        return ConversationHandler.END
    if partnership is None:
        await query.answer(t.gettext("That partnership is no longer in the registry."), show_alert=True)
        return ConversationHandler.END
    label = partnership_label(partnership, t)
    if await members.membership(user.id, partnership.id):
        await query.answer()
        await query.edit_message_text(
            t.gettext("You are already on the {partnership} committee.").format(partnership=label)
        )
        return ConversationHandler.END
    request, is_new = await members.open_request(user.id, partnership.id)
    if not is_new:
        # A second press on the same offer: the request is already with those who decide.
        await query.answer(t.gettext("Your request is already waiting for a decision."))
        return ConversationHandler.END
    await query.answer()
    await query.edit_message_text(
        t.gettext(
            "You asked to join the {partnership} committee. I will tell you as soon as it has decided."
        ).format(partnership=label)
    )
    log.info("member %s asked to join partnership %s (request %s)", user.id, partnership.id, request.id)
    await _ask_approvers(context, request, member, partnership)
    return ConversationHandler.END


async def _ask_approvers(
    context: BotContext, request: JoinRequest, member: Member, partnership: Partnership
) -> None:
    members = context.services.members
    asked = 0
    for approver_id in await approvers_for(partnership.id, members, context.config.admins):
        t = reader_for(await members.get(approver_id), context.config.defaults.language)
        text = t.gettext("{person} asks to join the {partnership} committee.").format(
            person=named(member), partnership=partnership_label(partnership, t)
        )
        markup = buttons(
            [
                [
                    (t.gettext("Approve"), f"join:approve:{request.id}"),
                    (t.gettext("Decline"), f"join:decline:{request.id}"),
                ]
            ]
        )
        sent = await send_to(context, approver_id, text, markup)
        if sent:
            await members.add_notice(request.id, approver_id, sent.message_id)
            asked += 1
    if not asked:
        log.warning("join request %s reached nobody who can decide it", request.id)


async def decide(update: Update, context: BotContext) -> None:
    """Approve or decline a join request, if this presser may decide it and it is still open."""
    user, query, data = presser(update)
    t = reader_of(update, context)
    members = context.services.members
    match = _DECIDE.match(data)
    request = await members.join_request(int(match.group(2))) if match else None
    if match is None or request is None:
        await query.answer(t.gettext("This request no longer exists."), show_alert=True)
        return
    viewer = await viewer_for(user.id, members, context.config.admins)
    if not viewer.may(Action.DECIDE_JOIN, request.partnership_id):
        log.warning("member %s pressed a decision on request %s they may not decide", user.id, request.id)
        await query.answer(
            t.gettext("Sorry, only the committee's coordinators and the staff can decide this request."),
            show_alert=True,
        )
        return
    if request.state is not RequestState.PENDING:
        await query.answer(t.gettext("This request has already been decided."), show_alert=True)
        return
    # The decision names the decider; an admin who never sent /start is recorded now.
    decider = await record(user, members)
    approve = match.group(1) == "approve"
    decided = await members.decide_request(request.id, approve=approve, decided_by=user.id)
    if decided is None:
        await query.answer(t.gettext("This request has already been decided."), show_alert=True)
        return
    action = AuditAction.JOIN_APPROVED if approve else AuditAction.JOIN_DECLINED
    await audited(
        context,
        user,
        action,
        partnership_id=decided.partnership_id,
        subject=await members.get(decided.member_id),
    )
    await query.answer(t.gettext("Approved.") if approve else t.gettext("Declined."))
    log.info("member %s %s request %s", user.id, decided.state.value, request.id)
    await _announce(context, decided, decider)


async def _announce(context: BotContext, request: JoinRequest, decider: Member) -> None:
    """Tell the person the outcome, and turn every approver's copy into a note of who decided."""
    members = context.services.members
    partnership = await context.services.partnerships.get(request.partnership_id)
    requester = await members.get(request.member_id)
    if partnership is None or requester is None:
        return
    approved = request.state is RequestState.APPROVED
    t = reader_for(requester, context.config.defaults.language)
    if approved:
        outcome = t.gettext(
            "Welcome to the {partnership} committee! Your request was approved. Send /help to see what you "
            "can do now."
        )
    else:
        outcome = t.gettext(
            "Your request to join the {partnership} committee was declined. If you think this is a mistake, "
            "please talk to the committee's coordinator."
        )
    await send_to(context, requester.id, outcome.format(partnership=partnership_label(partnership, t)))
    for notice in await members.notices(request.id):
        t = reader_for(await members.get(notice.chat_id), context.config.defaults.language)
        if approved:
            note = t.gettext("{person} asked to join the {partnership} committee: approved by {decider}.")
        else:
            note = t.gettext("{person} asked to join the {partnership} committee: declined by {decider}.")
        label = partnership_label(partnership, t)
        text = note.format(person=named(requester), partnership=label, decider=named(decider))
        try:
            await context.bot.edit_message_text(text, chat_id=notice.chat_id, message_id=notice.message_id)
        except (BadRequest, Forbidden) as error:
            log.info(
                "could not update the copy of request %s in chat %s: %s", request.id, notice.chat_id, error
            )


async def chat_member_changed(update: Update, context: BotContext) -> None:
    """A person blocked the bot (inactive) or unblocked it (active again)."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    members = context.services.members
    if await members.get(change.chat.id) is None:
        return
    status = change.new_chat_member.status
    if status == ChatMemberStatus.BANNED:
        await members.set_active(change.chat.id, False)
        log.info("member %s blocked the bot", change.chat.id)
    elif status == ChatMemberStatus.MEMBER:
        await members.set_active(change.chat.id, True)
        log.info("member %s unblocked the bot", change.chat.id)


def registration() -> ConversationHandler[BotContext]:
    """/start and /join: type a city, pick the committee from buttons; /cancel leaves."""
    private = filters.ChatType.PRIVATE
    # Tracked per chat and user, not per message, on purpose: the buttons carry what they mean in their
    # callback data, and a person may press them after typing another name.
    return per_person_conversation(
        entry_points=[CommandHandler("start", start, private), CommandHandler("join", join, private)],
        states={
            TYPING_CITY: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, city_typed),
                MessageHandler(~filters.TEXT, not_text),
                CallbackQueryHandler(committee_chosen, pattern=PICK_PATTERN),
                CallbackQueryHandler(none_of_these, pattern=r"^join:none$"),
                CallbackQueryHandler(just_looking, pattern=r"^join:look$"),
            ]
        },
        fallbacks=[CommandHandler("cancel", cancel), MessageHandler(filters.COMMAND, another_command)],
        allow_reentry=True,
        # Someone who walks away mid-registration must not have their next words taken for a city.
        conversation_timeout=REGISTRATION_TIMEOUT,
        name="registration",
    )


def handlers() -> list[BaseHandler[Update, BotContext, Any]]:
    """This module's handlers, in the order they must be tried."""
    return [
        registration(),
        # Buttons pressed after the conversation ended still work: they carry all they need.
        CallbackQueryHandler(committee_chosen, pattern=PICK_PATTERN),
        CallbackQueryHandler(just_looking, pattern=r"^join:look$"),
        CallbackQueryHandler(stale_choice, pattern=r"^join:none$"),
        CallbackQueryHandler(decide, pattern=r"^join:"),
        ChatMemberHandler(chat_member_changed, ChatMemberHandler.MY_CHAT_MEMBER),
    ]
