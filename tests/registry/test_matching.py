"""Place names are matched the way people type them: typos, accents, states, either side, Cyrillic."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.registry.import_export import import_registry_csv
from bot.registry.matching import extract_place, match_partnerships
from storage.db import Database
from storage.partnerships import PartnershipRepository
from storage.records import Partnership

SAMPLE = Path(__file__).parents[2] / "bot" / "data" / "partnerships-sample.csv"


@pytest.fixture
async def sample(tmp_path: Path) -> AsyncIterator[list[Partnership]]:
    db = await Database.open(tmp_path / "match.db")
    try:
        await import_registry_csv(db, SAMPLE.read_bytes(), recorded_by="tests")
        yield await PartnershipRepository(db).list_all()
    finally:
        await db.close()


ROANOKE = ["Roanoke – Kisumu", "Roanoke – Pskov", "Roanoke – Saint-Lô", "Roanoke – Wonju"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Roanoke", ROANOKE),
        ("roanoke", ROANOKE),
        ("Roanok", ROANOKE),
        ("Роанок", ROANOKE),
        ("Durham, NC", ["Durham – Kostroma", "Durham – Toyama"]),
        ("Durham NC", ["Durham – Kostroma", "Durham – Toyama"]),
        ("durahm", ["Durham – Kostroma", "Durham – Toyama"]),
        ("Pskov", ["Roanoke – Pskov"]),
        ("Псков", ["Roanoke – Pskov"]),
        ("Псковом", ["Roanoke – Pskov"]),
        ("Кострома", ["Durham – Kostroma"]),
        ("Костромой", ["Durham – Kostroma"]),
        ("Ставрополь", ["Iowa – Stavropol Krai"]),
        ("Saint-Lo", ["Roanoke – Saint-Lô"]),
        ("SAINT LÔ", ["Roanoke – Saint-Lô"]),
        ("Leningrad", ["Maryland – Leningrad Oblast"]),
        ("Roanoke – Pskov", ["Roanoke – Pskov"]),
        ("Roanoke-Pskov", ["Roanoke – Pskov"]),
        ("Roanoke and Pskov", ["Roanoke – Pskov"]),
        ("Atlantis", []),
        ("", []),
        ("'; DROP TABLE partnerships; --", []),
    ],
)
async def test_names_match_forgivingly(sample: list[Partnership], query: str, expected: list[str]) -> None:
    assert [p.title for p in match_partnerships(query, sample).matches] == expected


async def test_a_near_miss_gets_did_you_mean_suggestions(sample: list[Partnership]) -> None:
    result = match_partnerships("Dur", sample)
    assert result.matches == []
    assert result.suggestions == ["Durham"]


async def test_a_state_suffix_narrows_to_that_state(sample: list[Partnership]) -> None:
    assert match_partnerships("Roanoke, VA", sample).matches
    # No Roanoke in North Carolina: the state is ignored rather than hiding the only Roanoke.
    assert [p.title for p in match_partnerships("Roanoke, NC", sample).matches] == ROANOKE


@pytest.mark.parametrize(
    ("question", "place"),
    [
        ("status of Durham?", "Durham"),
        ("how is Roanoke doing", "Roanoke"),
        ("what's the status of Durham, NC?", "Durham, NC"),
        ("что с Псковом?", "Псковом"),
        ("когда был последний контакт с Псковом?", "Псковом"),
        ("как дела у Костромы?", "Костромы"),
        ("Durham", "Durham"),
        ("what is the status?", None),
        ("???", None),
    ],
)
def test_the_place_is_taken_out_of_a_question(question: str, place: str | None) -> None:
    assert extract_place(question) == place


async def test_questions_end_at_the_right_card(sample: list[Partnership]) -> None:
    for question, title in [
        ("что с Псковом?", "Roanoke – Pskov"),
        ("как дела у Костромы?", "Durham – Kostroma"),
    ]:
        place = extract_place(question)
        assert place is not None
        assert [p.title for p in match_partnerships(place, sample).matches] == [title]


# Found while wiring /status and free-text questions (handlers/status.py).
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Roanoke Pskov", ["Roanoke – Pskov"]),  # a pair without a dash
        ("Роанок Псков", ["Roanoke – Pskov"]),
        ("Roanoke, VA – Pskov", ["Roanoke – Pskov"]),  # a pair with a state
        ("any news from Pskov?", ["Roanoke – Pskov"]),  # "from" is kept as part of the place
        ("what's up with Wonju?", ["Roanoke – Wonju"]),  # "up"
        ("how are things in Toyama", ["Durham – Toyama"]),  # "things in"
        ("is Durham still active?", ["Durham – Kostroma", "Durham – Toyama"]),
        ("Дарем", ["Durham – Kostroma", "Durham – Toyama"]),  # the usual Russian spelling of Durham
    ],
)
async def test_questions_people_actually_type(
    sample: list[Partnership], question: str, expected: list[str]
) -> None:
    place = extract_place(question)
    assert place is not None
    assert [p.title for p in match_partnerships(place, sample).matches] == expected


async def test_a_name_nothing_like_any_place_gets_no_suggestion(sample: list[Partnership]) -> None:
    assert match_partnerships("Атлантида", sample).suggestions == []
    assert match_partnerships("Москва", sample).suggestions == []
