"""The place matcher as it was before the index: every partnership scored one by one, in Python.

Kept only as the oracle the index is checked against (test_place_index.py): the index must accept and
reject exactly what this accepted and rejected. Copied unchanged but for this docstring and the question
words, which the oracle does not need.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from unidecode import unidecode

from storage.records import Partnership

# A name at least this similar (0-100) is taken as meant; below it, it is only offered as a suggestion.
MATCH_SCORE = 80.0
SUGGEST_SCORE = 65.0
# How much a match on a region or country counts against a match on the place itself.
REGION_WEIGHT = 0.9
COUNTRY_WEIGHT = 0.85
WORD_WEIGHT = 0.95
SOUND_WEIGHT = 0.9

_NON_WORD = re.compile(r"[^a-z0-9]+")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
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


@dataclass(frozen=True, slots=True)
class MatchResult:
    """What a typed name matched: partnerships best first, or "did you mean" names when none did."""

    matches: list[Partnership]
    suggestions: list[str]


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Lower-case ASCII words: accents dropped, Cyrillic transliterated, punctuation to spaces."""
    return _NON_WORD.sub(" ", unidecode(text).lower()).strip()


@dataclass(frozen=True, slots=True)
class _Variant:
    """One way of reading what was typed; Russian spellings are also compared by sound."""

    text: str
    by_sound: bool


def _variants(query: str) -> list[_Variant]:
    """The query and, for Russian words in another case, their stems: "Псковом" -> "Псков"."""
    cyrillic = bool(_CYRILLIC.search(query))
    texts = [normalize(query)]
    if cyrillic:
        stemmed = []
        for word in query.split():
            lower = word.lower()
            ending = next((e for e in _RUSSIAN_ENDINGS if lower.endswith(e) and len(lower) - len(e) >= 3), "")
            stemmed.append(word[: len(word) - len(ending)] if ending else word)
        texts.append(normalize(" ".join(stemmed)))
    return [_Variant(text, cyrillic) for text in dict.fromkeys(texts) if text]


def _skeleton(text: str) -> str:
    """Consonants only, doubled ones once: "durham" and "darem" (Дарем) both give "drm"."""
    consonants = re.sub(r"[aeiouyhw ]", "", text)
    return re.sub(r"(.)\1+", r"\1", consonants)


def _similarity(variant: _Variant, name: str) -> float:
    """How well a reading of the query names a normalized place: whole name, or one long word of it."""
    query = variant.text
    best = fuzz.ratio(query, name)
    if variant.by_sound and len(query) >= 4:
        # A Russian spelling of an English name transliterates back loosely; its consonants survive.
        best = max(best, fuzz.ratio(_skeleton(query), _skeleton(name)) * SOUND_WEIGHT)
    if " " not in query:
        for word in name.split():
            if len(word) >= 4:
                best = max(best, fuzz.ratio(query, word) * WORD_WEIGHT)
    return best


def _names(partnership: Partnership) -> list[tuple[str, float]]:
    names = [
        (partnership.us_name, 1.0),
        (partnership.partner_name, 1.0),
        (partnership.partner_region, REGION_WEIGHT),
        (partnership.partner_country, COUNTRY_WEIGHT),
    ]
    return [(normalize(name), weight) for name, weight in names if name]


def _split_state(query: str) -> tuple[str, str | None]:
    """ "Durham, NC" -> ("Durham", "NC"): a trailing two-letter word is a US state."""
    match = re.fullmatch(r"(.+?)[\s,]+([A-Za-z]{2})\.?", query.strip())
    if match and not _CYRILLIC.search(query):
        return match.group(1), match.group(2).upper()
    return query, None


def _split_pair(query: str) -> list[str]:
    """ "Roanoke – Pskov", "Roanoke, VA – Pskov", "Roanoke and Pskov" -> both sides, states dropped."""
    parts = re.split(r"\s*(?:[–—]|\s-\s|\band\b|\bи\b|/)\s*", query)
    sides = [p for p in parts if p.strip()]
    return [_split_state(side)[0] for side in sides] if len(sides) == 2 else sides


def _score(partnership: Partnership, variants: list[_Variant]) -> float:
    return max(
        (_similarity(variant, name) * weight for variant in variants for name, weight in _names(partnership)),
        default=0.0,
    )


Scored = list[tuple[float, Partnership]]


def _ranked(candidates: Sequence[Partnership], sides: list[str]) -> Scored:
    """Partnerships with their score, best first; a pair of names must match on both sides."""
    if len(sides) == 2:
        first, second = _variants(sides[0]), _variants(sides[1])
        scored = [(min(_score(p, first), _score(p, second)), p) for p in candidates]
    else:
        variants = _variants(" ".join(sides))
        scored = [(_score(p, variants), p) for p in candidates]
    scored.sort(key=lambda item: (-item[0], item[1].us_name, item[1].partner_name))
    return scored


def _top(scored: Scored) -> float:
    return scored[0][0] if scored else 0.0


def _ranked_place(candidates: Sequence[Partnership], place: str) -> Scored:
    scored = _ranked(candidates, _split_pair(place))
    if _top(scored) >= MATCH_SCORE:
        return scored
    # Not one name: perhaps a pair written without a dash ("Roanoke Pskov", "Roanoke-Pskov"),
    # but "Saint-Lô" is one name, which is why these come second.
    words = place.replace("-", " ").split()
    for cut in range(1, min(len(words), 6)):
        by_words = _ranked(candidates, [" ".join(words[:cut]), " ".join(words[cut:])])
        if _top(by_words) > _top(scored):
            scored = by_words
    return scored


def match_partnerships(query: str, partnerships: Sequence[Partnership], *, limit: int = 8) -> MatchResult:
    """The partnerships a typed name means, best first; suggestions when nothing is close enough."""
    query = " ".join(query.split())[:200]
    if not normalize(query):
        return MatchResult([], [])
    place, state = _split_state(query)
    in_state = [p for p in partnerships if p.us_state == state]
    scored = _ranked_place(in_state, place) if in_state else []
    if _top(scored) < MATCH_SCORE:
        # No such place in that state (or no state given): the whole registry, and "NC" may be part of a name.
        scored = max(_ranked_place(partnerships, place), _ranked_place(partnerships, query), key=_top)
    top = _top(scored)
    if top >= MATCH_SCORE:
        # Everything about as good as the best: "Roanoke" means all four of Roanoke's partnerships.
        matches = [p for score, p in scored if score >= max(MATCH_SCORE, top - 5)]
        return MatchResult(matches[:limit], [])
    suggestions: list[str] = []
    # A suggestion must look like what was typed; sounding alike is too loose to offer a name unasked.
    variants = [_Variant(variant.text, by_sound=False) for variant in _variants(place)]
    for score, partnership in scored:
        if score < SUGGEST_SCORE or len(suggestions) >= 3:
            break
        for name in (partnership.us_name, partnership.partner_name):
            close = max(_similarity(variant, normalize(name)) for variant in variants)
            if name not in suggestions and close >= SUGGEST_SCORE:
                suggestions.append(name)
    return MatchResult([], suggestions[:3])
