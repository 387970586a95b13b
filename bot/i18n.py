"""English and Russian: gettext catalogs (Babel .po files read at start-up) and locale-aware formatting."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from io import BytesIO

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES = ("en", "ru")
DEFAULT_LANGUAGE = "en"
DOMAIN = "messages"


def N_(message: str) -> str:  # the conventional name that extraction tools look for
    """Mark a string for translation where it is defined; translate it where it is shown."""
    return message


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    po = resources.files("bot").joinpath("locale", language, "LC_MESSAGES", f"{DOMAIN}.po")
    with po.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    # Compiling in memory keeps the .po file the only thing a translator edits; no build step to forget.
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@cache
def country_codes() -> dict[str, str]:
    """ISO codes of countries by their English name, lower-cased: "russia" -> "RU"."""
    return {name.casefold(): code for code, name in Locale("en").territories.items()}


def shorten(text: str, limit: int) -> str:
    """`text`, cut to at most `limit` characters with an ellipsis when it is longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def normalize_language(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The supported language closest to a Telegram language_code ("ru-RU" -> "ru", "de" -> default)."""
    if code:
        base = code.replace("_", "-").split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return default


@dataclass(frozen=True, slots=True)
class Translator:
    """Messages and formatting in one reader's language."""

    language: str

    def gettext(self, message: str) -> str:
        """The message in this language."""
        return _catalog(self.language).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or (language-appropriate) plural form for n."""
        return _catalog(self.language).ngettext(singular, plural, n)

    def date(self, value: date) -> str:
        """A date as this reader writes it: "Mar 7, 2022" / "7 мар. 2022 г."."""
        return format_date(value, format="medium", locale=self.language)

    def number(self, value: float) -> str:
        """A number with this reader's grouping: "20,000" / "20 000"."""
        return format_decimal(value, locale=self.language)


def translator(language: str | None, default: str = DEFAULT_LANGUAGE) -> Translator:
    """The translator for a language code, falling back to `default` for languages we do not speak."""
    return Translator(normalize_language(language, default))
