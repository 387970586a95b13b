"""Numbered schema migrations; the position in MIGRATIONS is the `PRAGMA user_version` it brings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema, applied in its own transaction."""

    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "partnership registry with a dated history of status changes",
        (
            """
            CREATE TABLE partnerships (
                id               INTEGER PRIMARY KEY,
                us_name          TEXT NOT NULL,
                us_state         TEXT NOT NULL,
                us_kind          TEXT NOT NULL CHECK (us_kind IN ('city', 'county', 'state')),
                partner_name     TEXT NOT NULL,
                partner_region   TEXT NOT NULL DEFAULT '',
                partner_country  TEXT NOT NULL,
                partner_kind     TEXT NOT NULL CHECK (partner_kind IN ('city', 'region')),
                established_year INTEGER,
                status           TEXT NOT NULL
                                 CHECK (status IN ('active', 'paused', 'suspended', 'terminated')),
                checkin_days     INTEGER CHECK (checkin_days IS NULL OR checkin_days > 0),
                created_at       TEXT NOT NULL,
                updated_at       TEXT NOT NULL
            )
            """,
            # One row per pair: the same two places, whatever the capitalisation.
            """
            CREATE UNIQUE INDEX partnerships_pair ON partnerships (
                us_name COLLATE NOCASE, us_state COLLATE NOCASE,
                partner_name COLLATE NOCASE, partner_country COLLATE NOCASE
            )
            """,
            "CREATE INDEX partnerships_status ON partnerships (status)",
            """
            CREATE TABLE status_changes (
                id             INTEGER PRIMARY KEY,
                partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
                old_status     TEXT,
                new_status     TEXT NOT NULL
                               CHECK (new_status IN ('active', 'paused', 'suspended', 'terminated')),
                effective_date TEXT,
                decided_by     TEXT NOT NULL DEFAULT '',
                reason         TEXT NOT NULL DEFAULT '',
                source         TEXT NOT NULL DEFAULT '',
                recorded_by    TEXT NOT NULL,
                recorded_at    TEXT NOT NULL
            )
            """,
            "CREATE INDEX status_changes_partnership ON status_changes (partnership_id, id)",
        ),
    ),
)
