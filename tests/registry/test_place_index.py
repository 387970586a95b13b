"""The place index answers as the one-by-one matcher it replaced did, and stays so as the registry changes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.registry.index import PlaceIndex
from storage.records import PartnershipNames
from tests.registry import reference_matching

# (US name, state, partner, region, country): the sample registry, and names that share words, sounds,
# sides and states with it and with each other.
ROWS = [
    ("Roanoke", "VA", "Pskov", "Pskov Oblast", "Russia"),
    ("Roanoke", "VA", "Wonju", "Gangwon", "South Korea"),
    ("Roanoke", "VA", "Kisumu", "Kisumu County", "Kenya"),
    ("Roanoke", "VA", "Saint-Lô", "Manche", "France"),
    ("Durham", "NC", "Kostroma", "Kostroma Oblast", "Russia"),
    ("Durham", "NC", "Toyama", "Toyama Prefecture", "Japan"),
    ("Maryland", "MD", "Leningrad Oblast", "", "Russia"),
    ("Iowa", "IA", "Stavropol Krai", "", "Russia"),
    ("Durham", "NH", "Pskov", "Pskov Oblast", "Russia"),
    ("Springfield", "IL", "Kharkiv", "Kharkiv Oblast", "Ukraine"),
    ("Springfield", "MO", "Tver", "Tver Oblast", "Russia"),
    ("Springfield", "MA", "Kharkiv", "", "Ukraine"),
    ("Portland", "OR", "Sapporo", "Hokkaido", "Japan"),
    ("Portland", "ME", "Архангельск", "Arkhangelsk Oblast", "Russia"),
    ("Saint Paul", "MN", "Novosibirsk", "Novosibirsk Oblast", "Russia"),
    ("Tver", "TX", "Tver", "Tver Oblast", "Russia"),
    ("Dover", "DE", "Dover", "Kent", "United Kingdom"),
    ("Lake Oswego", "OR", "Yoshikawa", "Saitama Prefecture", "Japan"),
    ("New Haven", "CT", "León", "Guanajuato", "Mexico"),
    ("Aa", "AK", "Ee", "", "Finland"),
    ("Nizhny Novgorod", "OH", "Нижний Новгород", "Nizhny Novgorod Oblast", "Russia"),
    ("Kostroma", "ME", "Durham", "County Durham", "United Kingdom"),
]


def names(rows: list[tuple[str, str, str, str, str]], first_id: int = 1) -> list[PartnershipNames]:
    """Records for these rows in registry order, as the repository lists them."""
    records = [PartnershipNames(first_id + i, *row) for i, row in enumerate(rows)]
    return sorted(records, key=lambda p: (p.us_name, p.us_state, p.partner_name, p.partner_country))


REGISTRY = names(ROWS)
WORDS = sorted(
    {
        word
        for p in REGISTRY
        for name in (p.us_name, p.partner_name, p.partner_region)
        for word in name.split()
    }
)
RUSSIAN = ["Псков", "Псковом", "Кострома", "Костромой", "Дарем", "Роанок", "Тверь", "Харьков", "Портленд"]


def answer(index: PlaceIndex[PartnershipNames], query: str) -> tuple[list[int], list[str]]:
    found = index.match(query, limit=24)
    return [p.id for p in found.matches], found.suggestions


def expected(registry: list[PartnershipNames], query: str) -> tuple[list[int], list[str]]:
    found = reference_matching.match_partnerships(query, registry, limit=24)
    return [p.id for p in found.matches], found.suggestions


@st.composite
def typed(draw: st.DrawFn) -> str:
    """Something a person might type for a place: a name or two, misspelt, in either script, with a state."""
    word = st.sampled_from(WORDS + RUSSIAN)
    text = " ".join(draw(st.lists(word, min_size=1, max_size=3)))
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["drop", "add", "swap", "cut"]))
        if kind == "drop":
            text = text[:at] + text[at + 1 :]
        elif kind == "add":
            text = text[:at] + draw(st.sampled_from("aeiorsnkвоа-, ")) + text[at:]
        elif kind == "swap":
            text = text[:at] + text[at : at + 2][::-1] + text[at + 2 :]
        else:
            text = text[: max(at, 2)]
    joiner = draw(st.sampled_from(["", "", " – ", " and ", " - ", ", NC", " VA", ", ZZ", "ом", "ой"]))
    if joiner in (" – ", " and ", " - "):
        text += joiner + draw(word)
    else:
        text += joiner
    return text


@settings(max_examples=400, deadline=None)
@given(typed())
def test_the_index_accepts_and_rejects_what_the_one_by_one_matcher_did(query: str) -> None:
    assert answer(PlaceIndex(REGISTRY), query) == expected(REGISTRY, query)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_any_text_gets_the_same_answer_as_before(query: str) -> None:
    assert answer(PlaceIndex(REGISTRY), query) == expected(REGISTRY, query)


QUERIES = [
    "Durham",
    "Дарем",
    "Pskov",
    "Псковом",
    "Springfield",
    "Springfield, MO",
    "Tver",
    "Oblast",
    "Russia",
    "Dur",
    "Roanoke Pskov",
    "Archangelsk",
    "Nizhny",
    "Saint",
    "Portland – Sapporo",
]


def test_an_index_kept_current_answers_as_one_built_afresh() -> None:
    index = PlaceIndex(REGISTRY)
    [kostroma] = [p for p in REGISTRY if p.partner_name == "Kostroma"]
    renamed = PartnershipNames(kostroma.id, "Durham", "NC", "Kostroma City", "Kostroma Oblast", "Russia")
    added = names([("Asheville", "NC", "Vladimir", "Vladimir Oblast", "Russia")], first_id=100)
    removed = [p.id for p in REGISTRY if p.us_name == "Springfield"]
    index.update([renamed, *added])
    index.remove(removed)

    now = [p for p in REGISTRY if p.id != kostroma.id and p.id not in removed] + [renamed, *added]
    now.sort(key=lambda p: (p.us_name, p.us_state, p.partner_name, p.partner_country))
    fresh = PlaceIndex(now)
    for query in [*QUERIES, "Kostroma City", "Asheville", "Vladimir", "Владимир"]:
        assert answer(index, query) == answer(fresh, query) == expected(now, query), query
    assert index.first(5) == fresh.first(5) == now[:5]
    assert answer(index, "Springfield") == ([], [])
    assert [p.partner_name for p in index.match("Asheville").matches] == ["Vladimir"]


def test_a_suggestion_names_the_first_partnership_with_that_name_and_its_side() -> None:
    index = PlaceIndex(REGISTRY)
    [first_tver] = [p for p in REGISTRY if p.us_name == "Springfield" and p.partner_name == "Tver"]
    [tver_tx] = [p for p in REGISTRY if p.us_name == "Tver"]
    # Springfield, MO – Tver comes before Tver, TX – Tver in registry order, and names Tver as its partner.
    assert index.side_of("Tver") == (first_tver.id, "p")
    index.remove([first_tver.id])
    assert index.side_of("Tver") == (tver_tx.id, "u")
    assert index.side_of("Atlantis") is None
