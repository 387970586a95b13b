"""Telegram's text formatting: parse_mode parsing into plain text plus UTF-16 entities.

The parsers follow tdlib's (MessageEntity.cpp) rules and error sentences closely enough that a bot which
formats badly for Telegram fails the same way in the sandbox.
"""

from __future__ import annotations

import re

from bot.sandbox.entities import Entity, EntityParseError, FormattedText, utf16_len
from bot.sandbox.html_text import parse_html
from bot.sandbox.markdown_text import parse_markdown, parse_markdown_v2

__all__ = [
    "EntityParseError",
    "FormattedText",
    "command_entities",
    "format_text",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "utf16_len",
]

_COMMAND = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")


def format_text(text: str, parse_mode: str | None, entities: list[Entity] | None = None) -> FormattedText:
    """Parse `text` as Telegram would for sendMessage/editMessageText/captions; trims outer whitespace."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        parsed = parse_html(text)
    elif mode == "markdownv2":
        parsed = parse_markdown_v2(text)
    elif mode == "markdown":
        parsed = parse_markdown(text)
    elif mode == "":
        parsed = FormattedText(text, [dict(e) for e in entities or [] if isinstance(e, dict)])
    else:
        raise EntityParseError(f"unsupported parse_mode {parse_mode!r}")
    return _strip(parsed)


def command_entities(text: str) -> list[Entity]:
    """bot_command entities for every /command in a user's text, as Telegram adds them."""
    found = []
    for match in _COMMAND.finditer(text):
        offset = utf16_len(text[: match.start()])
        found.append({"type": "bot_command", "offset": offset, "length": utf16_len(match.group())})
    return found


def _strip(parsed: FormattedText) -> FormattedText:
    """Drop leading and trailing whitespace, moving entities with the text as Telegram does."""
    text = parsed.text
    stripped = text.strip()
    if stripped == text:
        return parsed
    if not stripped:
        return FormattedText("", [])
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    entities = []
    for entity in parsed.entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, entities)
