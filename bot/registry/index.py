"""The place index: every partnership's names prepared once, so a question is scored in C over all of them.

A partnership is found by four names (its US member, its partner, the partner's region and country). The
index keeps each distinct normalised name once, with the partnerships that bear it, and, for the two
looser ways of matching, each long word of a name and each name's consonant skeleton. A question is
scored by rapidfuzz over those lists (in C, with a cut-off below which nothing can matter), once per way
of reading it; only the names that come close are then mapped back to partnerships in Python.

It answers exactly as scoring every partnership one by one would (the rules are in spelling.py): anything
that could be a match or a suggestion scores at least SUGGEST_SCORE, so everything below it is left out
without changing the answer. Ties are broken in registry order (US name, state, partner, country).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from rapidfuzz import fuzz, process

from bot.registry.spelling import (
    COUNTRY_WEIGHT,
    MATCH_SCORE,
    REGION_WEIGHT,
    SOUND_WEIGHT,
    SUGGEST_SCORE,
    WORD_WEIGHT,
    Variant,
    normalize,
    skeleton,
    split_pair,
    split_state,
    variants,
)

# Words shorter than this are not matched on their own ("new", "san").
_LONG_WORD = 4
# Floating-point room below the cut-offs, so a score exactly at SUGGEST_SCORE is never lost.
_ROOM = 1e-6


class Named(Protocol):
    """What the index needs of a partnership (a Partnership or just its names)."""

    @property
    def id(self) -> int: ...
    @property
    def us_name(self) -> str: ...
    @property
    def us_state(self) -> str: ...
    @property
    def partner_name(self) -> str: ...
    @property
    def partner_region(self) -> str: ...
    @property
    def partner_country(self) -> str: ...


T = TypeVar("T", bound=Named)
Scores = dict[int, float]  # partnership id -> score, only those at least SUGGEST_SCORE


@dataclass(frozen=True, slots=True)
class PlaceMatch(Generic[T]):
    """What a typed name matched: partnerships best first, or "did you mean" names when none did."""

    matches: list[T]
    suggestions: list[str]


def _weighted_names(item: Named) -> list[tuple[str, float]]:
    names = [
        (item.us_name, 1.0),
        (item.partner_name, 1.0),
        (item.partner_region, REGION_WEIGHT),
        (item.partner_country, COUNTRY_WEIGHT),
    ]
    return [(normalize(name), weight) for name, weight in names if name]


def _top(scores: Scores) -> float:
    return max(scores.values(), default=0.0)


def _cutoff(factor: float) -> float:
    """The lowest raw score that, multiplied by `factor`, can still reach SUGGEST_SCORE."""
    return SUGGEST_SCORE / factor - _ROOM


def _closest(query: str, choices: list[str], factor: float) -> Iterable[tuple[str, float]]:
    """(choice, raw ratio) for every choice that can reach SUGGEST_SCORE after `factor`, scored in C."""
    found = process.extract(query, choices, scorer=fuzz.ratio, score_cutoff=_cutoff(factor), limit=None)
    return [(choice, score) for choice, score, _ in found]


class _Question:
    """One question's similarity tables, each way of reading it scored once against every name."""

    __slots__ = ("tables",)

    def __init__(self) -> None:
        self.tables: dict[Variant, dict[str, float]] = {}


class PlaceIndex(Generic[T]):
    """Every partnership's names, ready to be matched against a typed place name."""

    def __init__(self, items: Iterable[T] = ()) -> None:
        self._items: dict[int, T] = {}
        self._names_of: dict[int, list[tuple[str, float]]] = {}
        self._bearers: dict[str, dict[int, float]] = {}  # normalised name -> partnership id -> weight
        self._words: dict[str, set[str]] = {}  # long word -> the names it is a word of
        self._sounds: dict[str, set[str]] = {}  # skeleton -> the names that sound so
        self._states: dict[str, set[int]] = {}
        self._choices: tuple[list[str], list[str], list[str]] | None = None
        self._ordered: list[T] | None = None
        self._sides: dict[str, tuple[int, str]] | None = None
        self.update(items)

    def __len__(self) -> int:
        return len(self._items)

    # Keeping it current

    def update(self, items: Iterable[T]) -> None:
        """Add these partnerships, or replace what the index knew of them."""
        for item in items:
            self._remove(item.id)
            self._add(item)

    def remove(self, ids: Iterable[int]) -> None:
        """Forget these partnerships."""
        for partnership_id in ids:
            self._remove(partnership_id)

    def _add(self, item: T) -> None:
        names = _weighted_names(item)
        self._items[item.id] = item
        self._names_of[item.id] = names
        self._states.setdefault(item.us_state, set()).add(item.id)
        for name, weight in names:
            bearers = self._bearers.get(name)
            if bearers is None:
                bearers = self._bearers[name] = {}
                self._learn(name)
            # A name borne twice (as partner and region) counts at its better weight, as max() would.
            bearers[item.id] = max(weight, bearers.get(item.id, 0.0))
        self._changed()

    def _remove(self, partnership_id: int) -> None:
        item = self._items.pop(partnership_id, None)
        if item is None:
            return
        state = self._states[item.us_state]
        state.discard(partnership_id)
        if not state:
            del self._states[item.us_state]
        for name, _weight in self._names_of.pop(partnership_id):
            bearers = self._bearers.get(name)
            if bearers is not None and bearers.pop(partnership_id, None) is not None and not bearers:
                del self._bearers[name]
                self._forget(name)
        self._changed()

    def _learn(self, name: str) -> None:
        for word in set(name.split()):
            if len(word) >= _LONG_WORD:
                self._words.setdefault(word, set()).add(name)
        self._sounds.setdefault(skeleton(name), set()).add(name)

    def _forget(self, name: str) -> None:
        for word in set(name.split()):
            if len(word) >= _LONG_WORD:
                self._words[word].discard(name)
                if not self._words[word]:
                    del self._words[word]
        sound = skeleton(name)
        self._sounds[sound].discard(name)
        if not self._sounds[sound]:
            del self._sounds[sound]

    def _changed(self) -> None:
        self._choices = None
        self._ordered = None
        self._sides = None

    # Reading it

    def first(self, count: int) -> list[T]:
        """The first partnerships in registry order (US name, state, partner, country)."""
        return self.ordered()[:count]

    def ordered(self) -> list[T]:
        """Every partnership in registry order."""
        if self._ordered is None:
            self._ordered = sorted(self._items.values(), key=_registry_order)
        return self._ordered

    def side_of(self, name: str) -> tuple[int, str] | None:
        """The first partnership (in registry order) with this US ("u") or partner ("p") name, and which."""
        if self._sides is None:
            sides: dict[str, tuple[int, str]] = {}
            for item in self.ordered():
                sides.setdefault(item.us_name, (item.id, "u"))
                sides.setdefault(item.partner_name, (item.id, "p"))
            self._sides = sides
        return self._sides.get(name)

    def match(self, query: str, *, limit: int = 8) -> PlaceMatch[T]:
        """The partnerships a typed name means, best first; suggestions when nothing is close enough."""
        query = " ".join(query.split())[:200]
        if not normalize(query):
            return PlaceMatch([], [])
        question = _Question()
        place, state = split_state(query)
        in_state = self._states.get(state) if state is not None else None
        scored = self._ranked_place(question, place, in_state) if in_state else {}
        if _top(scored) < MATCH_SCORE:
            # No such place in that state (or no state given): the whole registry, and "NC" may be part of
            # a name.
            by_place = self._ranked_place(question, place, None)
            by_query = by_place if query == place else self._ranked_place(question, query, None)
            scored = max(by_place, by_query, key=_top)
        top = _top(scored)
        if top >= MATCH_SCORE:
            # Everything about as good as the best: "Roanoke" means all four of Roanoke's partnerships.
            floor = max(MATCH_SCORE, top - 5)
            best = heapq.nsmallest(
                max(limit, 0), ((s, pid) for pid, s in scored.items() if s >= floor), key=self._rank
            )
            return PlaceMatch([self._items[pid] for _score, pid in best], [])
        return PlaceMatch([], self._suggestions(question, place, scored))

    def _suggestions(self, question: _Question, place: str, scored: Scores) -> list[str]:
        suggestions: list[str] = []
        # A suggestion must look like what was typed; sounding alike is too loose to offer a name unasked.
        plain = [Variant(variant.text, by_sound=False) for variant in variants(place)]
        for score, pid in sorted(((s, pid) for pid, s in scored.items()), key=self._rank):
            if score < SUGGEST_SCORE or len(suggestions) >= 3:
                break
            item = self._items[pid]
            for name in (item.us_name, item.partner_name):
                normal = normalize(name)
                close = max((self._table(question, v).get(normal, 0.0) for v in plain), default=0.0)
                if name not in suggestions and close >= SUGGEST_SCORE:
                    suggestions.append(name)
        return suggestions[:3]

    def _rank(self, scored: tuple[float, int]) -> tuple[float, str, str, str, str]:
        item = self._items[scored[1]]
        return (-scored[0], item.us_name, item.partner_name, item.us_state, item.partner_country)

    def _ranked_place(self, question: _Question, place: str, within: set[int] | None) -> Scores:
        scored = self._ranked(question, split_pair(place), within)
        if _top(scored) >= MATCH_SCORE:
            return scored
        # Not one name: perhaps a pair written without a dash ("Roanoke Pskov", "Roanoke-Pskov"),
        # but "Saint-Lô" is one name, which is why these come second.
        words = place.replace("-", " ").split()
        for cut in range(1, min(len(words), 6)):
            by_words = self._ranked(question, [" ".join(words[:cut]), " ".join(words[cut:])], within)
            if _top(by_words) > _top(scored):
                scored = by_words
        return scored

    def _ranked(self, question: _Question, sides: list[str], within: set[int] | None) -> Scores:
        """Partnerships with their score; a pair of names must match on both sides."""
        if len(sides) == 2:
            first = self._scores(question, variants(sides[0]), within)
            second = self._scores(question, variants(sides[1]), within)
            return {pid: min(score, second[pid]) for pid, score in first.items() if pid in second}
        return self._scores(question, variants(" ".join(sides)), within)

    def _scores(self, question: _Question, readings: list[Variant], within: set[int] | None) -> Scores:
        """Each partnership's best name for any reading of the query, times that name's weight."""
        best: Scores = {}
        for reading in readings:
            for name, similarity in self._table(question, reading).items():
                for pid, weight in self._bearers[name].items():
                    score = similarity * weight
                    if score < SUGGEST_SCORE or score <= best.get(pid, 0.0):
                        continue
                    if within is None or pid in within:
                        best[pid] = score
        return best

    def _table(self, question: _Question, reading: Variant) -> dict[str, float]:
        """How well this reading names each name that comes close: the whole name, by sound, or a word."""
        table = question.tables.get(reading)
        if table is not None:
            return table
        names, words, sounds = self._lists()
        text = reading.text
        table = dict(_closest(text, names, 1.0))
        if reading.by_sound and len(text) >= 4:
            # A Russian spelling of an English name transliterates back loosely; its consonants survive.
            for sound, ratio in _closest(skeleton(text), sounds, SOUND_WEIGHT):
                _raise(table, self._sounds[sound], ratio * SOUND_WEIGHT)
        if " " not in text:
            for word, ratio in _closest(text, words, WORD_WEIGHT):
                _raise(table, self._words[word], ratio * WORD_WEIGHT)
        question.tables[reading] = table
        return table

    def _lists(self) -> tuple[list[str], list[str], list[str]]:
        if self._choices is None:
            self._choices = (list(self._bearers), list(self._words), list(self._sounds))
        return self._choices


def _raise(table: dict[str, float], names: Iterable[str], score: float) -> None:
    for name in names:
        if score > table.get(name, -1.0):
            table[name] = score


def _registry_order(item: Named) -> tuple[str, str, str, str]:
    return (item.us_name, item.us_state, item.partner_name, item.partner_country)
