"""Partnership status questions: /status, plain-text questions in private chats, and inline mode."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext, reader_of
from bot.i18n import Translator
from bot.permissions import Viewer
from bot.registry.cards import ContactLog, LastContact, card_views, render_card, render_cards, status_line
from bot.registry.matching import MatchResult, extract_place
from bot.registry.places import PlaceLookup
from handlers.person import viewer_of
from storage.records import Partnership

log = logging.getLogger(__name__)

# Callback data is a key, never a permission: what it names is read again, and checked, on the press.
SHOW_PREFIX = "status:"  # status:<partnership id>
# place:<partnership id>:<u|p>: one side of a partnership, as "did you mean" offers it.
PLACE_PREFIX = "place:"
_SHOW = re.compile(r"status:(\d{1,9})")
_PLACE = re.compile(r"place:(\d{1,9}):([up])")
# One place's partnerships are all shown, up to CARDS_AT_ONCE (about three messages); more, or different
# places, are offered as buttons to pick from.
MATCH_LIMIT = 24
CARDS_AT_ONCE = 12
ECHO_LIMIT = 60  # how much of what someone typed is quoted back
INLINE_RESULTS = 10
EMPTY_INLINE_RESULTS = 5
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _today() -> date:
    return datetime.now(UTC).date()


def _quote(text: str) -> str:
    """What someone typed, shortened and escaped to be shown back to them."""
    text = " ".join(text.split())
    if len(text) > ECHO_LIMIT:
        text = text[: ECHO_LIMIT - 1].rstrip() + "…"
    return html.escape(text)


def _hint(t: Translator) -> str:
    return t.gettext(
        "I can tell you how a sister-city partnership is doing. Send /status with a place, for example "
        "/status Durham, or just write the name of a city, for example “what is the status of Roanoke?”."
        " /help lists everything I can do."
    )


async def _reader(message: Message, update: Update, context: BotContext) -> Viewer | None:
    """Whose permissions a reply may use: the asker's in a private chat; in a group, anyone's (None)."""
    user = update.effective_user
    if user is None or message.chat.type != ChatType.PRIVATE:
        # Everyone in a group reads the reply, so a committee member's question gets the public card there.
        return None
    return await viewer_of(user, context)


async def _contact_logs(partnerships: Sequence[Partnership], context: BotContext) -> dict[int, ContactLog]:
    """What the contact log says of each partnership: last contact, recent count, a letter awaiting reply."""
    found = await context.services.contacts.summary_of((p.id for p in partnerships), _today())
    return {
        pid: ContactLog(
            last=LastContact(s.last.contact_date, s.last.channel.value, s.last.summary) if s.last else None,
            recent_count=s.recent_count,
            awaiting_reply_since=s.awaiting_reply.contact_date if s.awaiting_reply else None,
        )
        for pid, s in found.items()
    }


async def _send_cards(
    message: Message, partnerships: Sequence[Partnership], update: Update, context: BotContext
) -> None:
    """Reply with the cards, as few messages as fit, showing only what every reader may see."""
    t = reader_of(update, context)
    views = await card_views(
        partnerships,
        await _reader(message, update, context),
        context.services.members,
        today=_today(),
        default_checkin_days=context.config.defaults.checkin_days,
        logs=await _contact_logs(partnerships, context),
    )
    for text in render_cards(views, t):
        await message.reply_text(text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW)


def _one_place(partnerships: Sequence[Partnership]) -> bool:
    """Whether the matches are all one place's partnerships (Roanoke's four), not different places."""
    us_sides = {(p.us_name, p.us_state) for p in partnerships}
    partner_sides = {(p.partner_name, p.partner_country) for p in partnerships}
    return len(us_sides) == 1 or len(partner_sides) == 1


def _pick_keyboard(partnerships: Sequence[Partnership]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(p.title, callback_data=f"{SHOW_PREFIX}{p.id}")] for p in partnerships]
    )


def _suggestion_keyboard(suggestions: Sequence[str], places: PlaceLookup) -> InlineKeyboardMarkup | None:
    rows = []
    for name in suggestions:
        if side := places.side_of(name):
            rows.append([InlineKeyboardButton(name, callback_data=f"{PLACE_PREFIX}{side[0]}:{side[1]}")])
    return InlineKeyboardMarkup(rows) if rows else None


async def _answer_place(
    message: Message, place: str, update: Update, context: BotContext, *, typed_command: bool
) -> None:
    """Answer a question about a place: its cards, a choice, "did you mean", or how to ask."""
    t = reader_of(update, context)
    result: MatchResult = await context.services.places.match(place, limit=MATCH_LIMIT)
    if result.matches and len(result.matches) <= CARDS_AT_ONCE and _one_place(result.matches):
        await _send_cards(message, result.matches, update, context)
    elif result.matches:
        text = t.gettext("Several partnerships match “{query}”. Which one do you mean?").format(
            query=_quote(place)
        )
        await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=_pick_keyboard(result.matches))
    elif keyboard := _suggestion_keyboard(result.suggestions, context.services.places):
        text = t.gettext("I don't know “{query}”. Did you mean one of these?").format(query=_quote(place))
        await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    elif typed_command:
        text = t.gettext(
            "I don't know a place called “{query}” among the network's partnerships. Try the name of the "
            "US city or of its partner city, in English or Russian, for example /status Pskov."
        ).format(query=_quote(place))
        await message.reply_text(text, parse_mode=ParseMode.HTML)
    else:
        await message.reply_text(html.escape(_hint(t)), parse_mode=ParseMode.HTML)
    user_id = update.effective_user.id if update.effective_user else None
    log.info("status question from %s: %s matches", user_id, len(result.matches))


async def status_command(update: Update, context: BotContext) -> None:
    """Show the cards of the partnerships named after /status, or of the member's own."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    place = " ".join(context.args or [])
    if place:
        await _answer_place(message, place, update, context, typed_command=True)
        return
    memberships = await context.services.members.memberships_of(user.id)
    own = [p for m in memberships if (p := await context.services.partnerships.get(m.partnership_id))]
    if own:
        await _send_cards(message, own, update, context)
        return
    t = reader_of(update, context)
    text = t.gettext(
        "You are not on any partnership's committee yet, so tell me which partnership you mean: "
        "/status followed by a place, for example /status Durham."
    )
    await message.reply_text(html.escape(text), parse_mode=ParseMode.HTML)


async def question(update: Update, context: BotContext) -> None:
    """Answer a plain-text question about a place in a private chat; anything else gets a hint."""
    message = update.effective_message
    if message is None or not message.text:
        return
    # An unknown /command ends up here too: it gets the hint as well, never silence.
    place = None if message.text.startswith("/") else extract_place(message.text)
    if place is None:
        t = reader_of(update, context)
        await message.reply_text(html.escape(_hint(t)), parse_mode=ParseMode.HTML)
        return
    await _answer_place(message, place, update, context, typed_command=False)


async def not_text(update: Update, context: BotContext) -> None:
    """Answer a photo, sticker, voice message, document… in a private chat with what the bot can do."""
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(html.escape(_hint(reader_of(update, context))), parse_mode=ParseMode.HTML)


async def group_question(update: Update, context: BotContext) -> None:
    """Answer a question in a group only when it mentions the bot; the rest of the talk is not for us."""
    message = update.effective_message
    if message is None or not message.text:
        return
    # Usernames are letters, digits and "_": "@sisterbot" must not match inside "@sisterbot_fan".
    mention = re.compile(rf"@{re.escape(context.bot.username)}(?!\w)", re.IGNORECASE)
    if not mention.search(message.text):
        return
    text = mention.sub(" ", message.text)
    place = extract_place(text)
    if place is None:
        await message.reply_text(html.escape(_hint(reader_of(update, context))), parse_mode=ParseMode.HTML)
        return
    await _answer_place(message, place, update, context, typed_command=False)


async def show_picked(update: Update, context: BotContext) -> None:
    """Show the partnership a person picked from a list, if it still exists."""
    query = update.callback_query
    if query is None:
        return
    match = _SHOW.fullmatch(query.data or "")
    partnership = await context.services.partnerships.get(int(match.group(1))) if match else None
    if partnership is None or not isinstance(query.message, Message):
        await stale_button(update, context)
        return
    await query.answer()
    await _send_cards(query.message, [partnership], update, context)


async def show_suggested(update: Update, context: BotContext) -> None:
    """Answer for the place a person picked from "did you mean", as if they had typed its name."""
    query = update.callback_query
    if query is None:
        return
    match = _PLACE.fullmatch(query.data or "")
    partnership = await context.services.partnerships.get(int(match.group(1))) if match else None
    if match is None or partnership is None or not isinstance(query.message, Message):
        await stale_button(update, context)
        return
    await query.answer()
    place = partnership.us_name if match.group(2) == "u" else partnership.partner_name
    await _answer_place(query.message, place, update, context, typed_command=True)


async def stale_button(update: Update, context: BotContext) -> None:
    """Politely answer a press on a button that no longer means anything (or never did)."""
    query = update.callback_query
    if query is None:
        return
    t = reader_of(update, context)
    await query.answer(t.gettext("This button no longer works. Please ask again."))


async def inline(update: Update, context: BotContext) -> None:
    """Offer the public cards of the partnerships matching an inline query, to post in any chat."""
    query = update.inline_query
    if query is None:
        return
    t = reader_of(update, context)
    text = query.query.strip()
    places = context.services.places
    found = (
        (await places.match(text, limit=INLINE_RESULTS)).matches
        if text
        else await places.first(EMPTY_INLINE_RESULTS)
    )
    # Whatever the asker may see, the message lands in a chat of strangers: only the public card.
    views = await card_views(
        found,
        None,
        context.services.members,
        today=_today(),
        default_checkin_days=context.config.defaults.checkin_days,
        logs=await _contact_logs(found, context),
    )
    results = [
        InlineQueryResultArticle(
            id=str(view.partnership.id),
            title=view.partnership.title,
            description=status_line(view.partnership, t),
            input_message_content=InputTextMessageContent(
                render_card(view, t), parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
            ),
        )
        for view in views
    ]
    await query.answer(results, cache_time=10, is_personal=True)
    log.debug("inline query from %s: %s results", query.from_user.id, len(results))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers, in the order they must be tried; the last two answer any private rest."""
    return [
        CommandHandler("status", status_command),
        CallbackQueryHandler(show_picked, pattern=f"^{SHOW_PREFIX}"),
        CallbackQueryHandler(show_suggested, pattern=f"^{PLACE_PREFIX}"),
        # Registered last of all modules: any button nobody else claimed is stale or forged.
        CallbackQueryHandler(stale_button),
        InlineQueryHandler(inline),
        MessageHandler(
            filters.TEXT
            & filters.ChatType.GROUPS
            & ~filters.COMMAND
            & ~filters.VIA_BOT
            & ~filters.UpdateType.EDITED,
            group_question,
        ),
        # Answers every text no other handler took, and only in private chats.
        MessageHandler(
            filters.TEXT & filters.ChatType.PRIVATE & ~filters.VIA_BOT & ~filters.UpdateType.EDITED,
            question,
        ),
        # The very last: any other private message (photo, sticker, voice, document…). Conversations are
        # registered earlier, so one waiting for a file or handling its own non-text sees the update first.
        MessageHandler(
            ~filters.TEXT
            & filters.ChatType.PRIVATE
            & ~filters.StatusUpdate.ALL
            & ~filters.VIA_BOT
            & ~filters.UpdateType.EDITED,
            not_text,
        ),
    ]
