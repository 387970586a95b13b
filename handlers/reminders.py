"""Check-in reminders as people meet them: the reminder's buttons, /reminders, /timezone, /atrisk."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta
from typing import Any

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest
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
from bot.reminders.service import Outcome
from bot.reminders.texts import CHECK_IN_PATTERN, CHECK_IN_PREFIX, IN_TOUCH, SHOW, SNOOZE, shown_name
from bot.reminders.times import is_timezone, local_day, zone, zones_to_offer
from handlers.person import (
    another_command,
    buttons,
    per_person_conversation,
    presser,
    record,
    sender,
    viewer_of,
)
from storage.members import Member

log = logging.getLogger(__name__)

# Conversation states: /timezone waits for a typed name, "Pause until a date…" for a typed date.
TYPING_ZONE = 0
TYPING_DATE = 1
END = ConversationHandler.END
WAIT_FOR_ANSWER = timedelta(minutes=10)  # then the next text is not taken for a zone or a date

_CHECK_IN = re.compile(CHECK_IN_PATTERN)
_YEAR = re.compile(r"\d{4}")
SETTINGS_PREFIX = "rem:"
ZONE_PREFIX = "tz:"
PAUSE_WEEK, PAUSE_MONTH, PAUSE_UNTIL, TURN_ON = "rem:week", "rem:month", "rem:until", "rem:on"
PAUSE_DAYS = {PAUSE_WEEK: 7, PAUSE_MONTH: 30}
MAX_PAUSE_DAYS = 366


def _now(context: BotContext) -> datetime:
    """The check-in service's clock: the same "now" for answers as for the tick that sent the reminder."""
    return context.bot_data.reminders.clock()


def _zone_of(member: Member | None, context: BotContext) -> str:
    return (member.timezone if member else None) or context.config.defaults.timezone


def _today(member: Member | None, context: BotContext) -> date:
    return local_day(_now(context), _zone_of(member, context))


async def _edit(query: CallbackQuery, text: str, markup: Any = None) -> None:
    message = query.message
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as error:
        log.debug("could not edit a reminder: %s", error)


# --- the reminder's buttons ---


async def check_in_pressed(update: Update, context: BotContext) -> None:
    """Snooze a week, We are in touch, or a partnership of a combined reminder; re-checked on every press."""
    user, query, data = presser(update)
    t = reader_of(update, context)
    match = _CHECK_IN.fullmatch(data)
    service = context.bot_data.reminders
    cycle = await service.checkins.get(int(match[2])) if match else None
    if match is None or cycle is None:
        await query.answer(t.gettext("This reminder is no longer open."))
        return
    viewer = await viewer_of(user, context)
    if not viewer.may_answer_check_in(cycle.partnership_id):
        log.info("member %s pressed a check-in button of another committee", user.id)
        await query.answer(
            t.gettext("Only the members of this partnership's committee can answer its check-in.")
        )
        return
    member = await record(user, context.services.members)
    today = _today(member, context)
    action = match[1]
    if action == SHOW:
        await query.answer()
        text, markup = await service.card(cycle, t, today)
        message = query.message
        if isinstance(message, Message):
            await message.chat.send_message(text, reply_markup=markup)
        return
    if action == SNOOZE:
        outcome = await service.snooze(cycle.id, member, today)
    elif action == IN_TOUCH:
        note = t.gettext("We are in touch (answered a check-in reminder).")
        outcome = await service.in_touch(cycle.id, member, note, today)
    else:  # pragma: no cover - the pattern admits no other action
        await query.answer()
        return
    await _answered(query, outcome, action, t, context)


async def _answered(
    query: CallbackQuery, outcome: Outcome, action: str, t: Translator, context: BotContext
) -> None:
    service = context.bot_data.reminders
    if outcome.cycle is None:
        if outcome.answered_by is not None:
            text = t.gettext("{name} has answered this check-in already.").format(
                name=shown_name(outcome.answered_by)
            )
        else:
            text = t.gettext("This reminder is no longer open.")
        await query.answer(text)
        return
    if action == SNOOZE and outcome.cycle.snoozed_until:
        await query.answer(
            t.gettext("Snoozed until {date}.").format(date=t.date(outcome.cycle.snoozed_until))
        )
    else:
        await query.answer(t.gettext("Thank you! I recorded that the committee is in touch."))
    # A card opened from a combined reminder is not a tracked reminder: show the answer on it too.
    message = query.message
    if isinstance(message, Message) and (message.chat.id, message.message_id) not in outcome.edited:
        text, markup = await service.card(outcome.cycle, t, _today(None, context))
        await _edit(query, text, markup)


async def stale_check_in(update: Update, context: BotContext) -> None:
    """A forged or malformed check-in button: answered politely, nothing changes."""
    _user, query, _data = presser(update)
    await query.answer(reader_of(update, context).gettext("This reminder is no longer open."))


# --- /reminders ---


def _settings_text(
    member: Member | None, paused_until: date | None, seats: int, t: Translator, context: BotContext
) -> str:
    defaults = context.config.defaults
    lines = [
        t.gettext("Check-in reminders are paused until {date}.").format(date=t.date(paused_until))
        if paused_until
        else t.gettext("Check-in reminders are on.")
    ]
    lines.append(
        t.gettext(
            "They come at {hour}:00 your time ({timezone}), never between {quiet}, and at most once a day. "
            "Change your timezone with /timezone."
        ).format(
            hour=defaults.reminder_hour, timezone=_zone_of(member, context), quiet=str(defaults.quiet_hours)
        )
    )
    if not seats:
        lines.append(t.gettext("You are not on any committee yet, so there is nothing to remind you of."))
    return "\n\n".join(lines)


def _settings_buttons(paused: bool, t: Translator) -> Any:
    rows = [
        [(t.gettext("Pause for a week"), PAUSE_WEEK), (t.gettext("Pause for a month"), PAUSE_MONTH)],
        [(t.gettext("Pause until a date…"), PAUSE_UNTIL)],
    ]
    if paused:
        rows.append([(t.gettext("Turn reminders back on"), TURN_ON)])
    return buttons(rows)


async def _current_pause(member_id: int, today: date, context: BotContext) -> date | None:
    until = await context.services.checkins.paused_until(member_id)
    return until if until and until > today else None


async def show_settings(update: Update, context: BotContext) -> None:
    """/reminders: the member's reminder settings, with buttons to pause them or turn them back on."""
    user, message = sender(update)
    t = reader_of(update, context)
    member = await record(user, context.services.members)
    paused = await _current_pause(user.id, _today(member, context), context)
    seats = len(await context.services.members.memberships_of(user.id))
    await message.reply_text(
        _settings_text(member, paused, seats, t, context),
        reply_markup=_settings_buttons(paused is not None, t),
    )


async def settings_pressed(update: Update, context: BotContext) -> int | None:
    """Pause for a week or a month, or turn reminders back on; "until a date" asks for the date."""
    user, query, data = presser(update)
    t = reader_of(update, context)
    member = await record(user, context.services.members)
    today = _today(member, context)
    checkins = context.services.checkins
    if data == PAUSE_UNTIL:
        await query.answer()
        await _edit(query, t.gettext("Until which day? Type a date, for example 15.09.2026 or September 15."))
        return TYPING_DATE
    if data in PAUSE_DAYS:
        until = today + timedelta(days=PAUSE_DAYS[data])
        await checkins.pause(user.id, until)
        log.info("member %s paused reminders until %s", user.id, until)
    elif data == TURN_ON:
        await checkins.resume(user.id)
        log.info("member %s turned reminders back on", user.id)
    else:
        await query.answer(t.gettext("That button does not mean anything here."))
        return None
    await query.answer()
    paused = await _current_pause(user.id, today, context)
    seats = len(await context.services.members.memberships_of(user.id))
    await _edit(
        query, _settings_text(member, paused, seats, t, context), _settings_buttons(paused is not None, t)
    )
    return END


async def pause_date_typed(update: Update, context: BotContext) -> int:
    """The day reminders resume, typed."""
    user, message = sender(update)
    t = reader_of(update, context)
    member = await record(user, context.services.members)
    today = _today(member, context)
    typed = message.text or ""
    until = parse_date(typed, today, language=t.language)
    if until is not None and until <= today and not _YEAR.search(typed):
        # "September 15" without a year, when this year's has passed: the next one.
        until = _next_year(until)
    if until is None or not today < until <= today + timedelta(days=MAX_PAUSE_DAYS):
        await message.reply_text(
            t.gettext(
                "Please type a day within the next year, for example 15.09.2026 or September 15, "
                "or send /cancel."
            )
        )
        return TYPING_DATE
    await context.services.checkins.pause(user.id, until)
    log.info("member %s paused reminders until %s", user.id, until)
    await message.reply_text(
        t.gettext("Check-in reminders are paused until {date}.").format(date=t.date(until))
    )
    return END


def _next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


# --- /timezone ---


async def _offered(user_id: int, member: Member | None, t: Translator, context: BotContext) -> list[str]:
    countries = []
    for membership in await context.services.members.memberships_of(user_id):
        partnership = await context.services.partnerships.get(membership.partnership_id)
        if partnership is not None:
            countries.append(partnership.partner_country)
    return zones_to_offer(t.language, countries, member.timezone if member else None)


def _local_time(zone_name: str, context: BotContext) -> str:
    return f"{_now(context).astimezone(zone(zone_name)):%H:%M}"


async def timezone_command(update: Update, context: BotContext) -> int:
    """/timezone: offer zones as buttons (or take `/timezone Europe/Berlin`), then wait for a typed name."""
    user, message = sender(update)
    t = reader_of(update, context)
    member = await record(user, context.services.members)
    typed = (message.text or "").split(maxsplit=1)[1:]
    if typed:
        return await _set_zone(message, user.id, typed[0].strip(), t, context)
    current = _zone_of(member, context)
    offered = await _offered(user.id, member, t, context)
    rows = [
        [(name, f"{ZONE_PREFIX}{name}") for name in offered[i : i + 2]] for i in range(0, len(offered), 2)
    ]
    await message.reply_text(
        t.gettext(
            "Your timezone is {timezone}; it is {time} there now. Pick yours, or type its name, for example "
            "Europe/Berlin."
        ).format(timezone=current, time=_local_time(current, context)),
        reply_markup=buttons(rows),
    )
    return TYPING_ZONE


async def _set_zone(message: Message, user_id: int, name: str, t: Translator, context: BotContext) -> int:
    if not is_timezone(name) or len(name) > 64:
        await message.reply_text(
            t.gettext(
                "I don't know that timezone. Type a name like Europe/Moscow or America/Chicago, "
                "or send /cancel."
            )
        )
        return TYPING_ZONE
    await context.services.members.set_timezone(user_id, name)
    log.info("member %s set timezone %s", user_id, name)
    await message.reply_text(
        t.gettext("Timezone set: {timezone} (it is {time} there now).").format(
            timezone=name, time=_local_time(name, context)
        )
    )
    return END


async def zone_typed(update: Update, context: BotContext) -> int:
    """A timezone typed by name."""
    user, message = sender(update)
    return await _set_zone(
        message, user.id, (message.text or "").strip(), reader_of(update, context), context
    )


async def zone_chosen(update: Update, context: BotContext) -> int | None:
    """A timezone picked from the buttons."""
    user, query, data = presser(update)
    t = reader_of(update, context)
    name = data.removeprefix(ZONE_PREFIX)
    if not is_timezone(name):
        await query.answer(t.gettext("That button does not mean anything here."))
        return None
    await record(user, context.services.members)
    await context.services.members.set_timezone(user.id, name)
    log.info("member %s set timezone %s", user.id, name)
    await query.answer()
    await _edit(
        query,
        t.gettext("Timezone set: {timezone} (it is {time} there now).").format(
            timezone=name, time=_local_time(name, context)
        ),
    )
    return END


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel while a zone or a date is awaited."""
    _user, message = sender(update)
    await message.reply_text(reader_of(update, context).gettext("All right, nothing was changed."))
    return END


# --- /atrisk ---


async def at_risk_command(update: Update, context: BotContext) -> None:
    """/atrisk: the partnerships whose committees did not answer two reminders (staff and admins)."""
    user, message = sender(update)
    t = reader_of(update, context)
    viewer = await viewer_of(user, context)
    if not viewer.may(Action.SEE_REPORTS):
        await message.reply_text(
            t.gettext("Only the network's staff can see which partnerships are at risk.")
        )
        return
    member = await context.services.members.get(user.id)
    report = await context.bot_data.reminders.at_risk_report(t, _today(member, context))
    await message.reply_text(report)


def conversation() -> ConversationHandler[BotContext]:
    """/timezone and "Pause until a date…": each waits for one typed answer."""
    private = filters.ChatType.PRIVATE
    text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & private
    # Per chat and user on purpose: the question is one message and the answer is typed.
    return per_person_conversation(
        entry_points=[
            CommandHandler("timezone", timezone_command, private),
            CallbackQueryHandler(settings_pressed, pattern=f"^{SETTINGS_PREFIX}"),
        ],
        states={
            TYPING_ZONE: [
                MessageHandler(text, zone_typed),
                CallbackQueryHandler(zone_chosen, pattern=f"^{ZONE_PREFIX}"),
            ],
            TYPING_DATE: [MessageHandler(text, pause_date_typed)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel, private),
            MessageHandler(filters.COMMAND & private, another_command),
        ],
        allow_reentry=True,
        conversation_timeout=WAIT_FOR_ANSWER,
        name="reminder_settings",
    )


def handlers() -> list[BaseHandler[Update, BotContext, Any]]:
    """This module's handlers, in the order they must be tried."""
    return [
        conversation(),
        CommandHandler("reminders", show_settings, filters.ChatType.PRIVATE),
        CommandHandler("atrisk", at_risk_command),
        CallbackQueryHandler(check_in_pressed, pattern=CHECK_IN_PATTERN),
        # Buttons with our prefixes that nobody above took (forged, or a zone after the question closed).
        CallbackQueryHandler(stale_check_in, pattern=f"^{CHECK_IN_PREFIX}"),
        CallbackQueryHandler(zone_chosen, pattern=f"^{ZONE_PREFIX}"),
    ]
