"""Where each person stands in each multi-step conversation, so a restart does not lose their place."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.partnerships import utc_now

Key = tuple[int | str, ...]

# The rows of one person: their id is in the key (private chat and user are the same id; a group's id is
# negative, so it is never mistaken for a person's).
PERSON_KEY = "EXISTS (SELECT 1 FROM json_each(conversations.key) WHERE json_each.value = :person)"


@dataclass(frozen=True, slots=True)
class ConversationState:
    """Where one person stands in one conversation, as stored."""

    name: str
    key: Key
    state: object
    updated_at: datetime


def _key(key: Key) -> str:
    return json.dumps(list(key), separators=(",", ":"))


class ConversationRepository:
    """Conversation states by conversation name and key (chat, user…), both stored as JSON."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def states(self, name: str) -> dict[Key, object]:
        """Every stored state of one conversation, by key."""
        query = "SELECT key, state FROM conversations WHERE name = ?"
        async with self._db.conn().execute(query, (name,)) as cursor:
            rows = await cursor.fetchall()
        return {tuple(json.loads(row["key"])): json.loads(row["state"]) for row in rows}

    async def states_of(self, person_id: int) -> list[ConversationState]:
        """Every stored state whose key names this person (for /mydata)."""
        query = f"SELECT * FROM conversations WHERE {PERSON_KEY} ORDER BY name, key"  # noqa: S608
        async with self._db.conn().execute(query, {"person": person_id}) as cursor:
            rows = await cursor.fetchall()
        return [
            ConversationState(
                row["name"],
                tuple(json.loads(row["key"])),
                json.loads(row["state"]),
                datetime.fromisoformat(row["updated_at"]),
            )
            for row in rows
        ]

    async def set_state(self, name: str, key: Key, state: object | None) -> None:
        """Remember a state (JSON-serialisable); None forgets the key (the conversation ended)."""
        async with self._db.transaction() as conn:
            if state is None:
                await conn.execute("DELETE FROM conversations WHERE name = ? AND key = ?", (name, _key(key)))
                return
            await conn.execute(
                """
                INSERT INTO conversations (name, key, state, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (name, key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                """,
                (name, _key(key), json.dumps(state), utc_now().isoformat()),
            )
