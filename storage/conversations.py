"""Where each person stands in each multi-step conversation, so a restart does not lose their place."""

from __future__ import annotations

import json

from storage.db import Database
from storage.partnerships import utc_now

Key = tuple[int | str, ...]


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
