"""Telegram's checks on reply_markup: inline keyboards, callback data and button URLs."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from bot.sandbox.errors import bad_request
from bot.sandbox.limits import Limits

# An inline button does exactly one of these when pressed.
_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay",
)  # fmt: skip
_URL_SCHEMES = ("http", "https", "tg", "ton")


def check_reply_markup(markup: Any, limits: Limits) -> dict[str, Any] | None:
    """Validate reply_markup as Telegram does; returns it unchanged."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        check_inline_keyboard(markup["inline_keyboard"], limits)
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays')
    return markup


def check_inline_keyboard(rows: Any, limits: Limits) -> None:
    """Every button has a text and exactly one action; callback data is 1-64 bytes; URLs have a scheme."""
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays')
    count = 0
    for row in rows:
        for button in row:
            count += 1
            _check_button(button, limits)
    if count > limits.inline_keyboard_buttons:
        raise bad_request("reply markup is too long")


def _check_button(button: Any, limits: Limits) -> None:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str) or not button["text"]:
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    actions = [key for key in _ACTIONS if key in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= limits.callback_data_bytes:
            raise bad_request("BUTTON_DATA_INVALID")
    if "web_app" in button:
        check_web_app(button["web_app"], "inline keyboard button")
    if "url" in button:
        url = str(button["url"])
        parts = urlsplit(url)
        if parts.scheme.lower() not in _URL_SCHEMES or not (parts.netloc or parts.scheme == "tg"):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def check_web_app(web_app: Any, where: str) -> None:
    """A WebAppInfo: an https URL; plain http only on this machine, as Telegram's test environment allows."""
    url = str(web_app.get("url", "")) if isinstance(web_app, dict) else ""
    parts = urlsplit(url)
    local = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
    if not parts.netloc or not (parts.scheme == "https" or local):
        raise bad_request(f"{where} Web App URL '{url}' is invalid: Only HTTPS links are allowed")
