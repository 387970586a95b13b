"""/dashboard and the chat menu button: how staff and coordinators open the dashboard Mini App."""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonDefault,
    MenuButtonWebApp,
    Update,
    WebAppInfo,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden
from telegram.ext import BaseHandler, CommandHandler

from bot.config import Config
from bot.context import BotContext, reader_of
from bot.dashboard.texts import FORBIDDEN
from bot.i18n import N_, Translator
from bot.permissions import dashboard_scope, viewer_for
from handlers.person import reader_for, sender, viewer_of
from storage.members import MemberRepository

log = logging.getLogger(__name__)

BUTTON = N_("Dashboard")


def _web_app(config: Config) -> WebAppInfo:
    assert config.webapp.url is not None  # noqa: S101 - only called when the dashboard is on
    return WebAppInfo(config.webapp.url)


async def show_dashboard(update: Update, context: BotContext) -> None:
    """Send the button that opens the dashboard, to those who may see it."""
    user, message = sender(update)
    t = reader_of(update, context)
    config = context.config
    if not config.webapp.enabled:
        await message.reply_text(
            t.gettext("The dashboard is not set up on this bot: an admin sets [webapp] url in its config.")
        )
        return
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(t.gettext("Send /dashboard to me in a private chat."))
        return
    viewer = await viewer_of(user, context)
    if dashboard_scope(viewer) is None:
        log.info("member %s was refused /dashboard", user.id)
        await message.reply_text(t.gettext(FORBIDDEN))
        return
    if viewer.is_staff_or_admin:
        # The menu button may have failed at start-up, before this person had ever opened the chat.
        await offer_menu_button(context.bot, config, user.id, t)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(t.gettext(BUTTON), web_app=_web_app(config))]])
    await message.reply_text(
        t.gettext("The network at a glance: partnerships, their history and contacts, and trends."),
        reply_markup=keyboard,
    )


async def offer_menu_button(bot: Bot, config: Config, chat_id: int, t: Translator) -> bool:
    """Make the chat's menu button open the dashboard; False if the chat cannot be reached."""
    button = MenuButtonWebApp(t.gettext(BUTTON), _web_app(config))
    return await _set_menu_button(bot, chat_id, button)


async def withdraw_menu_button(bot: Bot, chat_id: int) -> bool:
    """Give the chat back Telegram's default menu button."""
    return await _set_menu_button(bot, chat_id, MenuButtonDefault())


async def _set_menu_button(bot: Bot, chat_id: int, button: MenuButtonWebApp | MenuButtonDefault) -> bool:
    try:
        await bot.set_chat_menu_button(chat_id=chat_id, menu_button=button)
    except (BadRequest, Forbidden) as error:
        # An admin named in the config who never opened the chat ("chat not found"), or blocked the bot.
        log.info("could not set the menu button of chat %s: %s", chat_id, error)
        return False
    return True


async def refresh_menu_button(context: BotContext, member_id: int) -> None:
    """After someone's powers changed: the dashboard's menu button for staff and admins, else the default."""
    config = context.config
    if not config.webapp.enabled:
        return
    members = context.services.members
    viewer = await viewer_for(member_id, members, config.admins)
    if viewer.is_staff_or_admin:
        member = await members.get(member_id)
        await offer_menu_button(context.bot, config, member_id, reader_for(member, config.defaults.language))
    else:
        await withdraw_menu_button(context.bot, member_id)


async def offer_menu_buttons(bot: Bot, config: Config, members: MemberRepository) -> int:
    """The dashboard's menu button in the chat of every admin and staff member; how many were set."""
    if not config.webapp.enabled:
        return 0
    staff = {member.id: member for member in await members.staff() if member.active}
    people = list(dict.fromkeys([*config.admins, *staff]))
    done = 0
    for chat_id in people:
        member = staff.get(chat_id) or await members.get(chat_id)
        done += await offer_menu_button(bot, config, chat_id, reader_for(member, config.defaults.language))
    log.info("dashboard menu button set for %s of %s staff and admins", done, len(people))
    return done


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers."""
    return [CommandHandler("dashboard", show_dashboard)]
