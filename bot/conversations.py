"""Conversation persistence in the bot's own SQLite database: PTB's BasePersistence for conversations only.

User, chat and bot data are not persisted (the database is the system of record, and nothing is pickled);
each ConversationHandler with persistent=True has its states restored from the `conversations` table.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, NoReturn

from telegram.ext import BasePersistence, PersistenceInput

from storage.conversations import ConversationRepository
from storage.db import Database

log = logging.getLogger(__name__)

# PTB's own aliases live in a private module; these are the same shapes.
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
CallbackCache = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]

# Written this often (seconds); a crash loses at most this much of where people stood. A drafted
# contact itself is written on every step by the handler, so no typed text is lost.
UPDATE_INTERVAL = 1.0

_CONVERSATIONS_ONLY = PersistenceInput(bot_data=False, chat_data=False, user_data=False, callback_data=False)


class SQLiteConversations(BasePersistence[dict[Any, Any], dict[Any, Any], Any]):
    """Stores the states of persistent conversations in the database at `path`, on its own connection.

    The Application asks for conversations in initialize(), before post_init opens the services, and
    writes the last states in shutdown(), after post_shutdown closed them; so this keeps its own.
    """

    def __init__(self, path: Path, update_interval: float = UPDATE_INTERVAL) -> None:
        super().__init__(store_data=_CONVERSATIONS_ONLY, update_interval=update_interval)
        self._path = path
        self._db: Database | None = None

    async def _repository(self) -> ConversationRepository:
        if self._db is None:
            self._db = await Database.open(self._path)
        return ConversationRepository(self._db)

    async def get_conversations(self, name: str) -> ConversationDict:
        """The stored states of the conversation `name`."""
        states = await (await self._repository()).states(name)
        log.info("restored %s conversation(s) of %s", len(states), name)
        return states

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        """Store (or, when it ended, drop) one conversation's state."""
        await (await self._repository()).set_state(name, key, new_state)

    async def flush(self) -> None:
        """Close the connection; called by Application.shutdown() after the last update."""
        if self._db is not None:
            await self._db.close()
            self._db = None

    # Nothing else is stored (see store_data): the Application never asks for it.

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        """No user data is stored."""
        return {}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        """No chat data is stored."""
        return {}

    async def get_bot_data(self) -> NoReturn:
        """bot_data holds open services; it is built at start-up, never restored."""
        raise NotImplementedError("bot_data is not persisted")

    async def get_callback_data(self) -> CallbackCache | None:
        """Callback data is a plain key in this bot; nothing is cached."""
        return None

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        """Not stored."""

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        """Not stored."""

    async def update_bot_data(self, data: Any) -> None:
        """Not stored."""

    async def update_callback_data(self, data: CallbackCache) -> None:
        """Not stored."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Not stored."""

    async def drop_user_data(self, user_id: int) -> None:
        """Not stored."""

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """Not stored."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Not stored."""

    async def refresh_bot_data(self, bot_data: Any) -> None:
        """Not stored."""
