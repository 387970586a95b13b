"""The bot's own profile: getMe, command lists, names and descriptions."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.keyboards import check_web_app
from bot.sandbox.methods.params import Handler, Params
from bot.sandbox.world import World

_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


async def get_me(world: World, p: Params) -> dict[str, Any]:
    """getMe."""
    return {
        **world.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": not world.group_privacy,
        "supports_inline_queries": True,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def set_my_commands(world: World, p: Params) -> bool:
    """setMyCommands: stored per scope and language_code."""
    commands = p.array("commands") or []
    if len(commands) > 100:
        raise bad_request("too many commands")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND.fullmatch(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        description = str(command.get("description", ""))
        if not 1 <= len(description) <= 256:
            raise bad_request(
                "command description is empty" if not description else "BOT_COMMAND_DESCRIPTION_INVALID"
            )
    key = world.command_key(p.get("scope"), p.get("language_code"))
    if commands:
        world.commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
    else:
        world.commands.pop(key, None)
    return True


async def get_my_commands(world: World, p: Params) -> list[dict[str, Any]]:
    """getMyCommands."""
    return list(world.commands.get(world.command_key(p.get("scope"), p.get("language_code")), []))


async def delete_my_commands(world: World, p: Params) -> bool:
    """deleteMyCommands."""
    world.commands.pop(world.command_key(p.get("scope"), p.get("language_code")), None)
    return True


_MENU_BUTTON_TYPES = ("commands", "web_app", "default")


async def set_chat_menu_button(world: World, p: Params) -> bool:
    """setChatMenuButton: one private chat's menu button, or the default one without chat_id."""
    chat_id = p.optional_integer("chat_id")
    if chat_id is not None and world.find_chat(chat_id).type != "private":
        raise bad_request("chat not found")  # menu buttons exist in private chats only
    button = p.obj("menu_button") or {"type": "default"}
    kind = button.get("type")
    if kind not in _MENU_BUTTON_TYPES:
        raise bad_request("unsupported menu button type")
    if kind == "web_app":
        if not 1 <= len(str(button.get("text", ""))) <= 64:
            raise bad_request("menu button text is invalid")
        check_web_app(button.get("web_app"), "menu button")
    if kind == "default":
        world.menu_buttons.pop(chat_id, None)
    else:
        world.menu_buttons[chat_id] = dict(button)
    return True


async def get_chat_menu_button(world: World, p: Params) -> dict[str, Any]:
    """getChatMenuButton: the chat's own button, else the default one, else the command list."""
    chat_id = p.optional_integer("chat_id")
    if chat_id is not None:
        world.find_chat(chat_id)
    return dict(world.menu_buttons.get(chat_id) or world.menu_buttons.get(None) or {"type": "commands"})


def _setter(field: str, limit: int) -> Handler:
    async def set_profile_text(world: World, p: Params) -> bool:
        """setMyName / setMyDescription / setMyShortDescription."""
        value = p.text(field)
        if len(value) > limit:
            raise bad_request(f"{field} is too long")
        key = f"{field}:{p.text('language_code')}"
        if value:
            world.profile[key] = value
        else:
            world.profile.pop(key, None)
        return True

    return set_profile_text


def _getter(field: str) -> Handler:
    async def get_profile_text(world: World, p: Params) -> dict[str, Any]:
        """getMyName / getMyDescription / getMyShortDescription."""
        return {field: world.profile.get(f"{field}:{p.text('language_code')}", "")}

    return get_profile_text


HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
    "setMyName": _setter("name", 64),
    "getMyName": _getter("name"),
    "setMyDescription": _setter("description", 512),
    "getMyDescription": _getter("description"),
    "setMyShortDescription": _setter("short_description", 120),
    "getMyShortDescription": _getter("short_description"),
}
