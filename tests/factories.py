"""Registry records for unit tests: Roanoke – Pskov as the sample data has it, with any field changed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from storage.db import Database
from storage.partnerships import PartnershipRepository
from storage.records import PartnerKind, PartnershipFields, Status, UsKind

ROANOKE_PSKOV = PartnershipFields(
    us_name="Roanoke",
    us_state="VA",
    us_kind=UsKind.CITY,
    partner_name="Pskov",
    partner_region="Pskov Oblast",
    partner_country="Russia",
    partner_kind=PartnerKind.CITY,
    established_year=None,
    status=Status.ACTIVE,
    checkin_days=30,
)


def partnership_fields(**changes: Any) -> PartnershipFields:
    """Roanoke – Pskov, with any field replaced."""
    return replace(ROANOKE_PSKOV, **changes)


async def add_partnership(db: Database, **changes: Any) -> int:
    """Register Roanoke – Pskov (or what `changes` make of it); its id."""
    partnership = await PartnershipRepository(db).add(
        partnership_fields(**changes), status_since=None, status_note="", recorded_by="tests"
    )
    return partnership.id
