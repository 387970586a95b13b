"""Finding partnerships by a typed place name, through a place index kept in step with the database.

The index is built once, when the bot starts. Before each question it reads the registry's version (one
row, bumped by triggers whenever a partnership is added, renamed or removed, by this process or by a
`sisterbot import` beside it) and, when that moved, reloads only the partnerships that changed. A question
then reads from the database just the partnerships it shows.
"""

from __future__ import annotations

import asyncio
import logging
import time

from bot.registry.index import PlaceIndex, PlaceMatch
from bot.registry.matching import MatchResult
from storage.partnerships import PartnershipRepository
from storage.records import Partnership, PartnershipNames

log = logging.getLogger(__name__)

# More changes than this at once (a large import) are applied by building a new index off the event loop;
# fewer are applied in place, each in microseconds.
REBUILD_AT = 500


class PlaceLookup:
    """The registry's partnerships, found by what people type."""

    def __init__(self, partnerships: PartnershipRepository) -> None:
        self._partnerships = partnerships
        self._index: PlaceIndex[PartnershipNames] = PlaceIndex()
        self._version: int | None = None
        self._lock = asyncio.Lock()

    async def load(self) -> None:
        """Build the index from the whole registry (at start-up, or after the database went back in time)."""
        start = time.perf_counter()
        version, names = await self._partnerships.names()
        # Thousands of names take a few hundred milliseconds of Python: built in a thread, so the event
        # loop keeps answering with the old index meanwhile.
        self._index = await asyncio.to_thread(PlaceIndex, names)
        self._version = version
        log.info(
            "place index: %s partnerships in %.0f ms", len(self._index), (time.perf_counter() - start) * 1000
        )

    async def current(self) -> PlaceIndex[PartnershipNames]:
        """The index, brought up to date with the registry first if it changed."""
        version = await self._partnerships.registry_version()
        # While a large change is being loaded, other questions are answered from the index as it was.
        if version != self._version and not (self._lock.locked() and self._version is not None):
            async with self._lock:
                if version != self._version:
                    await self._catch_up(version)
        return self._index

    async def _catch_up(self, version: int) -> None:
        known = self._version
        if known is None or version < known:
            await self.load()
            return
        changes = await self._partnerships.changes_since(known)
        if len(changes.changed) + len(changes.removed) > REBUILD_AT:
            await self.load()
            return
        self._index.remove(changes.removed)
        self._index.update(changes.changed)
        self._version = changes.version
        log.info(
            "place index: %s partnerships changed, %s removed (registry version %s)",
            len(changes.changed),
            len(changes.removed),
            changes.version,
        )

    async def match(self, query: str, *, limit: int = 8) -> MatchResult:
        """The partnerships a typed name means, best first, read from the database; else suggestions."""
        found = (await self.current()).match(query, limit=limit)
        partnerships = await self._partnerships.get_many([names.id for names in found.matches])
        return PlaceMatch(partnerships, found.suggestions)

    async def first(self, count: int) -> list[Partnership]:
        """The first partnerships in registry order (US name, state, partner, country)."""
        first = (await self.current()).first(count)
        return await self._partnerships.get_many([names.id for names in first])

    def side_of(self, name: str) -> tuple[int, str] | None:
        """A partnership with this US ("u") or partner ("p") name, the first in registry order."""
        return self._index.side_of(name)
