"""Import and export of the partnership registry as CSV, in the format of data/README.md."""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from storage.db import Database
from storage.partnerships import PartnershipRepository
from storage.records import (
    NewPartnership,
    PartnerKind,
    Partnership,
    PartnershipFields,
    Status,
    StatusUpdate,
    UsKind,
)

log = logging.getLogger(__name__)

COLUMNS: tuple[str, ...] = (
    "us_name",
    "us_state",
    "us_kind",
    "partner_name",
    "partner_region",
    "partner_country",
    "partner_kind",
    "established_year",
    "status",
    "status_since",
    "status_note",
    "checkin_days",
)
HEADER_LINE = ",".join(COLUMNS)

# The 50 states, DC and the inhabited territories (plus the minor outlying islands): every USPS code a
# sister-city member can be registered under.
_US_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC AS GU MP PR VI UM"
)
US_STATES: frozenset[str] = frozenset(_US_STATE_CODES.split())
FIRST_YEAR = 1900
MAX_CHECKIN_DAYS = 3650
MAX_NOTE_CHARS = 1000
_BOM = b"\xef\xbb\xbf"
_REQUIRED_TEXT = ("us_name", "partner_name", "partner_country")
# SQLite's NOCASE folds only ASCII letters; the in-file duplicate check and the match against existing pairs
# fold exactly as the unique index does, so a pair the file calls new is one the database accepts.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

PairKey = tuple[str, str, str, str]
_Choice = TypeVar("_Choice", Status, UsKind, PartnerKind)


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in an import file; `line` is the physical line number (the header is line 1)."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """A valid row of an import file."""

    line: int
    fields: PartnershipFields
    status_since: date | None
    status_note: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did; with errors it wrote nothing and every count is zero.

    Each row of the file is counted exactly once: added, status_changed (its status history gained an
    entry, whether or not other fields changed too), updated (other fields only) or unchanged.
    """

    added: int
    updated: int
    status_changed: int
    unchanged: int
    errors: tuple[RowError, ...]

    @property
    def ok(self) -> bool:
        """True when the file was valid and imported."""
        return not self.errors

    @property
    def changed(self) -> bool:
        """True when the import wrote anything."""
        return self.added + self.updated + self.status_changed > 0

    @property
    def rows(self) -> int:
        """How many partnerships the file held (zero for a rejected file or a header only)."""
        return self.added + self.updated + self.status_changed + self.unchanged

    def summary(self) -> str:
        """One line for the operator's log or terminal."""
        if self.errors:
            return f"rejected, nothing imported: {len(self.errors)} problem(s)"
        if self.rows == 0:
            return "no partnerships in the file; nothing changed"
        return (
            f"{self.rows} partnership(s): {self.added} added, {self.status_changed} status changed, "
            f"{self.updated} updated, {self.unchanged} unchanged"
        )


def pair_key(us_name: str, us_state: str, partner_name: str, partner_country: str) -> PairKey:
    """The identity of a partnership, compared as the database's unique index does."""
    return (
        us_name.translate(_ASCII_LOWER),
        us_state.translate(_ASCII_LOWER),
        partner_name.translate(_ASCII_LOWER),
        partner_country.translate(_ASCII_LOWER),
    )


def _today_anywhere() -> date:
    # A date that is today somewhere on Earth (UTC+14) is not "in the future" for the person who typed it.
    return (datetime.now(UTC) + timedelta(hours=14)).date()


def _shown(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


def _choice(column: str, value: str, enum: type[_Choice], problems: list[str]) -> _Choice | None:
    try:
        return enum(value.lower())
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        problems.append(f"{column}: {_shown(value)} is not one of {allowed}")
        return None


def _whole_number(value: str) -> int | None:
    # int() would also accept "+5", "1_000" and non-ASCII digits; a registry file should not.
    return int(value) if value.isascii() and value.isdigit() else None


def _row(line: int, values: dict[str, str]) -> tuple[ParsedRow | None, list[str]]:
    problems: list[str] = []
    for column in _REQUIRED_TEXT:
        if not values[column]:
            problems.append(f"{column} is empty")

    us_state = values["us_state"].upper()
    if us_state not in US_STATES:
        problems.append(f"us_state: {_shown(values['us_state'])} is not a two-letter US state code")
    us_kind = _choice("us_kind", values["us_kind"], UsKind, problems)
    partner_kind = _choice("partner_kind", values["partner_kind"], PartnerKind, problems)
    status = _choice("status", values["status"], Status, problems)

    this_year = datetime.now(UTC).year
    established_year: int | None = None
    if values["established_year"]:
        established_year = _whole_number(values["established_year"])
        if established_year is None or not FIRST_YEAR <= established_year <= this_year:
            problems.append(
                f"established_year: {_shown(values['established_year'])} is not a year "
                f"between {FIRST_YEAR} and {this_year}"
            )

    status_since: date | None = None
    if values["status_since"]:
        try:
            # fromisoformat alone would also take "20220301"; the format says YYYY-MM-DD.
            if len(values["status_since"]) != 10:
                raise ValueError
            status_since = date.fromisoformat(values["status_since"])
        except ValueError:
            problems.append(
                f"status_since: {_shown(values['status_since'])} is not a date written YYYY-MM-DD"
            )
        else:
            if status_since > _today_anywhere():
                problems.append(f"status_since: {status_since.isoformat()} is in the future")

    if len(values["status_note"]) > MAX_NOTE_CHARS:
        problems.append(
            f"status_note is {len(values['status_note'])} characters long; "
            f"at most {MAX_NOTE_CHARS} are allowed"
        )

    checkin_days: int | None = None
    if values["checkin_days"]:
        checkin_days = _whole_number(values["checkin_days"])
        if checkin_days is None or not 1 <= checkin_days <= MAX_CHECKIN_DAYS:
            problems.append(
                f"checkin_days: {_shown(values['checkin_days'])} is not a whole number of days "
                f"between 1 and {MAX_CHECKIN_DAYS}"
            )

    if problems or us_kind is None or partner_kind is None or status is None:
        return None, problems
    fields = PartnershipFields(
        us_name=values["us_name"],
        us_state=us_state,
        us_kind=us_kind,
        partner_name=values["partner_name"],
        partner_region=values["partner_region"],
        partner_country=values["partner_country"],
        partner_kind=partner_kind,
        established_year=established_year,
        status=status,
        checkin_days=checkin_days,
    )
    return ParsedRow(line, fields, status_since, values["status_note"]), []


def _decode(data: bytes) -> tuple[str, set[int], list[RowError]]:
    """The text of the file, the lines that are not UTF-8 and an error for each of them."""
    try:
        return data.decode("utf-8"), set(), []
    except UnicodeDecodeError:
        pass
    # Decode line by line to name every bad line, not only the first; bytes.splitlines breaks at the same
    # \r, \n and \r\n that the csv reader's source (StringIO with newline="") does.
    bad_lines: set[int] = set()
    errors: list[RowError] = []
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad_lines.add(number)
            errors.append(
                RowError(
                    number,
                    f"not UTF-8: byte 0x{raw[exc.start]:02x} at position {exc.start + 1} of the line "
                    "(save the file as UTF-8)",
                )
            )
    return data.decode("utf-8", errors="replace"), bad_lines, errors


def _header(line: int, record: list[str]) -> tuple[list[str], list[RowError]]:
    names = [name.strip().lower() for name in record]
    errors: list[RowError] = []
    if not set(names) & set(COLUMNS):
        return names, [RowError(line, f"the first line must be the header: {HEADER_LINE}")]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        errors.append(RowError(line, f"header: missing column(s): {', '.join(missing)}"))
    unknown = [_shown(name) for name in names if name not in COLUMNS]
    if unknown:
        errors.append(RowError(line, f"header: unknown column(s): {', '.join(unknown)}"))
    repeated = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    if repeated:
        errors.append(RowError(line, f"header: column(s) named twice: {', '.join(repeated)}"))
    return names, errors


def parse_registry_csv(data: bytes) -> tuple[list[ParsedRow], list[RowError]]:
    """Read and validate a registry file without touching the database; errors are sorted by line.

    Every problem is a RowError, whole-file ones too (empty file, bad header: line 1), so a caller has one
    thing to show. A header with no rows is valid and yields no rows.
    """
    data = data.removeprefix(_BOM)
    if not data.strip():
        return [], [RowError(1, f"the file is empty; the first line must be the header: {HEADER_LINE}")]
    text, bad_lines, errors = _decode(data)

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    names: list[str] | None = None
    rows: list[ParsedRow] = []
    first_line_of: dict[PairKey, int] = {}
    last_line = 0
    while True:
        start = last_line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            last_line = reader.line_num
            if "unexpected end of data" in str(exc):
                reason = 'a quoted value is never closed: a " opened on this line has no closing "'
            else:
                reason = f"not valid CSV ({exc}); quote a value that contains commas or quotes"
            errors.append(RowError(start, reason))
            continue
        last_line = reader.line_num
        lines = range(start, last_line + 1)
        if any(line in bad_lines for line in lines):
            if names is None:
                break  # a header that cannot be read: its columns, and so every row, are unknown
            continue
        if not any(value.strip() for value in record):
            continue  # blank lines, and the ",,,,," rows spreadsheets leave at the end
        if names is None:
            names, header_errors = _header(start, record)
            if header_errors:
                errors.extend(header_errors)
                break  # without the columns no row can be checked
            continue

        if len(record) != len(names):
            hint = "; a value containing a comma must be in double quotes" if len(record) > len(names) else ""
            errors.append(RowError(start, f"expected {len(names)} fields, found {len(record)}{hint}"))
            continue
        values = {name: value.strip() for name, value in zip(names, record, strict=True)}
        parsed, problems = _row(start, values)
        errors.extend(RowError(start, problem) for problem in problems)
        if all(values[column] for column in ("us_name", "us_state", "partner_name", "partner_country")):
            key = pair_key(
                values["us_name"], values["us_state"], values["partner_name"], values["partner_country"]
            )
            first = first_line_of.setdefault(key, start)
            if first != start:
                errors.append(
                    RowError(
                        start,
                        f"the partnership {values['us_name']}, {values['us_state']} – "
                        f"{values['partner_name']}, {values['partner_country']} is already on line {first}",
                    )
                )
                continue
        if parsed is not None:
            rows.append(parsed)

    errors.sort(key=lambda error: error.line)
    return rows, errors


async def import_registry_csv(
    db: Database, data: bytes, *, recorded_by: str, source: str = ""
) -> ImportReport:
    """Bring the registry in line with a CSV file, in one transaction; nothing at all if any row is bad."""
    rows, errors = parse_registry_csv(data)
    if errors:
        log.info("registry import from %s rejected: %s problem(s)", source or "a file", len(errors))
        return ImportReport(0, 0, 0, 0, tuple(errors))

    repository = PartnershipRepository(db)
    new: list[NewPartnership] = []
    details: list[tuple[int, PartnershipFields]] = []
    statuses: list[StatusUpdate] = []
    updated = unchanged = 0
    async with db.transaction():
        # Read inside the write transaction so no other writer can change a pair between compare and write.
        existing = {
            pair_key(p.us_name, p.us_state, p.partner_name, p.partner_country): p
            for p in await repository.list_all()
        }
        for row in rows:
            fields = row.fields
            key = pair_key(fields.us_name, fields.us_state, fields.partner_name, fields.partner_country)
            current = existing.get(key)
            if current is None:
                new.append(NewPartnership(fields, row.status_since, row.status_note))
                continue
            # The status is compared, and written, on its own: it goes through the history.
            details_differ = replace(fields, status=current.status) != current.fields()
            if details_differ:
                details.append((current.id, fields))
            if _status_differs(current, row):
                # Counted as a status change even when other fields changed too: each row counts once.
                statuses.append(StatusUpdate(current.id, fields.status, row.status_since, row.status_note))
            elif details_differ:
                updated += 1
            else:
                unchanged += 1
        # Batches, not a call per row: a 20,000-row file is then a handful of statements.
        await repository.add_many(new, recorded_by=recorded_by, source=source)
        await repository.update_details_many(details)
        await repository.set_status_many(statuses, recorded_by=recorded_by, source=source)

    report = ImportReport(len(new), updated, len(statuses), unchanged, ())
    log.info("registry import from %s: %s", source or "a file", report.summary())
    return report


def _status_differs(current: Partnership, row: ParsedRow) -> bool:
    """Whether the row states a status the history does not already end with."""
    if current.status != row.fields.status:
        return True
    # The same status with no date and no note says nothing new: a file typed without those columns must not
    # bury the recorded reason under an empty restatement.
    if row.status_since is None and not row.status_note:
        return False
    return current.status_since != row.status_since or current.status_note.strip() != row.status_note


def format_registry_csv(partnerships: list[Partnership]) -> bytes:
    """The CSV file for these partnerships, in the order given."""
    out = io.StringIO(newline="")
    # CRLF as RFC 4180 and spreadsheets have it; with "\n" the writer would leave a value's lone "\r" unquoted
    # and the file would no longer read back. The import takes either line ending.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for p in partnerships:
        writer.writerow(
            (
                p.us_name,
                p.us_state,
                p.us_kind.value,
                p.partner_name,
                p.partner_region,
                p.partner_country,
                p.partner_kind.value,
                "" if p.established_year is None else p.established_year,
                p.status.value,
                p.status_since.isoformat() if p.status_since else "",
                p.status_note,
                "" if p.checkin_days is None else p.checkin_days,
            )
        )
    return out.getvalue().encode("utf-8")


async def export_registry_csv(db: Database) -> bytes:
    """Every partnership as a CSV file that import_registry_csv reads back to the same registry."""
    return format_registry_csv(await PartnershipRepository(db).list_all())
