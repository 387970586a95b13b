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
    Migration(
        "members, their committees (memberships with a role) and join requests",
        (
            # id is the Telegram user id: a person is who Telegram says they are.
            """
            CREATE TABLE members (
                id                INTEGER PRIMARY KEY,
                first_name        TEXT NOT NULL,
                last_name         TEXT NOT NULL DEFAULT '',
                username          TEXT,
                telegram_language TEXT,
                language          TEXT CHECK (language IS NULL OR language IN ('en', 'ru')),
                timezone          TEXT,
                is_staff          INTEGER NOT NULL DEFAULT 0 CHECK (is_staff IN (0, 1)),
                active            INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
                created_at        TEXT NOT NULL,
                updated_at        TEXT NOT NULL
            )
            """,
            "CREATE INDEX members_username ON members (username COLLATE NOCASE)",
            """
            CREATE TABLE memberships (
                member_id      INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
                partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
                role           TEXT NOT NULL CHECK (role IN ('member', 'coordinator')),
                since          TEXT NOT NULL,
                PRIMARY KEY (member_id, partnership_id)
            ) WITHOUT ROWID
            """,
            "CREATE INDEX memberships_partnership ON memberships (partnership_id, role)",
            """
            CREATE TABLE join_requests (
                id             INTEGER PRIMARY KEY,
                member_id      INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
                partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
                state          TEXT NOT NULL DEFAULT 'pending'
                               CHECK (state IN ('pending', 'approved', 'declined')),
                created_at     TEXT NOT NULL,
                decided_at     TEXT,
                decided_by     INTEGER REFERENCES members (id) ON DELETE SET NULL
            )
            """,
            # At most one open request per person and partnership: pressing "join" twice files one.
            """
            CREATE UNIQUE INDEX join_requests_open ON join_requests (member_id, partnership_id)
            WHERE state = 'pending'
            """,
        ),
    ),
    Migration(
        "the messages that carried each join request to its approvers, so every copy can say who decided",
        (
            # chat_id is not a foreign key: admins named in the config need not be members.
            """
            CREATE TABLE join_request_notices (
                request_id INTEGER NOT NULL REFERENCES join_requests (id) ON DELETE CASCADE,
                chat_id    INTEGER NOT NULL,
                message_id INTEGER NOT NULL,
                PRIMARY KEY (request_id, chat_id)
            ) WITHOUT ROWID
            """,
            "CREATE INDEX join_request_notices_chat ON join_request_notices (chat_id)",
        ),
    ),
    Migration(
        "the contact log, drafts of contacts being logged, and the state of conversations",
        (
            # member_id is NULL once the author used /forgetme: the contact stays, shown as "a former member".
            """
            CREATE TABLE contacts (
                id             INTEGER PRIMARY KEY,
                partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
                member_id      INTEGER REFERENCES members (id) ON DELETE SET NULL,
                channel        TEXT NOT NULL CHECK (channel IN ('zoom', 'letter_sent', 'letter_received',
                                   'email', 'phone', 'in_person', 'other')),
                -- '+0 days' normalises 2024-02-30 to 2024-03-01, so only a real day equals itself.
                contact_date   TEXT NOT NULL CHECK (contact_date IS date(contact_date, '+0 days')),
                summary        TEXT NOT NULL CHECK (length(trim(summary)) BETWEEN 1 AND 1000),
                participants   INTEGER CHECK (participants IS NULL OR participants BETWEEN 1 AND 100000),
                created_at     TEXT NOT NULL,
                edited_at      TEXT
            )
            """,
            # "Last contact per partnership" and "contacts of a partnership in a period" read this index
            # backwards from the newest date, whatever the size of the log.
            "CREATE INDEX contacts_partnership_date ON contacts (partnership_id, contact_date DESC, id DESC)",
            # Network-wide periods (contacts per month in reports).
            "CREATE INDEX contacts_date ON contacts (contact_date)",
            # Without it, /forgetme (ON DELETE SET NULL) would scan the whole log.
            "CREATE INDEX contacts_member ON contacts (member_id) WHERE member_id IS NOT NULL",
            # One draft per person: what they have filled in so far, kept across restarts.
            """
            CREATE TABLE contact_drafts (
                member_id      INTEGER PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
                token          TEXT NOT NULL,
                contact_id     INTEGER REFERENCES contacts (id) ON DELETE CASCADE,
                partnership_id INTEGER REFERENCES partnerships (id) ON DELETE CASCADE,
                channel        TEXT,
                contact_date   TEXT,
                summary        TEXT,
                participants   INTEGER,
                reviewing      INTEGER NOT NULL DEFAULT 0 CHECK (reviewing IN (0, 1)),
                updated_at     TEXT NOT NULL
            )
            """,
            # Where each person is in each persistent ConversationHandler; key and state are JSON.
            """
            CREATE TABLE conversations (
                name       TEXT NOT NULL,
                key        TEXT NOT NULL,
                state      TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (name, key)
            ) WITHOUT ROWID
            """,
        ),
    ),
    Migration(
        "check-in reminders: cycles per partnership, each reminder sent at most once, pauses, staff digests",
        (
            # One cycle per time a partnership fell due: from its due date until a contact, an answer or a
            # status change settles it. next_on is the day the next step is due: the first reminder
            # (pending), the second (first_sent), or "at risk" (second_sent).
            """
            CREATE TABLE checkin_cycles (
                id             INTEGER PRIMARY KEY,
                partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
                quiet_since    TEXT NOT NULL,
                due_date       TEXT NOT NULL,
                state          TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
                                   ('pending', 'first_sent', 'second_sent', 'at_risk', 'settled')),
                round          INTEGER NOT NULL DEFAULT 0,
                next_on        TEXT NOT NULL,
                snoozed_until  TEXT,
                at_risk_since  TEXT,
                answered_by    INTEGER REFERENCES members (id) ON DELETE SET NULL,
                answer         TEXT CHECK (answer IS NULL OR answer IN ('contact', 'snooze', 'in_touch')),
                answered_at    TEXT,
                settled_at     TEXT,
                created_at     TEXT NOT NULL,
                UNIQUE (partnership_id, due_date)
            )
            """,
            # At most one open cycle per partnership.
            """
            CREATE UNIQUE INDEX checkin_cycles_open ON checkin_cycles (partnership_id)
            WHERE state != 'settled'
            """,
            "CREATE INDEX checkin_cycles_state ON checkin_cycles (state, next_on) WHERE state != 'settled'",
            # One reminder message per member and local day: "never more than once a day" is this UNIQUE.
            # Written (committed) before the message is sent; chat_message_id once Telegram has it.
            """
            CREATE TABLE reminders (
                id              INTEGER PRIMARY KEY,
                member_id       INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
                local_day       TEXT NOT NULL,
                state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending',
                                    'sent', 'blocked', 'failed', 'unknown', 'dropped')),
                not_before      TEXT NOT NULL,
                chat_message_id INTEGER,
                created_at      TEXT NOT NULL,
                sent_at         TEXT,
                UNIQUE (member_id, local_day)
            )
            """,
            "CREATE INDEX reminders_pending ON reminders (not_before) WHERE state IN ('pending', 'sending')",
            # What a reminder is about: each partnership's round for that member, at most once ever.
            """
            CREATE TABLE reminder_sends (
                partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
                member_id      INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
                due_date       TEXT NOT NULL,
                round          INTEGER NOT NULL,
                cycle_id       INTEGER NOT NULL REFERENCES checkin_cycles (id) ON DELETE CASCADE,
                reminder_id    INTEGER NOT NULL REFERENCES reminders (id) ON DELETE CASCADE,
                second         INTEGER NOT NULL CHECK (second IN (0, 1)),
                quiet_days     INTEGER NOT NULL,
                PRIMARY KEY (partnership_id, member_id, due_date, round)
            ) WITHOUT ROWID
            """,
            "CREATE INDEX reminder_sends_reminder ON reminder_sends (reminder_id)",
            "CREATE INDEX reminder_sends_cycle ON reminder_sends (cycle_id)",
            # A member's pause: no reminders before paused_until (a day in their own timezone).
            """
            CREATE TABLE reminder_pauses (
                member_id    INTEGER PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
                paused_until TEXT NOT NULL,
                updated_at   TEXT NOT NULL
            )
            """,
            # One digest per staff member and week (the Monday of their local week), claimed before sending.
            """
            CREATE TABLE staff_digests (
                member_id       INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
                week            TEXT NOT NULL,
                chat_message_id INTEGER,
                created_at      TEXT NOT NULL,
                PRIMARY KEY (member_id, week)
            ) WITHOUT ROWID
            """,
        ),
    ),
    Migration(
        "partnerships whose check-in may have changed (contacts, status, period, committee) since a tick",
        (
            # The tick recomputes these few instead of every partnership each minute; a full pass runs
            # once a day, when due dates advance with the calendar alone.
            "CREATE TABLE checkin_dirty (partnership_id INTEGER PRIMARY KEY) WITHOUT ROWID",
            # The timezones members chose, read by the tick whenever something changed.
            "CREATE INDEX members_timezone ON members (timezone) WHERE timezone IS NOT NULL",
            """
            CREATE TRIGGER checkin_dirty_contact_added AFTER INSERT ON contacts BEGIN
                INSERT OR IGNORE INTO checkin_dirty (partnership_id) VALUES (NEW.partnership_id);
            END
            """,
            """
            CREATE TRIGGER checkin_dirty_contact_changed
            AFTER UPDATE OF partnership_id, contact_date ON contacts BEGIN
                INSERT OR IGNORE INTO checkin_dirty (partnership_id) VALUES (OLD.partnership_id);
                INSERT OR IGNORE INTO checkin_dirty (partnership_id) VALUES (NEW.partnership_id);
            END
            """,
            """
            CREATE TRIGGER checkin_dirty_contact_deleted AFTER DELETE ON contacts BEGIN
                INSERT OR IGNORE INTO checkin_dirty (partnership_id) VALUES (OLD.partnership_id);
            END
            """,
            """
            CREATE TRIGGER checkin_dirty_partnership_added AFTER INSERT ON partnerships BEGIN
                INSERT OR IGNORE INTO checkin_dirty (partnership_id) VALUES (NEW.id);
            END
            """,
            """
            CREATE TRIGGER checkin_dirty_partnership_changed
            AFTER UPDATE OF status, checkin_days, created_at ON partnerships BEGIN
                INSERT OR IGNORE INTO checkin_dirty (partnership_id) VALUES (NEW.id);
            END
            """,
            # Who may be owed a reminder changed too: a new seat, a member reachable again or in another
            # timezone, a pause changed. Their partnerships are looked at again on the next tick.
            """
            CREATE TRIGGER checkin_dirty_seat_added AFTER INSERT ON memberships BEGIN
                INSERT OR IGNORE INTO checkin_dirty (partnership_id) VALUES (NEW.partnership_id);
            END
            """,
            """
            CREATE TRIGGER checkin_dirty_member_changed AFTER UPDATE OF active, timezone ON members BEGIN
                INSERT OR IGNORE INTO checkin_dirty (partnership_id)
                SELECT partnership_id FROM memberships WHERE member_id = NEW.id;
            END
            """,
            """
            CREATE TRIGGER checkin_dirty_pause_changed AFTER UPDATE ON reminder_pauses BEGIN
                INSERT OR IGNORE INTO checkin_dirty (partnership_id)
                SELECT partnership_id FROM memberships WHERE member_id = NEW.member_id;
            END
            """,
            """
            CREATE TRIGGER checkin_dirty_pause_ended AFTER DELETE ON reminder_pauses BEGIN
                INSERT OR IGNORE INTO checkin_dirty (partnership_id)
                SELECT partnership_id FROM memberships WHERE member_id = OLD.member_id;
            END
            """,
        ),
    ),
    Migration(
        "each partnership's quiet spell and check-in due date, recomputed only when its inputs change",
        (
            # The tick keeps these rows for the partnerships in checkin_dirty, so the daily pass over every
            # partnership is a range scan of due_date instead of a look-up of every last contact.
            # default_days is the network's period it was computed with (NULL: the partnership has its own).
            """
            CREATE TABLE checkin_due (
                partnership_id INTEGER PRIMARY KEY REFERENCES partnerships (id) ON DELETE CASCADE,
                quiet_since    TEXT NOT NULL,
                due_date       TEXT NOT NULL,
                default_days   INTEGER
            ) WITHOUT ROWID
            """,
            "CREATE INDEX checkin_due_date ON checkin_due (due_date)",
            "INSERT OR IGNORE INTO checkin_dirty (partnership_id) SELECT id FROM partnerships",
        ),
    ),
    Migration(
        "a version of the registry's place names, so every process notices a partnership added or renamed",
        (
            # One row, bumped by every partnership added, renamed or removed, by this process or another
            # (`sisterbot import` beside the running bot): the bot's place index reads it before answering.
            """
            CREATE TABLE registry_version (
                id      INTEGER PRIMARY KEY CHECK (id = 1),
                version INTEGER NOT NULL
            )
            """,
            "INSERT INTO registry_version (id, version) VALUES (1, 0)",
            # Which partnerships changed at which version: one row each (the latest), so the index reloads
            # only those. No foreign key: a removed partnership's row says it is gone.
            """
            CREATE TABLE registry_changes (
                partnership_id INTEGER PRIMARY KEY,
                version        INTEGER NOT NULL
            )
            """,
            "CREATE INDEX registry_changes_version ON registry_changes (version)",
            """
            CREATE TRIGGER registry_partnership_added AFTER INSERT ON partnerships BEGIN
                UPDATE registry_version SET version = version + 1;
                INSERT OR REPLACE INTO registry_changes (partnership_id, version)
                SELECT NEW.id, version FROM registry_version;
            END
            """,
            """
            CREATE TRIGGER registry_partnership_renamed
            AFTER UPDATE OF id, us_name, us_state, partner_name, partner_region, partner_country
            ON partnerships
            WHEN OLD.id IS NOT NEW.id OR OLD.us_name IS NOT NEW.us_name OR OLD.us_state IS NOT NEW.us_state
                OR OLD.partner_name IS NOT NEW.partner_name OR OLD.partner_region IS NOT NEW.partner_region
                OR OLD.partner_country IS NOT NEW.partner_country
            BEGIN
                UPDATE registry_version SET version = version + 1;
                INSERT OR REPLACE INTO registry_changes (partnership_id, version)
                SELECT OLD.id, version FROM registry_version;
                INSERT OR REPLACE INTO registry_changes (partnership_id, version)
                SELECT NEW.id, version FROM registry_version;
            END
            """,
            """
            CREATE TRIGGER registry_partnership_removed AFTER DELETE ON partnerships BEGIN
                UPDATE registry_version SET version = version + 1;
                INSERT OR REPLACE INTO registry_changes (partnership_id, version)
                SELECT OLD.id, version FROM registry_version;
            END
            """,
        ),
    ),
    Migration(
        "the audit log of staff and admin actions, and the drafts of staff conversations",
        (
            # Who did what, when, with the values before and after (JSON). Names are copied at the time
            # (admins need not be members); /forgetme blanks them below, so an entry stays, by "a former
            # member". partnership_id survives its partnership's deletion as NULL.
            """
            CREATE TABLE audit_log (
                id             INTEGER PRIMARY KEY,
                at             TEXT NOT NULL,
                actor_id       INTEGER,
                actor_name     TEXT NOT NULL DEFAULT '',
                action         TEXT NOT NULL,
                partnership_id INTEGER REFERENCES partnerships (id) ON DELETE SET NULL,
                subject_id     INTEGER,
                subject_name   TEXT NOT NULL DEFAULT '',
                old_values     TEXT NOT NULL DEFAULT '{}',
                new_values     TEXT NOT NULL DEFAULT '{}'
            )
            """,
            "CREATE INDEX audit_log_actor ON audit_log (actor_id) WHERE actor_id IS NOT NULL",
            "CREATE INDEX audit_log_subject ON audit_log (subject_id) WHERE subject_id IS NOT NULL",
            """
            CREATE INDEX audit_log_partnership ON audit_log (partnership_id)
            WHERE partnership_id IS NOT NULL
            """,
            """
            CREATE TRIGGER audit_log_forget AFTER DELETE ON members BEGIN
                UPDATE audit_log SET actor_id = NULL, actor_name = '' WHERE actor_id = OLD.id;
                UPDATE audit_log SET subject_id = NULL, subject_name = '' WHERE subject_id = OLD.id;
            END
            """,
            # What a staff member has filled in so far in one multi-step task (a status change, an import
            # waiting for Apply), as JSON; kept across restarts, erased with the member.
            """
            CREATE TABLE staff_drafts (
                member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
                kind       TEXT NOT NULL,
                payload    TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (member_id, kind)
            ) WITHOUT ROWID
            """,
        ),
    ),
)
