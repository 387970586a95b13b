"""/setstatus (staff) with buttons or in one line, and staff commands sent in groups."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

from telegram import Message, Update, User
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.contacts.dates import parse_date
from bot.context import BotContext, reader_of
from bot.i18n import Translator
from bot.permissions import Action
from bot.registry.matching import match_partnerships
from bot.staff.status import (
    StatusDraft,
    change_lines,
    committee_notice,
    date_problem,
    parse_status_line,
    split_details,
    status_word,
)
from handlers.audit import audited
from handlers.person import (
    another_command,
    buttons,
    per_person_conversation,
    presser,
    quoted,
    reader_for,
    record,
    send_to,
    sender,
    viewer_of,
)
from handlers.roles import partnership_label
from storage.audit import AuditAction
from storage.records import Partnership, Status

log = logging.getLogger(__name__)

PICKING, CHOOSING_STATUS, TYPING_DATE, TYPING_DETAILS, CONFIRMING = range(1, 6)
END = ConversationHandler.END
DRAFT = "setstatus"
WAIT = timedelta(minutes=30)
MAX_TYPED = 1500
PREFIX = "sst:"
# Commands whose output is staff-only; in a group they are answered with a pointer to the private chat.
STAFF_COMMANDS = ("setstatus", "report", "export", "audit", "members", "requests", "addpartnership")


def _refusal(t: Translator) -> str:
    return t.gettext("Sorry, only the network's staff can change a partnership's status.")


async def _allowed(user: User, context: BotContext) -> bool:
    return (await viewer_of(user, context)).may(Action.SET_STATUS)


async def _draft(user: User, context: BotContext) -> StatusDraft:
    stored = await context.services.drafts.get(user.id, DRAFT)
    return StatusDraft.from_json(stored) if stored else StatusDraft()


async def _save(user: User, context: BotContext, draft: StatusDraft) -> None:
    await context.services.drafts.put(user.id, DRAFT, draft.to_json())


def _today() -> date:
    return datetime.now(UTC).date()


def _usage(t: Translator) -> str:
    return t.gettext(
        "Which partnership? Type a place, for example Pskov. You can also say it all in one line: "
        "/setstatus Roanoke Pskov paused 2023-02-21 City council; the reason https://link-to-the-source"
    )


async def setstatus_command(update: Update, context: BotContext) -> int:
    """/setstatus: ask step by step, or take the whole change from one line."""
    user, message = sender(update)
    t = reader_of(update, context)
    if not await _allowed(user, context):
        log.info("member %s was refused /setstatus", user.id)
        await message.reply_text(_refusal(t))
        return END
    await record(user, context.services.members)
    typed = " ".join(context.args or [])[:MAX_TYPED]
    if not typed:
        await _save(user, context, StatusDraft())
        await message.reply_text(_usage(t))
        return PICKING
    line = parse_status_line(typed, _today(), t)
    if line is None:
        # No status named: the words are the place, and the rest is asked for.
        await _save(user, context, StatusDraft())
        return await _offer_places(message, typed, context, t)
    if line.problem:
        await message.reply_text(line.problem)
        return END
    await _save(user, context, line.draft)
    return await _offer_places(message, line.place, context, t)


async def _offer_places(message: Message, place: str, context: BotContext, t: Translator) -> int:
    found = match_partnerships(place, await context.services.partnerships.list_all()).matches
    if not found:
        await message.reply_text(
            t.gettext(
                "I found no partnership for {typed}. Please type another place, or send /cancel."
            ).format(typed=quoted(place))
        )
        return PICKING
    if len(found) == 1:
        return await _picked(message, found[0], message.chat.id, context, t)
    rows = [[(partnership_label(p, t), f"{PREFIX}p:{p.id}")] for p in found]
    await message.reply_text(t.gettext("Which partnership do you mean?"), reply_markup=buttons(rows))
    return PICKING


async def _picked(
    message: Message, partnership: Partnership, user_id: int, context: BotContext, t: Translator
) -> int:
    stored = await context.services.drafts.get(user_id, DRAFT)
    draft = StatusDraft.from_json(stored) if stored else StatusDraft()
    draft = StatusDraft(
        partnership.id, draft.status, draft.effective_date, draft.decided_by, draft.reason, draft.source
    )
    await context.services.drafts.put(user_id, DRAFT, draft.to_json())
    if draft.status is None:
        rows = [[(status_word(s, t), f"{PREFIX}s:{s.value}")] for s in Status if s is not partnership.status]
        text = t.gettext("{partnership} is {status} now. What is its new status?").format(
            partnership=partnership.title, status=status_word(partnership.status, t)
        )
        await message.reply_text(text, reply_markup=buttons(rows))
        return CHOOSING_STATUS
    if draft.status is partnership.status:
        await message.reply_text(
            t.gettext("{partnership} is already {status}; nothing to change.").format(
                partnership=partnership.title, status=status_word(partnership.status, t)
            )
        )
        await context.services.drafts.drop(user_id, DRAFT)
        return END
    return await _confirm(message, draft, partnership, t)


async def _confirm(message: Message, draft: StatusDraft, partnership: Partnership, t: Translator) -> int:
    text = "\n".join(
        [t.gettext("Record this status change and tell the committee?"), *change_lines(draft, partnership, t)]
    )
    rows = [[(t.gettext("Confirm"), f"{PREFIX}ok"), (t.gettext("Cancel"), f"{PREFIX}no")]]
    await message.reply_text(text, reply_markup=buttons(rows))
    return CONFIRMING


async def place_typed(update: Update, context: BotContext) -> int:
    """The place of the partnership whose status changes."""
    user, message = sender(update)
    t = reader_of(update, context)
    if not await _allowed(user, context):
        await message.reply_text(_refusal(t))
        return END
    return await _offer_places(message, (message.text or "")[:MAX_TYPED], context, t)


async def date_typed(update: Update, context: BotContext) -> int:
    """When the new status took effect, as typed."""
    user, message = sender(update)
    t = reader_of(update, context)
    if not await _allowed(user, context):
        await message.reply_text(_refusal(t))
        return END
    value = parse_date(message.text or "", _today(), language=t.language)
    if value is None:
        await message.reply_text(t.gettext("Please type a date, for example 2023-02-21, or press Today."))
        return TYPING_DATE
    if problem := date_problem(value, t):
        await message.reply_text(problem)
        return TYPING_DATE
    draft = await _draft(user, context)
    await _save(user, context, StatusDraft(draft.partnership_id, draft.status, value))
    await _ask_details(message, t)
    return TYPING_DETAILS


async def _ask_details(message: Message, t: Translator) -> None:
    text = t.gettext(
        "Who decided, why, and where it is written? For example: City council; voted to keep the tie; "
        "https://example.org/resolution-12. Or press Skip."
    )
    await message.reply_text(text, reply_markup=buttons([[(t.gettext("Skip"), f"{PREFIX}skip")]]))


async def details_typed(update: Update, context: BotContext) -> int:
    """Who decided, the reason and the source, as typed."""
    user, message = sender(update)
    t = reader_of(update, context)
    if not await _allowed(user, context):
        await message.reply_text(_refusal(t))
        return END
    decided_by, reason, source = split_details((message.text or "")[:MAX_TYPED])
    draft = await _draft(user, context)
    draft = StatusDraft(draft.partnership_id, draft.status, draft.effective_date, decided_by, reason, source)
    return await _confirm_draft(message, user, draft, context, t)


async def _confirm_draft(
    message: Message, user: User, draft: StatusDraft, context: BotContext, t: Translator
) -> int:
    partnership = await context.services.partnerships.get(draft.partnership_id or 0)
    if partnership is None or draft.status is None:
        await message.reply_text(t.gettext("That partnership is no longer in the registry."))
        return END
    await _save(user, context, draft)
    return await _confirm(message, draft, partnership, t)


async def pressed(update: Update, context: BotContext) -> int:
    """A button of the /setstatus conversation; the permission is checked again on every press."""
    user, query, data = presser(update)
    t = reader_of(update, context)
    message = query.message if isinstance(query.message, Message) else None
    if not await _allowed(user, context):
        await query.answer(_refusal(t), show_alert=True)
        return END
    if message is None:
        await query.answer(t.gettext("This button no longer works. Please ask again."))
        return END
    await query.answer()
    await query.edit_message_reply_markup(None)
    step = data.removeprefix(PREFIX)
    draft = await _draft(user, context)
    if step.startswith("p:") and step[2:].isdigit():
        partnership = await context.services.partnerships.get(int(step[2:]))
        if partnership is None:
            await message.reply_text(t.gettext("That partnership is no longer in the registry."))
            return END
        return await _picked(message, partnership, user.id, context, t)
    if step.startswith("s:") and step[2:] in {s.value for s in Status}:
        await _save(user, context, StatusDraft(draft.partnership_id, Status(step[2:])))
        rows = [[(t.gettext("Today"), f"{PREFIX}today")]]
        await message.reply_text(
            t.gettext("Since when? Type the date it took effect, for example 2023-02-21, or press Today."),
            reply_markup=buttons(rows),
        )
        return TYPING_DATE
    if step == "today":
        await _save(user, context, StatusDraft(draft.partnership_id, draft.status, _today()))
        await _ask_details(message, t)
        return TYPING_DETAILS
    if step == "skip":
        return await _confirm_draft(message, user, draft, context, t)
    if step == "ok":
        await _apply(message, user, context, t)
        return END
    await context.services.drafts.drop(user.id, DRAFT)
    await message.reply_text(t.gettext("Cancelled; the status is unchanged."))
    return END


async def _apply(message: Message, user: User, context: BotContext, t: Translator) -> None:
    """Record the change, log it, and tell the committee, each member in their language."""
    stored = await context.services.drafts.take(user.id, DRAFT)
    draft = StatusDraft.from_json(stored) if stored else StatusDraft()
    services = context.services
    partnership = await services.partnerships.get(draft.partnership_id or 0)
    if partnership is None or draft.status is None:
        await message.reply_text(t.gettext("This status change was already recorded or cancelled."))
        return
    change = await services.partnerships.set_status(
        partnership.id,
        draft.status,
        effective_date=draft.effective_date,
        recorded_by="chat",
        reason=draft.reason,
        decided_by=draft.decided_by,
        source=draft.source,
    )
    before = {"status": partnership.status, "status_since": partnership.status_since}
    after = {
        "status": change.new_status,
        "status_since": change.effective_date,
        "decided_by": change.decided_by,
    }
    if change.reason:
        after["reason"] = change.reason
    await audited(
        context, user, AuditAction.STATUS_CHANGED, partnership_id=partnership.id, before=before, after=after
    )
    log.info("member %s set partnership %s to %s", user.id, partnership.id, draft.status.value)
    told = 0
    for member in await services.members.committee(partnership.id):
        if member.id == user.id or not member.active:
            continue
        theirs = reader_for(member, context.config.defaults.language)
        if await send_to(context, member.id, committee_notice(draft, partnership, theirs)):
            told += 1
    done = t.ngettext(
        "Recorded. I told {count} member of the committee.",
        "Recorded. I told {count} members of the committee.",
        told,
    ).format(count=told)
    await message.reply_text(done)


async def not_understood(update: Update, context: BotContext) -> int | None:
    """Text where a button is expected."""
    _user, message = sender(update)
    await message.reply_text(
        reader_of(update, context).gettext("Please use the buttons above, or send /cancel.")
    )
    return None


async def cancel(update: Update, context: BotContext) -> int:
    """Leave /setstatus without changing anything."""
    user, message = sender(update)
    await context.services.drafts.drop(user.id, DRAFT)
    await message.reply_text(reader_of(update, context).gettext("Cancelled; the status is unchanged."))
    return END


async def stale(update: Update, context: BotContext) -> None:
    """A /setstatus button pressed outside its conversation (ended, or forged)."""
    user, query, _data = presser(update)
    t = reader_of(update, context)
    if not await _allowed(user, context):
        await query.answer(_refusal(t), show_alert=True)
        return
    await query.answer(t.gettext("This button no longer works. Please ask again."))


def setstatus_conversation() -> ConversationHandler[BotContext]:
    """/setstatus, one step per message or button, the draft kept in the database between steps."""
    private = filters.ChatType.PRIVATE
    text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & private
    buttons_ = CallbackQueryHandler(pressed, pattern=f"^{PREFIX}")
    return per_person_conversation(
        entry_points=[CommandHandler("setstatus", setstatus_command, private)],
        states={
            PICKING: [MessageHandler(text, place_typed), buttons_],
            CHOOSING_STATUS: [buttons_, MessageHandler(text, not_understood)],
            TYPING_DATE: [MessageHandler(text, date_typed), buttons_],
            TYPING_DETAILS: [MessageHandler(text, details_typed), buttons_],
            CONFIRMING: [buttons_, MessageHandler(text, not_understood)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel, private),
            MessageHandler(filters.COMMAND & private, another_command),
        ],
        allow_reentry=True,
        conversation_timeout=WAIT,
        name="setstatus",
        persistent=True,
    )


async def in_group(update: Update, context: BotContext) -> None:
    """A staff command in a group: its output is for a private chat, never for the group."""
    _user, message = sender(update)
    await message.reply_text(
        reader_of(update, context).gettext(
            "Please send me this command in a private chat: its answer is for staff."
        )
    )


def handlers() -> list[BaseHandler[Update, BotContext, Any]]:
    """This module's handlers, in the order they must be tried."""
    return [
        CommandHandler(list(STAFF_COMMANDS), in_group, filters.ChatType.GROUPS),
        setstatus_conversation(),
        CallbackQueryHandler(stale, pattern=f"^{PREFIX}"),
    ]
