"""Telegram's MarkdownV2 and legacy Markdown parse modes, following tdlib's rules and error sentences."""

from __future__ import annotations

import re

from bot.sandbox.entities import (
    Entity,
    EntityParseError,
    FormattedText,
    Open,
    Output,
    byte_offset,
    sorted_entities,
)

_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MDV2_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline", "strikethrough": "Strikethrough",
    "spoiler": "Spoiler", "code": "Code", "pre": "Pre", "text_link": "TextUrl", "custom_emoji": "CustomEmoji",
}  # fmt: skip
_EMOJI_URL = re.compile(r"tg://emoji\?id=(\d+)")


def parse_markdown_v2(source: str) -> FormattedText:
    """Parse Telegram's MarkdownV2 parse mode."""
    out = Output()
    stack: list[Open] = []
    entities: list[Entity] = []
    quote: Open | None = None
    n = len(source)
    i = 0
    while i < n:
        top = stack[-1] if stack else None
        in_code = top is not None and top.kind in ("code", "pre")
        at_line_start = i == 0 or source[i - 1] == "\n"
        if at_line_start and not in_code:
            quote, i, handled = _mdv2_quote_line(source, i, quote, out, entities)
            if handled:
                continue
        char = source[i]
        if char == "\\" and i + 1 < n and 0 < ord(source[i + 1]) < 127:
            out.add(source[i + 1])
            i += 2
            continue
        if char not in ("`" if in_code else _MDV2_RESERVED):
            out.add(char)
            i += 1
            continue
        if (
            quote is not None
            and char == "|"
            and source.startswith("||", i)
            and (top is None or top.kind != "spoiler")
            and (i + 2 == n or source[i + 2] == "\n")
        ):
            quote.attrs["expandable"] = ""
            i += 2
            continue
        if top is not None and _mdv2_ends(top.kind, source, i):
            i = _mdv2_close(source, i, stack, entities, out)
        else:
            i = _mdv2_open(source, i, stack, out)
    if stack:
        opened = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MDV2_NAMES[opened.kind]} entity "
            f"at byte offset {byte_offset(source, opened.source_index)}"
        )
    if quote is not None:
        _close_quote(quote, out, entities)
    return FormattedText(out.text(), sorted_entities(entities))


def _mdv2_quote_line(
    source: str, i: int, quote: Open | None, out: Output, entities: list[Entity]
) -> tuple[Open | None, int, bool]:
    """Start, continue or end a `>` block quotation at a line start."""
    if source.startswith("**>", i) and quote is None:
        return Open("blockquote", out.utf16, i, {"expandable": ""}), i + 3, True
    if source.startswith(">", i):
        if quote is None:
            quote = Open("blockquote", out.utf16, i)
        return quote, i + 1, True
    if quote is not None:
        _close_quote(quote, out, entities)
    return None, i, False


def _close_quote(quote: Open, out: Output, entities: list[Entity]) -> None:
    end = out.utf16 - (1 if out.last_char() == "\n" else 0)
    if end > quote.offset:
        kind = "expandable_blockquote" if "expandable" in quote.attrs else "blockquote"
        entities.append({"type": kind, "offset": quote.offset, "length": end - quote.offset})


def _mdv2_ends(kind: str, source: str, i: int) -> bool:
    char = source[i]
    following = source[i + 1 : i + 2]
    return {
        "bold": char == "*",
        "italic": char == "_" and following != "_",
        "underline": source.startswith("__", i),
        "strikethrough": char == "~",
        "spoiler": source.startswith("||", i),
        "code": char == "`",
        "pre": source.startswith("```", i),
        "text_link": char == "]",
        "custom_emoji": char == "]",
    }.get(kind, False)


def _mdv2_open(source: str, i: int, stack: list[Open], out: Output) -> int:
    char = source[i]
    begin = i
    attrs: dict[str, str] = {}
    if char == "_":
        kind, i = ("underline", i + 2) if source.startswith("__", i) else ("italic", i + 1)
    elif char == "*":
        kind, i = "bold", i + 1
    elif char == "~":
        kind, i = "strikethrough", i + 1
    elif char == "|" and source.startswith("||", i):
        kind, i = "spoiler", i + 2
    elif char == "[":
        kind, i = "text_link", i + 1
    elif char == "!" and source.startswith("![", i):
        kind, i = "custom_emoji", i + 2
    elif char == "`" and source.startswith("```", i):
        kind, i = "pre", i + 3
        language_end = i
        while (
            language_end < len(source) and not source[language_end].isspace() and source[language_end] != "`"
        ):
            language_end += 1
        if language_end > i and language_end < len(source) and source[language_end] != "`":
            attrs["language"] = source[i:language_end]
            i = language_end
        if source.startswith(("\r\n", "\n\r"), i):
            i += 2
        elif source[i : i + 1] in ("\n", "\r"):
            i += 1
    elif char == "`":
        kind, i = "code", i + 1
    else:
        raise EntityParseError(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")
    stack.append(Open(kind, out.utf16, begin, attrs))
    return i


def _mdv2_close(source: str, i: int, stack: list[Open], entities: list[Entity], out: Output) -> int:
    opened = stack.pop()
    entity: Entity = {"type": opened.kind, "offset": opened.offset, "length": out.utf16 - opened.offset}
    if opened.kind in ("text_link", "custom_emoji"):
        url, i = _mdv2_url(source, i)
        if opened.kind == "custom_emoji":
            match = _EMOJI_URL.fullmatch(url or "")
            if match is None:
                raise EntityParseError("Custom emoji URL must have an emoji identifier")
            entity["custom_emoji_id"] = match.group(1)
        elif url:
            entity["url"] = url
        else:
            entity["length"] = 0
        return _keep(entity, entities, i + 1)
    if opened.kind == "pre" and "language" in opened.attrs:
        entity["language"] = opened.attrs["language"]
    width = {"pre": 3, "underline": 2, "spoiler": 2}.get(opened.kind, 1)
    return _keep(entity, entities, i + width)


def _keep(entity: Entity, entities: list[Entity], next_index: int) -> int:
    if entity["length"] > 0:
        entities.append(entity)
    return next_index


def _mdv2_url(source: str, i: int) -> tuple[str | None, int]:
    """The `(url)` right after a `]` at `i`; returns the index of its closing parenthesis."""
    if not source.startswith("(", i + 1):
        return None, i
    j = i + 2
    url: list[str] = []
    while j < len(source) and source[j] != ")":
        if source[j] == "\\" and j + 1 < len(source):
            url.append(source[j + 1])
            j += 2
        else:
            url.append(source[j])
            j += 1
    if j >= len(source):
        raise EntityParseError(f"Can't find end of a URL at byte offset {byte_offset(source, i + 1)}")
    return "".join(url), j


def parse_markdown(source: str) -> FormattedText:
    """Parse Telegram's legacy Markdown parse mode."""
    out = Output()
    entities: list[Entity] = []
    n = len(source)
    i = 0
    while i < n:
        char = source[i]
        if char == "\\" and i + 1 < n and source[i + 1] in "_*`[":
            out.add(source[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            out.add(char)
            i += 1
            continue
        begin = i
        entity: Entity = {"type": "", "offset": out.utf16, "length": 0}
        end_char = "]" if char == "[" else char
        is_pre = source.startswith("```", i)
        i += 3 if is_pre else 1
        if is_pre:
            language_end = source.find("\n", i)
            if language_end != -1 and source[i:language_end].strip() and "`" not in source[i:language_end]:
                entity["language"] = source[i:language_end].strip()
                i = language_end + 1
        entity["offset"] = out.utf16
        while i < n and not (source.startswith("```", i) if is_pre else source[i] == end_char):
            out.add(source[i])
            i += 1
        if i >= n:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {byte_offset(source, begin)}"
            )
        entity["length"] = out.utf16 - entity["offset"]
        entity["type"] = {"_": "italic", "*": "bold", "`": "pre" if is_pre else "code", "[": "text_link"}[
            char
        ]
        if char == "[":
            url, i = _markdown_url(source, i)
            if url:
                entity["url"] = url
            else:
                entity["length"] = 0
        i += 3 if is_pre else 1
        if entity["length"] > 0:
            entities.append(entity)
    return FormattedText(out.text(), sorted_entities(entities))


def _markdown_url(source: str, i: int) -> tuple[str | None, int]:
    if not source.startswith("(", i + 1):
        return None, i
    end = source.find(")", i + 2)
    if end == -1:
        return None, i
    return source[i + 2 : end], end
