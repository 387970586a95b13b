"""Telegram's parse modes: plain text, UTF-16 entities and the exact error sentences."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.helpers import escape_markdown

from bot.sandbox.formatting import (
    EntityParseError,
    command_entities,
    format_text,
    parse_html,
    parse_markdown,
    parse_markdown_v2,
    utf16_len,
)

_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=60)


@given(_TEXT)
def test_escaped_html_reads_back_as_the_original_text(text: str) -> None:
    parsed = parse_html(html.escape(text))
    assert parsed.text == text
    assert parsed.entities == []


@given(_TEXT)
def test_markdown_v2_escaped_by_ptb_reads_back_as_the_original_text(text: str) -> None:
    parsed = parse_markdown_v2(escape_markdown(text, version=2))
    assert parsed.text == text
    assert parsed.entities == []


@given(_TEXT, _TEXT)
def test_bold_html_entity_covers_exactly_the_bold_part(before: str, bold: str) -> None:
    parsed = parse_html(f"{html.escape(before)}<b>{html.escape(bold)}</b>")
    expected = [{"type": "bold", "offset": utf16_len(before), "length": utf16_len(bold)}] if bold else []
    assert parsed.entities == expected


def test_every_html_tag_telegram_supports() -> None:
    parsed = parse_html(
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike>"
        '<del>d</del><span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler><code>c</code>'
        '<pre><code class="language-python">x</code></pre><blockquote>q</blockquote>'
        '<blockquote expandable>e</blockquote><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
        '<a href="tg://user?id=1">m</a>&#128512;&#x1F600;&quot;&unknown;'
    )
    assert [e["type"] for e in parsed.entities] == [
        "bold", "bold", "italic", "italic", "underline", "underline", "strikethrough", "strikethrough",
        "strikethrough", "spoiler", "spoiler", "code", "pre", "blockquote", "expandable_blockquote",
        "custom_emoji", "text_link",
    ]  # fmt: skip
    assert [e.get("language") for e in parsed.entities if e["type"] == "pre"] == ["python"]
    assert parsed.text.endswith('m😀😀"&unknown;')


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<script>alert(1)</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("Привет <br>", 'Unsupported start tag "br" at byte offset 13'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<a href=x", "Unexpected end of name token at byte offset 8"),
        ("ok <b", "Unclosed start tag at byte offset 3"),
    ],
)
def test_html_errors_read_like_telegrams(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(source)
    assert str(caught.value) == error


def test_markdown_v2_entities() -> None:
    parsed = parse_markdown_v2(
        "*b* _i_ __u__ ~s~ ||p|| [l](https://e.org/a\\)b) `c\\`` ```py\nx = 1\n``` ![👍](tg://emoji?id=5)"
    )
    assert parsed.text == "b i u s p l c` x = 1\n 👍"
    kinds = [(e["type"], e["offset"], e["length"]) for e in parsed.entities]
    assert kinds == [
        ("bold", 0, 1), ("italic", 2, 1), ("underline", 4, 1), ("strikethrough", 6, 1), ("spoiler", 8, 1),
        ("text_link", 10, 1), ("code", 12, 2), ("pre", 15, 6), ("custom_emoji", 22, 2),
    ]  # fmt: skip
    assert parsed.entities[5]["url"] == "https://e.org/a)b"
    assert parsed.entities[7]["language"] == "py"


def test_markdown_v2_block_quotes() -> None:
    parsed = parse_markdown_v2(">first\n>second\nafter\n**>hidden\n>more||")
    assert parsed.text == "first\nsecond\nafter\nhidden\nmore"
    assert [(e["type"], e["offset"], e["length"]) for e in parsed.entities] == [
        ("blockquote", 0, 12),
        ("expandable_blockquote", 19, 11),
    ]


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("Visit on 1.5.", "Character '.' is reserved and must be escaped with the preceding '\\'"),
        ("sister-city", "Character '-' is reserved and must be escaped with the preceding '\\'"),
        ("*bold", "Can't find end of Bold entity at byte offset 0"),
        ("ok _it", "Can't find end of Italic entity at byte offset 3"),
    ],
)
def test_markdown_v2_errors_read_like_telegrams(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_markdown_v2(source)
    assert str(caught.value) == error


def test_legacy_markdown() -> None:
    parsed = parse_markdown("*bold* _it_ `code` [link](https://e.org) snake\\_case")
    assert parsed.text == "bold it code link snake_case"
    assert [e["type"] for e in parsed.entities] == ["bold", "italic", "code", "text_link"]
    with pytest.raises(EntityParseError, match="Can't find end of the entity starting at byte offset 0"):
        parse_markdown("*unclosed")


def test_outer_whitespace_is_trimmed_with_entities() -> None:
    formatted = format_text("\n  <b> Roanoke </b>\n", "HTML")
    assert formatted.text == "Roanoke"
    assert formatted.entities == [{"type": "bold", "offset": 0, "length": 7}]


def test_command_entities_for_user_text() -> None:
    assert command_entities("/status@sister_cities_bot Roanoke /help x/no") == [
        {"type": "bot_command", "offset": 0, "length": 25},
        {"type": "bot_command", "offset": 34, "length": 5},
    ]
    assert command_entities("👋 /start") == [{"type": "bot_command", "offset": 3, "length": 6}]
