"""Forgiving place-name matching: typos, accents, state suffixes, either side of a pair, Cyrillic.

The rules for reading a name are in spelling.py and the scoring in index.py; the bot matches through the
PlaceIndex it keeps (bot/registry/places.py). match_partnerships() scores any list of partnerships the
same way, for callers that have one in hand.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.registry.index import PlaceIndex, PlaceMatch
from storage.records import Partnership

MatchResult = PlaceMatch[Partnership]

# Words of a question that are not the place asked about, in English and Russian.
_QUESTION_TEXT = """
    what whats is are was were the a an of about how hows doing going status state tell me please show
    give on for with our my last latest contact contacts partnership partnerships sister city cities when
    did we us news any update updates there s from up things in still active paused suspended terminated
    happening new hear heard
    что как какой какая каков какие дела у с со статус состояние там когда был была было последний
    последняя контакт контакты партнерство партнёрство партнерства побратим побратимы город городом
    с нашим наш наши расскажи покажи пожалуйста ли новости и в из про слышно нового ещё еще активно
    """
_QUESTION_WORDS = frozenset(_QUESTION_TEXT.split())


def match_partnerships(query: str, partnerships: Sequence[Partnership], *, limit: int = 8) -> MatchResult:
    """The partnerships (given in registry order) a typed name means, best first; else suggestions."""
    return PlaceIndex(partnerships).match(query, limit=limit)


def extract_place(question: str) -> str | None:
    """The place a free-text question asks about ("how is Roanoke doing?" -> "Roanoke"), if any."""
    words = re.findall(r"[\w'’-]+|,|[–—]", question)
    kept = [w for w in words if w.lower().replace("’", "'").removesuffix("'s") not in _QUESTION_WORDS]
    while kept and kept[0] in ",–—":
        kept.pop(0)
    while kept and kept[-1] in ",–—":
        kept.pop()
    if not kept:
        return None
    return " ".join(kept).replace(" ,", ",")
