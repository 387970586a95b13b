"""CSV import and export of the partnership registry, on real SQLite files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.registry.import_export import (
    COLUMNS,
    HEADER_LINE,
    ImportReport,
    RowError,
    export_registry_csv,
    format_registry_csv,
    import_registry_csv,
    pair_key,
    parse_registry_csv,
)
from storage.db import Database
from storage.partnerships import PartnershipRepository
from storage.records import PartnerKind, Partnership, Status, UsKind

SAMPLE = Path(__file__).parents[2] / "bot" / "data" / "partnerships-sample.csv"
SHARED_SAMPLE = Path(__file__).parents[3] / "shared" / "data" / "partnerships-sample.csv"
PSKOV_ROW = (
    "Roanoke,VA,city,Pskov,Pskov Oblast,Russia,city,,active,2022-03-07,"
    '"City council voted to keep all its partnerships, Pskov included, '
    'after the governor asked it to end the tie",30'
)
HistoryEntry = tuple[Status | None, Status, date | None, str]
GOOD_ROW = "Durham,NC,city,Toyama,Toyama Prefecture,Japan,city,,active,,,60"


def csv_file(*rows: str, header: str = HEADER_LINE) -> bytes:
    """A registry file: the header, then these rows, one a line."""
    return "".join(f"{line}\n" for line in (header, *rows)).encode("utf-8")


def registry(partnerships: list[Partnership]) -> list[tuple[object, ...]]:
    """What an operator sees of the registry: everything but ids and timestamps."""
    return [(p.fields(), p.status_since, p.status_note) for p in partnerships]


async def snapshot(db: Database) -> tuple[bytes, list[list[HistoryEntry]]]:
    """The export and every partnership's full history, to show that a rejected import changed nothing."""
    repo = PartnershipRepository(db)
    histories = [
        [(c.old_status, c.new_status, c.effective_date, c.reason) for c in await repo.history(p.id)]
        for p in await repo.list_all()
    ]
    return await export_registry_csv(db), histories


@pytest.fixture
async def other_db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "other.db")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def repo(db: Database) -> PartnershipRepository:
    return PartnershipRepository(db)


@pytest.fixture
def sample() -> bytes:
    return SAMPLE.read_bytes()


@pytest.fixture
async def sample_db(db: Database, sample: bytes) -> Database:
    """The database with the sample registry imported."""
    report = await import_registry_csv(db, sample, recorded_by="test", source="partnerships-sample.csv")
    assert report.ok, report.errors
    return db


async def rejected(db: Database, data: bytes) -> list[RowError]:
    """Import a bad file; check that it was refused as a whole and return what it reported."""
    before = await snapshot(db)
    report = await import_registry_csv(db, data, recorded_by="test", source="bad.csv")
    assert not report.ok
    assert (report.added, report.updated, report.status_changed, report.unchanged) == (0, 0, 0, 0)
    assert not report.changed
    assert await snapshot(db) == before
    assert [e.line for e in report.errors] == sorted(e.line for e in report.errors)
    return list(report.errors)


# --- the sample file ---


def test_the_packaged_sample_is_the_shared_one() -> None:
    if not SHARED_SAMPLE.exists():
        pytest.skip("no ../shared/data next to this checkout")
    assert SAMPLE.read_bytes() == SHARED_SAMPLE.read_bytes()


async def test_sample_imports_eight_partnerships_with_statuses_and_history(
    db: Database, repo: PartnershipRepository, sample: bytes
) -> None:
    report = await import_registry_csv(db, sample, recorded_by="staff:1", source="partnerships-sample.csv")

    assert report == ImportReport(added=8, updated=0, status_changed=0, unchanged=0, errors=())
    assert report.ok
    assert report.changed
    assert report.summary() == "8 partnership(s): 8 added, 0 status changed, 0 updated, 0 unchanged"
    partnerships = await repo.list_all()
    assert len(partnerships) == 8
    assert {p.title: p.status for p in partnerships if p.status != Status.ACTIVE} == {
        "Iowa – Stavropol Krai": Status.TERMINATED,
        "Maryland – Leningrad Oblast": Status.TERMINATED,
    }

    maryland = await repo.find_pair("Maryland", "MD", "Leningrad Oblast", "Russia")
    assert maryland is not None
    assert (maryland.us_kind, maryland.partner_kind, maryland.partner_region) == (
        UsKind.STATE,
        PartnerKind.REGION,
        "",
    )
    assert maryland.status_since == date(2022, 3, 1)
    assert maryland.status_note.startswith("Terminated unilaterally by the Governor of Maryland")
    assert maryland.checkin_days is None
    [entry] = await repo.history(maryland.id)
    assert (entry.old_status, entry.new_status, entry.effective_date) == (
        None,
        Status.TERMINATED,
        date(2022, 3, 1),
    )
    assert entry.reason == maryland.status_note
    assert (entry.source, entry.recorded_by) == ("partnerships-sample.csv", "staff:1")

    pskov = await repo.find_pair("Roanoke", "VA", "Pskov", "Russia")
    assert pskov is not None
    assert (pskov.status, pskov.status_since, pskov.checkin_days) == (Status.ACTIVE, date(2022, 3, 7), 30)
    assert pskov.status_note.endswith("after the governor asked it to end the tie")
    saint_lo = await repo.find_pair("Roanoke", "VA", "Saint-Lô", "France")
    assert saint_lo is not None
    assert (saint_lo.status_since, saint_lo.status_note, saint_lo.checkin_days) == (None, "", 60)


async def test_importing_the_same_file_again_changes_nothing(
    sample_db: Database, repo: PartnershipRepository, sample: bytes
) -> None:
    before = await snapshot(sample_db)

    report = await import_registry_csv(
        sample_db, sample, recorded_by="staff:1", source="partnerships-sample.csv"
    )

    assert report == ImportReport(added=0, updated=0, status_changed=0, unchanged=8, errors=())
    assert not report.changed
    assert await snapshot(sample_db) == before
    assert [len(await repo.history(p.id)) for p in await repo.list_all()] == [1] * 8


async def test_export_then_import_into_an_empty_database_gives_the_same_registry(
    sample_db: Database, other_db: Database
) -> None:
    exported = await export_registry_csv(sample_db)

    report = await import_registry_csv(other_db, exported, recorded_by="test", source="export.csv")

    assert report.added == 8
    assert report.ok
    assert await export_registry_csv(other_db) == exported
    assert registry(await PartnershipRepository(other_db).list_all()) == registry(
        await PartnershipRepository(sample_db).list_all()
    )
    # The export is itself an import file: importing it where it came from changes nothing.
    again = await import_registry_csv(sample_db, exported, recorded_by="test")
    assert (again.unchanged, again.changed) == (8, False)


async def test_export_writes_the_header_and_one_ordered_row_a_partnership(sample_db: Database) -> None:
    lines = (await export_registry_csv(sample_db)).decode("utf-8").splitlines()

    assert lines[0] == HEADER_LINE
    assert len(lines) == 9
    assert lines[1].startswith("Durham,NC,city,Kostroma,Kostroma Oblast,Russia,city,,active,2022-03-01,")
    assert lines[-1] == "Roanoke,VA,city,Wonju,Gangwon,South Korea,city,,active,,,60"
    assert PSKOV_ROW in lines
    assert "Maryland,MD,state,Leningrad Oblast,,Russia,region,,terminated,2022-03-01," in "\n".join(lines)


async def test_export_of_an_empty_registry_is_a_header_that_imports(db: Database, other_db: Database) -> None:
    exported = await export_registry_csv(db)

    assert exported == f"{HEADER_LINE}\r\n".encode()
    report = await import_registry_csv(other_db, exported, recorded_by="test")
    assert report.ok
    assert report.summary() == "no partnerships in the file; nothing changed"


# --- changes in a re-imported file ---


async def test_a_new_status_in_the_file_is_recorded_as_a_dated_change(
    sample_db: Database, repo: PartnershipRepository, sample: bytes
) -> None:
    changed = sample.replace(
        PSKOV_ROW.encode(),
        b"Roanoke,VA,city,Pskov,Pskov Oblast,Russia,city,,suspended,2024-05-02,Council suspended exchanges,"
        b"30",
    )

    report = await import_registry_csv(sample_db, changed, recorded_by="staff:2", source="may.csv")

    assert report == ImportReport(added=0, updated=0, status_changed=1, unchanged=7, errors=())
    pskov = await repo.find_pair("Roanoke", "VA", "Pskov", "Russia")
    assert pskov is not None
    assert (pskov.status, pskov.status_since, pskov.status_note) == (
        Status.SUSPENDED,
        date(2024, 5, 2),
        "Council suspended exchanges",
    )
    first, latest = await repo.history(pskov.id)
    assert first.new_status == Status.ACTIVE
    assert (latest.old_status, latest.new_status) == (Status.ACTIVE, Status.SUSPENDED)
    assert (latest.effective_date, latest.reason) == (date(2024, 5, 2), "Council suspended exchanges")
    assert (latest.source, latest.recorded_by) == ("may.csv", "staff:2")


async def test_same_status_with_a_new_date_or_note_is_a_restatement(
    sample_db: Database, repo: PartnershipRepository, sample: bytes
) -> None:
    restated = sample.replace(
        b"Durham,NC,city,Kostroma,Kostroma Oblast,Russia,city,,active,2022-03-01,",
        b"Durham,NC,city,Kostroma,Kostroma Oblast,Russia,city,,active,2023-09-15,",
    ).replace(b'"Local committee kept the partnership with Kostroma"', b"Reaffirmed after the youth exchange")

    report = await import_registry_csv(sample_db, restated, recorded_by="staff:3")

    assert (report.status_changed, report.unchanged) == (1, 7)
    kostroma = await repo.find_pair("Durham", "NC", "Kostroma", "Russia")
    assert kostroma is not None
    history = await repo.history(kostroma.id)
    # The history is append-only: the 2022 entry stays, the restatement follows it.
    assert [(c.old_status, c.new_status, c.effective_date) for c in history] == [
        (None, Status.ACTIVE, date(2022, 3, 1)),
        (Status.ACTIVE, Status.ACTIVE, date(2023, 9, 15)),
    ]
    assert kostroma.status_note == "Reaffirmed after the youth exchange"


async def test_same_status_without_date_or_note_keeps_the_recorded_reason(
    sample_db: Database, repo: PartnershipRepository, sample: bytes
) -> None:
    # A file typed without the history columns must not bury "why" under an empty restatement.
    bare = sample.replace(
        b'2022-03-01,"Terminated unilaterally by the Governor of Maryland without consulting the committee",',
        b",,",
    )
    assert bare != sample

    report = await import_registry_csv(sample_db, bare, recorded_by="staff:3")

    assert (report.unchanged, report.changed) == (8, False)
    maryland = await repo.find_pair("Maryland", "MD", "Leningrad Oblast", "Russia")
    assert maryland is not None
    assert maryland.status_since == date(2022, 3, 1)
    assert len(await repo.history(maryland.id)) == 1


async def test_other_changed_fields_are_updated_without_touching_the_history(
    sample_db: Database, repo: PartnershipRepository, sample: bytes
) -> None:
    edited = sample.replace(
        b"Roanoke,VA,city,Wonju,Gangwon,South Korea,city,,active,,,60",
        b"ROANOKE,va,city,Wonju,Gangwon Province,South Korea,city,1991,Active,,,90",
    )

    report = await import_registry_csv(sample_db, edited, recorded_by="staff:4")

    assert report == ImportReport(added=0, updated=1, status_changed=0, unchanged=7, errors=())
    wonju = await repo.find_pair("Roanoke", "VA", "Wonju", "South Korea")
    assert wonju is not None
    # The file is the registry's source: its spelling of the names wins; the state code is upper-cased.
    assert (wonju.us_name, wonju.us_state) == ("ROANOKE", "VA")
    assert (wonju.partner_region, wonju.established_year, wonju.checkin_days) == (
        "Gangwon Province",
        1991,
        90,
    )
    assert wonju.status == Status.ACTIVE
    assert len(await repo.history(wonju.id)) == 1
    assert await repo.count() == 8


async def test_new_rows_are_added_next_to_existing_ones(
    sample_db: Database, repo: PartnershipRepository, sample: bytes
) -> None:
    grown = sample + b"Roanoke,VA,city,Lijiang,Yunnan,China,city,2002,paused,2020-02-01,Covid,\n"

    report = await import_registry_csv(sample_db, grown, recorded_by="staff:5", source="grown.csv")

    assert report == ImportReport(added=1, updated=0, status_changed=0, unchanged=8, errors=())
    lijiang = await repo.find_pair("Roanoke", "VA", "Lijiang", "China")
    assert lijiang is not None
    assert (lijiang.status, lijiang.status_since, lijiang.status_note) == (
        Status.PAUSED,
        date(2020, 2, 1),
        "Covid",
    )


# --- files that are refused, with every problem listed and nothing written ---


async def test_missing_column_is_named(sample_db: Database) -> None:
    header = HEADER_LINE.removesuffix(",checkin_days")
    errors = await rejected(
        sample_db, csv_file("Durham,NC,city,Toyama,Toyama Prefecture,Japan,city,,active,,", header=header)
    )

    assert errors == [RowError(1, "header: missing column(s): checkin_days")]


async def test_unknown_and_repeated_columns_are_named(sample_db: Database) -> None:
    errors = await rejected(sample_db, csv_file(GOOD_ROW + ",x,y", header=HEADER_LINE + ",Website,status"))

    assert errors == [
        RowError(1, "header: unknown column(s): 'website'"),
        RowError(1, "header: column(s) named twice: status"),
    ]


async def test_a_file_without_a_header_is_told_what_the_header_is(sample_db: Database) -> None:
    errors = await rejected(sample_db, f"{GOOD_ROW}\n".encode())

    assert errors == [RowError(1, f"the first line must be the header: {HEADER_LINE}")]


async def test_unknown_status_is_reported_with_its_line(sample_db: Database) -> None:
    bad = "Roanoke,VA,city,Lijiang,Yunnan,China,city,2002,actve,,,"
    errors = await rejected(sample_db, csv_file(GOOD_ROW, bad))

    assert errors == [RowError(3, "status: 'actve' is not one of active, paused, suspended, terminated")]


async def test_bad_years_are_reported(sample_db: Database) -> None:
    this_year = datetime.now(UTC).year
    rows = [
        GOOD_ROW.replace(",,active,", f",{year},active,")
        for year in ("22", "1899", str(this_year + 1), "19x0")
    ]
    rows = [row.replace("Toyama,", f"Toyama {n},", 1) for n, row in enumerate(rows)]

    errors = await rejected(sample_db, csv_file(*rows))

    expected = [
        f"'{y}' is not a year between 1900 and {this_year}" for y in ("22", "1899", this_year + 1, "19x0")
    ]
    assert errors == [
        RowError(n, f"established_year: {reason}") for n, reason in enumerate(expected, start=2)
    ]


async def test_duplicate_pair_names_the_line_of_the_first(sample_db: Database) -> None:
    errors = await rejected(
        sample_db,
        csv_file(
            GOOD_ROW,
            PSKOV_ROW,
            "Roanoke,VA,city,Wonju,Gangwon,South Korea,city,,active,,,60",
            "roanoke,va,city,PSKOV,Pskov Oblast,RUSSIA,city,,paused,,,30",
        ),
    )

    assert errors == [RowError(5, "the partnership roanoke, va – PSKOV, RUSSIA is already on line 3")]


async def test_non_utf8_bytes_are_located(sample_db: Database) -> None:
    data = csv_file(
        GOOD_ROW,
        "Roanoke,VA,city,Saint-Lô,Manche,France,city,,active,,,60",
        PSKOV_ROW,
        "Roanoke,VA,city,Besançon,Doubs,France,city,,active,,,60",
    )
    latin1 = data.decode("utf-8").encode("latin-1")

    errors = await rejected(sample_db, latin1)

    assert errors == [
        RowError(3, "not UTF-8: byte 0xf4 at position 24 of the line (save the file as UTF-8)"),
        RowError(5, "not UTF-8: byte 0xe7 at position 22 of the line (save the file as UTF-8)"),
    ]


async def test_non_utf8_lines_and_other_bad_rows_are_all_listed(sample_db: Database) -> None:
    data = csv_file(GOOD_ROW).replace(b"Toyama,", b"Toy\xffama,", 1) + csv_file(
        "Roanoke,XX,city,Pskov,Pskov Oblast,Russia,city,,active,,,", header=""
    ).removeprefix(b"\n")

    errors = await rejected(sample_db, data)

    assert [str(e) for e in errors] == [
        "line 2: not UTF-8: byte 0xff at position 19 of the line (save the file as UTF-8)",
        "line 3: us_state: 'XX' is not a two-letter US state code",
    ]


async def test_header_only_imports_nothing_and_is_not_an_error(sample_db: Database) -> None:
    before = await snapshot(sample_db)

    report = await import_registry_csv(sample_db, csv_file(), recorded_by="test")

    assert report == ImportReport(added=0, updated=0, status_changed=0, unchanged=0, errors=())
    assert report.ok
    assert not report.changed
    assert report.rows == 0
    assert report.summary() == "no partnerships in the file; nothing changed"
    assert await snapshot(sample_db) == before


@pytest.mark.parametrize(
    "data", [b"", b"\n\n", b"\xef\xbb\xbf", b" \r\n\t"], ids=["0 bytes", "blank", "bom", "ws"]
)
async def test_empty_file_is_refused(sample_db: Database, data: bytes) -> None:
    errors = await rejected(sample_db, data)

    assert errors == [RowError(1, f"the file is empty; the first line must be the header: {HEADER_LINE}")]


async def test_wrong_number_of_fields_is_reported_with_a_hint(sample_db: Database) -> None:
    unquoted_comma = "Roanoke,VA,city,Pskov,Pskov Oblast,Russia,city,,active,2022-03-07,Kept it, Pskov too,30"
    errors = await rejected(sample_db, csv_file(GOOD_ROW, "Roanoke,VA,city,Pskov", unquoted_comma))

    assert errors == [
        RowError(3, "expected 12 fields, found 4"),
        RowError(4, "expected 12 fields, found 13; a value containing a comma must be in double quotes"),
    ]


async def test_several_bad_rows_are_all_listed(sample_db: Database, repo: PartnershipRepository) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    rows = [
        GOOD_ROW,
        "Roanoke,Virginia,town,Pskov,Pskov Oblast,Russia,oblast,,active,,,",
        "Roanoke,VA,city,Wonju,Gangwon,South Korea,city,,active,03/07/2022,,0",
        f"Roanoke,VA,city,Kisumu,Kisumu County,Kenya,city,,paused,{tomorrow},,3651",
        ",VA,city,  ,Manche,,city,,active,,,",
        "Maryland,MD,state,Leningrad Oblast,,Russia,region,,terminated,2022-03-01," + "x" * 1001 + ",",
        "Iowa,IA,state,Stavropol Krai,,Russia,region,,Terminated,2022-02-30,,abc",
        "Durham,NC,city,Kostroma",
        "Roanoke,VA,city,Lijiang,Yunnan,China,city,2002,paused,2020-02-01,Covid,",
    ]

    errors = await rejected(sample_db, csv_file(*rows))

    assert [str(e) for e in errors] == [
        "line 3: us_state: 'Virginia' is not a two-letter US state code",
        "line 3: us_kind: 'town' is not one of city, county, state",
        "line 3: partner_kind: 'oblast' is not one of city, region",
        "line 4: status_since: '03/07/2022' is not a date written YYYY-MM-DD",
        "line 4: checkin_days: '0' is not a whole number of days between 1 and 3650",
        f"line 5: status_since: {tomorrow} is in the future",
        "line 5: checkin_days: '3651' is not a whole number of days between 1 and 3650",
        "line 6: us_name is empty",
        "line 6: partner_name is empty",
        "line 6: partner_country is empty",
        "line 7: status_note is 1001 characters long; at most 1000 are allowed",
        "line 8: status_since: '2022-02-30' is not a date written YYYY-MM-DD",
        "line 8: checkin_days: 'abc' is not a whole number of days between 1 and 3650",
        "line 9: expected 12 fields, found 4",
    ]
    # The good rows on lines 2 and 10 were not imported either.
    assert await repo.find_pair("Roanoke", "VA", "Lijiang", "China") is None


async def test_line_numbers_count_physical_lines_across_multi_line_notes(sample_db: Database) -> None:
    note = '"Suspended by the council.\nExchanges continue between schools.\n"'
    data = csv_file(
        f"Roanoke,VA,city,Pskov,Pskov Oblast,Russia,city,,suspended,2024-05-02,{note},30",
        "Roanoke,VA,city,Wonju,Gangwon,South Korea,city,,on hold,,,60",
    )

    errors = await rejected(sample_db, data)

    assert errors == [RowError(5, "status: 'on hold' is not one of active, paused, suspended, terminated")]


async def test_unclosed_quote_is_reported_where_it_opens(sample_db: Database) -> None:
    data = csv_file(GOOD_ROW, 'Roanoke,VA,city,Pskov,Pskov Oblast,Russia,city,,active,2022-03-07,"Kept it,30')

    errors = await rejected(sample_db, data)

    assert errors == [RowError(3, 'a quoted value is never closed: a " opened on this line has no closing "')]


# --- what the import tolerates ---


async def test_bom_crlf_spaces_and_capitals_are_tolerated(db: Database, repo: PartnershipRepository) -> None:
    header = " US_Name ,us_state,us_kind,partner_name,partner_region,partner_country,partner_kind,"
    header += "established_year,status,status_since,status_note,checkin_days"
    data = (
        b"\xef\xbb\xbf"
        + (
            f"{header}\r\n"
            " Durham , nc ,City, Toyama ,Toyama Prefecture,Japan,CITY, 1989 ,PAUSED,,,\r\n"
            ",,,,,,,,,,,\r\n"
        ).encode()
    )

    report = await import_registry_csv(db, data, recorded_by="test")

    assert report.added == 1, report.errors
    [toyama] = await repo.list_all()
    assert toyama.fields().us_name == "Durham"
    assert (toyama.us_state, toyama.us_kind, toyama.partner_name, toyama.status) == (
        "NC",
        UsKind.CITY,
        "Toyama",
        Status.PAUSED,
    )
    assert toyama.established_year == 1989


def test_columns_may_come_in_any_order() -> None:
    header = ",".join(reversed(COLUMNS))
    row = ",".join(reversed(GOOD_ROW.split(",")))

    rows, errors = parse_registry_csv(csv_file(row, header=header))

    assert errors == []
    assert [(r.line, r.fields.partner_name, r.fields.checkin_days) for r in rows] == [(2, "Toyama", 60)]


# --- scale ---


def generated_registry(count: int) -> bytes:
    """A registry file of `count` distinct partnerships."""
    rows = (
        f"Town {n},VA,city,Partner {n},Region {n % 80},Country {n % 146},city,1990,active,2022-03-01,"
        f"note {n},60"
        for n in range(count)
    )
    return csv_file(*rows)


async def test_twenty_thousand_rows_import(db: Database, repo: PartnershipRepository) -> None:
    data = generated_registry(20_000)

    report = await import_registry_csv(db, data, recorded_by="bench")

    assert report.added == 20_000
    assert await repo.count() == 20_000
    again = await import_registry_csv(db, data, recorded_by="bench")
    assert (again.unchanged, again.changed) == (20_000, False)


# --- export and parse agree on any text ---

_text = st.text(st.characters(codec="utf-8"), max_size=30).map(str.strip)
_name = _text.filter(bool)


def _same_pair(key: tuple[str, str, str, str]) -> tuple[str, str, str, str]:
    return pair_key(*key)


@st.composite
def partnerships(draw: st.DrawFn) -> list[Partnership]:
    keys = draw(
        st.lists(
            st.tuples(_name, st.sampled_from(["VA", "NC", "MD", "PR"]), _name, _name),
            max_size=5,
            unique_by=_same_pair,
        )
    )
    now = datetime.now(UTC)
    return [
        Partnership(
            id=n,
            us_name=us_name,
            us_state=us_state,
            us_kind=draw(st.sampled_from(UsKind)),
            partner_name=partner_name,
            partner_region=draw(_text),
            partner_country=partner_country,
            partner_kind=draw(st.sampled_from(PartnerKind)),
            established_year=draw(st.none() | st.integers(1900, now.year)),
            status=draw(st.sampled_from(Status)),
            checkin_days=draw(st.none() | st.integers(1, 3650)),
            status_since=draw(st.none() | st.dates(date(1900, 1, 1), now.date())),
            status_note=draw(_text),
            created_at=now,
            updated_at=now,
        )
        for n, (us_name, us_state, partner_name, partner_country) in enumerate(keys)
    ]


@settings(max_examples=200, deadline=None)
@given(partnerships())
def test_parse_reads_back_exactly_what_format_wrote(written: list[Partnership]) -> None:
    rows, errors = parse_registry_csv(format_registry_csv(written))

    assert errors == []
    assert [(r.fields, r.status_since, r.status_note) for r in rows] == registry(written)
