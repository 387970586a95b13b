"""The place index follows the registry, whoever changes it: this process, another, `sisterbot import`."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Config
from bot.context import BotApplication
from bot.registry.places import PlaceLookup
from bot.sandbox import BotApiServer
from storage.db import Database
from storage.partnerships import PartnershipRepository
from storage.records import Status
from tests.conftest import SAMPLE_CSV
from tests.factories import add_partnership, partnership_fields

ASHEVILLE = (
    "us_name,us_state,us_kind,partner_name,partner_region,partner_country,partner_kind,established_year,"
    "status,status_since,status_note,checkin_days\n"
    "Asheville,NC,city,Vladimir,Vladimir Oblast,Russia,city,1995,active,2023-05-01,Renewed by the council,\n"
)


@pytest.fixture
async def other(db: Database) -> AsyncIterator[Database]:
    """A second connection to the same database file, as another process would have."""
    database = await Database.open(db.path)
    try:
        yield database
    finally:
        await database.close()


async def titles(lookup: PlaceLookup, query: str) -> list[str]:
    return [p.title for p in (await lookup.match(query)).matches]


async def test_partnerships_added_renamed_and_removed_elsewhere_are_found_as_they_now_are(
    db: Database, other: Database
) -> None:
    await add_partnership(db)
    lookup = PlaceLookup(PartnershipRepository(db))
    await lookup.load()
    assert await titles(lookup, "Pskov") == ["Roanoke – Pskov"]
    assert await titles(lookup, "Kostroma") == []

    durham = await add_partnership(other, us_name="Durham", us_state="NC", partner_name="Kostroma")
    assert await titles(lookup, "Kostroma") == ["Durham – Kostroma"]

    await PartnershipRepository(other).update_details(durham, partnership_fields(partner_name="Toyama"))
    assert await titles(lookup, "Kostroma") == []
    assert await titles(lookup, "Toyama") == ["Roanoke – Toyama"]

    async with other.transaction() as conn:
        await conn.execute("DELETE FROM partnerships WHERE id = ?", (durham,))
    assert await titles(lookup, "Toyama") == []
    assert await titles(lookup, "Roanoke") == ["Roanoke – Pskov"]


async def test_a_status_change_leaves_the_index_alone_and_the_card_shows_the_new_status(
    db: Database, other: Database
) -> None:
    partnership_id = await add_partnership(db)
    repository = PartnershipRepository(db)
    lookup = PlaceLookup(repository)
    await lookup.load()
    version = await repository.registry_version()

    await PartnershipRepository(other).set_status(
        partnership_id, Status.SUSPENDED, effective_date=None, recorded_by="tests"
    )
    assert await repository.registry_version() == version
    [found] = (await lookup.match("Pskov")).matches
    assert found.status == "suspended"


async def test_a_database_that_went_back_in_time_is_loaded_again(db: Database, other: Database) -> None:
    await add_partnership(db)
    lookup = PlaceLookup(PartnershipRepository(db))
    await lookup.load()
    # As if another database had been restored under the running bot, its version behind the index's.
    async with other.transaction() as conn:
        await conn.execute("DELETE FROM partnerships")
    await add_partnership(other, us_name="Durham", us_state="NC", partner_name="Kostroma")
    async with other.transaction() as conn:
        await conn.execute("DELETE FROM registry_changes")
        await conn.execute("UPDATE registry_version SET version = 0")
    assert await titles(lookup, "Kostroma") == ["Durham – Kostroma"]
    assert await titles(lookup, "Roanoke") == []


async def test_details_written_again_unchanged_do_not_move_the_version(db: Database) -> None:
    partnership_id = await add_partnership(db)
    repository = PartnershipRepository(db)
    version = await repository.registry_version()
    await repository.update_details(partnership_id, partnership_fields(checkin_days=90))
    assert await repository.registry_version() == version


async def test_a_partnership_imported_by_sisterbot_import_while_the_bot_runs_is_found_by_status(
    bot: BotApplication, sandbox: BotApiServer, bot_config: Config, tmp_path: Path
) -> None:
    alice = sandbox.user("Alice")
    await alice.send("/status Vladimir")
    assert "I don't know a place called “Vladimir”" in (await alice.reply()).text

    config = tmp_path / "import.toml"
    config.write_text(f'[database]\npath = "{bot_config.database_path.name}"\n')
    new_file = tmp_path / "asheville.csv"
    rows = SAMPLE_CSV.read_text(encoding="utf-8") + ASHEVILLE.split("\n", 1)[1]
    new_file.write_text(rows, encoding="utf-8")
    command = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "import",
        str(new_file),
        "--config",
        str(config),
        cwd=Path(__file__).parents[1],
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await asyncio.wait_for(command.communicate(), timeout=60)
    assert command.returncode == 0
    assert "1 added" in output.decode()

    await alice.send("/status Владимир")
    card = (await alice.reply()).text
    assert "Asheville – Vladimir" in card
    assert "Renewed by the council" in card
