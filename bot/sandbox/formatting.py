"""Telegram's text formatting: parse_mode parsing into plain text plus UTF-16 entities.

The parsers follow tdlib's (MessageEntity.cpp) rules and error sentences closely enough that a bot which
formats badly for Telegram fails the same way in the sandbox.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

Entity = dict[str, Any]

_HTML_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
        "tg-emoji", "tg-time", "code", "pre", "blockquote",
    }
)  # fmt: skip
_HTML_ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "span": "spoiler",
    "tg-spoiler": "spoiler", "code": "code", "pre": "pre",
}  # fmt: skip
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MDV2_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline", "strikethrough": "Strikethrough",
    "spoiler": "Spoiler", "code": "Code", "pre": "Pre", "text_link": "TextUrl", "custom_emoji": "CustomEmoji",
}  # fmt: skip
_COMMAND = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_EMOJI_URL = re.compile(r"tg://emoji\?id=(\d+)")


class EntityParseError(Exception):
    """The text does not parse in its parse_mode; Telegram answers "can't parse entities: ..."."""


@dataclass(slots=True)
class FormattedText:
    """Plain text as a user reads it, with its entities."""

    text: str
    entities: list[Entity] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


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


class _Output:
    """Accumulates plain text while tracking its UTF-16 length."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.utf16 = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.utf16 += utf16_len(text)

    def last_char(self) -> str:
        return self.parts[-1][-1] if self.parts and self.parts[-1] else ""

    def text(self) -> str:
        return "".join(self.parts)


@dataclass(slots=True)
class _Open:
    """An entity whose end has not been seen yet."""

    kind: str
    offset: int
    source_index: int
    attrs: dict[str, str] = field(default_factory=dict)


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _sorted(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _decode_html_entity(source: str, index: int) -> tuple[str, int] | None:
    """The character an `&...;` at `index` stands for and how many source characters it takes."""
    end = source.find(";", index + 1, index + 12)
    if end == -1:
        return None
    body = source[index + 1 : end]
    if body.startswith("#"):
        digits, base = (body[2:], 16) if body[1:2] in ("x", "X") else (body[1:], 10)
        try:
            code = int(digits, base)
        except ValueError:
            return None
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code), end - index + 1
    if body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body], end - index + 1
    return None


def parse_html(source: str) -> FormattedText:
    """Parse Telegram's HTML parse mode."""
    out = _Output()
    stack: list[_Open] = []
    entities: list[Entity] = []
    n = len(source)
    i = 0
    while i < n:
        char = source[i]
        if char == "&":
            decoded = _decode_html_entity(source, i)
            if decoded is None:
                out.add("&")
                i += 1
            else:
                out.add(decoded[0])
                i += decoded[1]
            continue
        if char != "<":
            j = i + 1
            while j < n and source[j] not in "<&":
                j += 1
            out.add(source[i:j])
            i = j
            continue
        if i + 1 < n and source[i + 1] == "/":
            i = _html_end_tag(source, i, stack, entities, out)
        else:
            i = _html_start_tag(source, i, stack, out)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].kind}"')
    for entity in entities:
        # A language only survives on a <code> merged into its <pre>.
        if entity["type"] == "code":
            entity.pop("language", None)
    return FormattedText(out.text(), _sorted(entities))


def _html_start_tag(source: str, begin: int, stack: list[_Open], out: _Output) -> int:
    n = len(source)
    i = begin + 1
    while i < n and not source[i].isspace() and source[i] != ">":
        i += 1
    if i >= n:
        raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
    tag = source[begin + 1 : i].lower()
    if tag not in _HTML_TAGS:
        raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {_byte_offset(source, begin)}')
    attrs: dict[str, str] = {}
    unclosed = EntityParseError(f'Unclosed start tag "{tag}" at byte offset {_byte_offset(source, begin)}')
    while True:
        while i < n and source[i].isspace():
            i += 1
        if i >= n:
            raise unclosed
        if source[i] == ">":
            break
        name_begin = i
        while i < n and not source[i].isspace() and source[i] not in "=>":
            i += 1
        name = source[name_begin:i].lower()
        if not name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(source, begin)}'
            )
        while i < n and source[i].isspace():
            i += 1
        if i >= n:
            raise unclosed
        if source[i] != "=":
            if tag == "blockquote" and name == "expandable":
                attrs[name] = ""
                continue
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {_byte_offset(source, begin)}"
            )
        i += 1
        while i < n and source[i].isspace():
            i += 1
        if i >= n:
            raise unclosed
        value, i = _html_attribute_value(source, i)
        attrs[name] = value
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        raise EntityParseError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(source, begin)}'
        )
    stack.append(_Open(tag, out.utf16, begin, attrs))
    return i + 1


def _html_attribute_value(source: str, i: int) -> tuple[str, int]:
    n = len(source)
    quote = source[i]
    if quote not in "'\"":
        token_begin = i
        while i < n and (source[i].isalnum() or source[i] in ".-"):
            i += 1
        if i >= n or not (source[i].isspace() or source[i] == ">"):
            raise EntityParseError(
                f"Unexpected end of name token at byte offset {_byte_offset(source, token_begin)}"
            )
        return source[token_begin:i].lower(), i
    i += 1
    value: list[str] = []
    while i < n and source[i] != quote:
        decoded = _decode_html_entity(source, i) if source[i] == "&" else None
        if decoded is None:
            value.append(source[i])
            i += 1
        else:
            value.append(decoded[0])
            i += decoded[1]
    if i >= n:
        raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(source, i)}")
    return "".join(value), i + 1


def _html_end_tag(source: str, begin: int, stack: list[_Open], entities: list[Entity], out: _Output) -> int:
    n = len(source)
    if not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(source, begin)}")
    i = begin + 2
    while i < n and not source[i].isspace() and source[i] != ">":
        i += 1
    name = source[begin + 2 : i].lower()
    while i < n and source[i].isspace():
        i += 1
    if i >= n or source[i] != ">":
        raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(source, begin)}")
    opened = stack.pop()
    if name and name != opened.kind:
        raise EntityParseError(
            f"Unmatched end tag at byte offset {_byte_offset(source, begin)}, "
            f'expected "</{opened.kind}>", found "</{name}>"'
        )
    length = out.utf16 - opened.offset
    if length > 0:
        entity = _html_entity(opened, length, entities)
        if entity is not None:
            entities.append(entity)
    return i + 1


def _html_entity(opened: _Open, length: int, entities: list[Entity]) -> Entity | None:
    entity: Entity = {"type": "", "offset": opened.offset, "length": length}
    tag, attrs = opened.kind, opened.attrs
    if tag in _HTML_ENTITY_TYPES:
        entity["type"] = _HTML_ENTITY_TYPES[tag]
    elif tag == "a":
        href = attrs.get("href", "")
        if not href:
            return None
        entity.update(type="text_link", url=href)
    elif tag == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in attrs else "blockquote"
    elif tag == "tg-emoji":
        emoji_id = attrs.get("emoji-id", "")
        if not emoji_id.isdigit():
            raise EntityParseError("Invalid custom emoji identifier specified")
        entity.update(type="custom_emoji", custom_emoji_id=emoji_id)
    elif tag == "tg-time":
        unix = attrs.get("unix", "")
        if not unix.isdigit():
            raise EntityParseError("Invalid Unix time specified")
        entity.update(type="date_time", unix_time=int(unix))
        if attrs.get("format"):
            entity["date_time_format"] = attrs["format"]
    if tag == "code":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            entity["language"] = language.removeprefix("language-")
    if tag == "pre" and entities:
        inner = entities[-1]
        # <pre><code class="language-x"> is one pre entity with a language, as Telegram merges them.
        if inner["type"] == "code" and inner["offset"] == opened.offset and inner["length"] == length:
            entities.pop()
            if "language" in inner:
                entity["language"] = inner["language"]
    return entity


def parse_markdown_v2(source: str) -> FormattedText:
    """Parse Telegram's MarkdownV2 parse mode."""
    out = _Output()
    stack: list[_Open] = []
    entities: list[Entity] = []
    quote: _Open | None = None
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
            f"at byte offset {_byte_offset(source, opened.source_index)}"
        )
    if quote is not None:
        _close_quote(quote, out, entities)
    return FormattedText(out.text(), _sorted(entities))


def _mdv2_quote_line(
    source: str, i: int, quote: _Open | None, out: _Output, entities: list[Entity]
) -> tuple[_Open | None, int, bool]:
    """Start, continue or end a `>` block quotation at a line start."""
    if source.startswith("**>", i) and quote is None:
        return _Open("blockquote", out.utf16, i, {"expandable": ""}), i + 3, True
    if source.startswith(">", i):
        if quote is None:
            quote = _Open("blockquote", out.utf16, i)
        return quote, i + 1, True
    if quote is not None:
        _close_quote(quote, out, entities)
    return None, i, False


def _close_quote(quote: _Open, out: _Output, entities: list[Entity]) -> None:
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


def _mdv2_open(source: str, i: int, stack: list[_Open], out: _Output) -> int:
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
    stack.append(_Open(kind, out.utf16, begin, attrs))
    return i


def _mdv2_close(source: str, i: int, stack: list[_Open], entities: list[Entity], out: _Output) -> int:
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
        raise EntityParseError(f"Can't find end of a URL at byte offset {_byte_offset(source, i + 1)}")
    return "".join(url), j


def parse_markdown(source: str) -> FormattedText:
    """Parse Telegram's legacy Markdown parse mode."""
    out = _Output()
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
                f"Can't find end of the entity starting at byte offset {_byte_offset(source, begin)}"
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
    return FormattedText(out.text(), _sorted(entities))


def _markdown_url(source: str, i: int) -> tuple[str | None, int]:
    if not source.startswith("(", i + 1):
        return None, i
    end = source.find(")", i + 2)
    if end == -1:
        return None, i
    return source[i + 2 : end], end


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
