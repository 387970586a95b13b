"""setChatMenuButton and getChatMenuButton, checked as Telegram checks them, and web_app buttons' URLs."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    MenuButtonDefault,
    MenuButtonWebApp,
    WebAppInfo,
)
from telegram.error import BadRequest

from bot.sandbox import BotApiServer

DASHBOARD = "https://bot.example.org/dashboard/"


async def test_a_chat_menu_button_opens_a_web_app_and_can_be_taken_back(
    bot: Bot, server: BotApiServer
) -> None:
    alice = server.user()
    await bot.set_chat_menu_button(alice.chat_id, MenuButtonWebApp("Dashboard", WebAppInfo(DASHBOARD)))
    assert server.menu_button(alice.chat_id) == {
        "type": "web_app",
        "text": "Dashboard",
        "web_app": {"url": DASHBOARD},
    }
    read = await bot.get_chat_menu_button(alice.chat_id)
    assert isinstance(read, MenuButtonWebApp)
    assert read.web_app.url == DASHBOARD
    await bot.set_chat_menu_button(alice.chat_id, MenuButtonDefault())
    assert server.menu_button(alice.chat_id) is None
    assert isinstance(await bot.get_chat_menu_button(alice.chat_id), MenuButtonCommands)
    assert not server.violations
    assert not server.world.unsupported


async def test_a_menu_button_needs_a_chat_that_exists_and_an_https_address(
    bot: Bot, server: BotApiServer
) -> None:
    alice = server.user()
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.set_chat_menu_button(999_999, MenuButtonWebApp("Dashboard", WebAppInfo(DASHBOARD)))
    with pytest.raises(BadRequest, match=r"(?i)only https links are allowed"):
        await bot.set_chat_menu_button(
            alice.chat_id, MenuButtonWebApp("Dashboard", WebAppInfo("http://bot.example.org/"))
        )
    # As in Telegram's test environment, a Mini App on this machine may be plain http.
    await bot.set_chat_menu_button(
        alice.chat_id, MenuButtonWebApp("Dashboard", WebAppInfo("http://127.0.0.1:8081/dashboard/"))
    )


async def test_a_web_app_button_in_a_message_needs_an_https_address(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    button = InlineKeyboardButton("Open", web_app=WebAppInfo("http://bot.example.org/"))
    with pytest.raises(BadRequest, match=r"(?i)only https links are allowed"):
        await bot.send_message(alice.chat_id, "Dashboard", reply_markup=InlineKeyboardMarkup([[button]]))
    button = InlineKeyboardButton("Open", web_app=WebAppInfo(DASHBOARD))
    await bot.send_message(alice.chat_id, "Dashboard", reply_markup=InlineKeyboardMarkup([[button]]))
    assert alice.last.web_apps == {"Open": DASHBOARD}
