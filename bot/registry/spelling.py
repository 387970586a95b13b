"""How a typed place name is read: accents dropped, Cyrillic transliterated, Russian endings, states."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from unidecode import unidecode

# A name at least this similar (0-100) is taken as meant; below it, it is only offered as a suggestion.
MATCH_SCORE = 80.0
SUGGEST_SCORE = 65.0
# How much a match on a region or country counts against a match on the place itself.
REGION_WEIGHT = 0.9
COUNTRY_WEIGHT = 0.85
WORD_WEIGHT = 0.95
SOUND_WEIGHT = 0.9

_NON_WORD = re.compile(r"[^a-z0-9]+")
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_NOT_CONSONANT = re.compile(r"[aeiouyhw ]")
_DOUBLED = re.compile(r"(.)\1+")
_STATE = re.compile(r"(.+?)[\s,]+([A-Za-z]{2})\.?")
_PAIR = re.compile(r"\s*(?:[–—]|\s-\s|\band\b|\bи\b|/)\s*")
# Russian case endings, longest first: "Псковом" -> "Псков", "Костромой" -> "Костром(а)".
_RUSSIAN_ENDINGS = (
    "ого",
    "ому",
    "ами",
    "ом",
    "ем",
    "ой",
    "ей",
    "ою",
    "ую",
    "ы",
    "у",
    "е",
    "а",
    "ю",
    "и",
    "я",
)


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Lower-case ASCII words: accents dropped, Cyrillic transliterated, punctuation to spaces."""
    return _NON_WORD.sub(" ", unidecode(text).lower()).strip()


@dataclass(frozen=True, slots=True)
class Variant:
    """One way of reading what was typed; Russian spellings are also compared by sound."""

    text: str
    by_sound: bool


def variants(query: str) -> list[Variant]:
    """The query and, for Russian words in another case, their stems: "Псковом" -> "Псков"."""
    cyrillic = bool(CYRILLIC.search(query))
    texts = [normalize(query)]
    if cyrillic:
        stemmed = []
        for word in query.split():
            lower = word.lower()
            ending = next((e for e in _RUSSIAN_ENDINGS if lower.endswith(e) and len(lower) - len(e) >= 3), "")
            stemmed.append(word[: len(word) - len(ending)] if ending else word)
        texts.append(normalize(" ".join(stemmed)))
    return [Variant(text, cyrillic) for text in dict.fromkeys(texts) if text]


def skeleton(text: str) -> str:
    """Consonants only, doubled ones once: "durham" and "darem" (Дарем) both give "drm"."""
    return _DOUBLED.sub(r"\1", _NOT_CONSONANT.sub("", text))


def split_state(query: str) -> tuple[str, str | None]:
    """ "Durham, NC" -> ("Durham", "NC"): a trailing two-letter word is a US state."""
    match = _STATE.fullmatch(query.strip())
    if match and not CYRILLIC.search(query):
        return match.group(1), match.group(2).upper()
    return query, None


def split_pair(query: str) -> list[str]:
    """ "Roanoke – Pskov", "Roanoke, VA – Pskov", "Roanoke and Pskov" -> both sides, states dropped."""
    parts = _PAIR.split(query)
    sides = [p for p in parts if p.strip()]
    return [split_state(side)[0] for side in sides] if len(sides) == 2 else sides
