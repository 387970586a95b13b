"""Every message the bot can show exists in Russian, with the same placeholders."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import normalize_language, translator

ROOT = Path(__file__).parents[1]
KEYWORDS = {"gettext": None, "ngettext": (1, 2), "N_": None, "_": None}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def source_messages() -> dict[str, str]:
    """Every translatable string in the product code, with where it stands."""
    found: dict[str, str] = {}
    for package in ("bot", "handlers", "storage"):
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            for text in message if isinstance(message, tuple) else (message,):
                if text:
                    found.setdefault(text, f"{package}/{filename}:{lineno}")
    return found


def russian_catalog() -> dict[str, str | tuple[str, ...]]:
    with (ROOT / "bot" / "locale" / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="ru")
    found: dict[str, str | tuple[str, ...]] = {}
    for m in catalog:
        if m.id and not m.fuzzy:
            # A plural entry answers for both its English forms, as the extractor reports both.
            for text in m.id if isinstance(m.id, tuple) else (m.id,):
                found[text] = m.string
    return found


def test_the_extractor_finds_the_messages() -> None:
    assert "What this bot can do" in source_messages()


def test_every_message_has_a_russian_translation() -> None:
    catalog = russian_catalog()
    missing = [
        f"{where}: {text!r}"
        for text, where in source_messages().items()
        if not catalog.get(text) or (isinstance(catalog[text], tuple) and not all(catalog[text]))
    ]
    assert not missing, "messages without a Russian translation:\n" + "\n".join(missing)


def test_translations_keep_every_placeholder() -> None:
    problems = []
    for text, translation in russian_catalog().items():
        expected = sorted(PLACEHOLDER.findall(text))
        for form in translation if isinstance(translation, tuple) else (translation,):
            if form and sorted(set(PLACEHOLDER.findall(form))) != sorted(set(expected)):
                problems.append(f"{text!r} -> {form!r}")
    assert not problems, "translations that drop or add placeholders:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("code", "expected"), [("ru", "ru"), ("ru-RU", "ru"), ("en-GB", "en"), ("de", "en"), (None, "en")]
)
def test_telegram_language_codes_map_to_a_supported_language(code: str | None, expected: str) -> None:
    assert normalize_language(code) == expected


def test_dates_and_numbers_follow_the_readers_language() -> None:
    assert translator("en").date(date(2022, 3, 7)) == "Mar 7, 2022"
    assert translator("ru").date(date(2022, 3, 7)).startswith("7 мар")
    assert translator("en").number(20000) == "20,000"
    assert translator("ru").number(20000).replace("\xa0", " ") == "20 000"
    assert translator("ru").gettext("What I can do:") == "Что я умею:"


def test_languages_we_do_not_speak_fall_back_to_the_configured_default() -> None:
    assert translator("de", default="ru").language == "ru"
    assert translator("ru", default="en").language == "ru"
    assert translator(None, default="ru").language == "ru"
