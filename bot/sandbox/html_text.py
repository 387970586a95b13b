"""Telegram's HTML parse mode, following tdlib's (MessageEntity.cpp) rules and error sentences."""

from __future__ import annotations

from bot.sandbox.entities import (
    Entity,
    EntityParseError,
    FormattedText,
    Open,
    Output,
    byte_offset,
    sorted_entities,
)

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
    out = Output()
    stack: list[Open] = []
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
    return FormattedText(out.text(), sorted_entities(entities))


def _html_start_tag(source: str, begin: int, stack: list[Open], out: Output) -> int:
    n = len(source)
    i = begin + 1
    while i < n and not source[i].isspace() and source[i] != ">":
        i += 1
    if i >= n:
        raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(source, begin)}")
    tag = source[begin + 1 : i].lower()
    if tag not in _HTML_TAGS:
        raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {byte_offset(source, begin)}')
    attrs: dict[str, str] = {}
    unclosed = EntityParseError(f'Unclosed start tag "{tag}" at byte offset {byte_offset(source, begin)}')
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
                f'Empty attribute name in the tag "{tag}" at byte offset {byte_offset(source, begin)}'
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
                f"at byte offset {byte_offset(source, begin)}"
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
            f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(source, begin)}'
        )
    stack.append(Open(tag, out.utf16, begin, attrs))
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
                f"Unexpected end of name token at byte offset {byte_offset(source, token_begin)}"
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
        raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(source, i)}")
    return "".join(value), i + 1


def _html_end_tag(source: str, begin: int, stack: list[Open], entities: list[Entity], out: Output) -> int:
    n = len(source)
    if not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(source, begin)}")
    i = begin + 2
    while i < n and not source[i].isspace() and source[i] != ">":
        i += 1
    name = source[begin + 2 : i].lower()
    while i < n and source[i].isspace():
        i += 1
    if i >= n or source[i] != ">":
        raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(source, begin)}")
    opened = stack.pop()
    if name and name != opened.kind:
        raise EntityParseError(
            f"Unmatched end tag at byte offset {byte_offset(source, begin)}, "
            f'expected "</{opened.kind}>", found "</{name}>"'
        )
    length = out.utf16 - opened.offset
    if length > 0:
        entity = _html_entity(opened, length, entities)
        if entity is not None:
            entities.append(entity)
    return i + 1


def _html_entity(opened: Open, length: int, entities: list[Entity]) -> Entity | None:
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
