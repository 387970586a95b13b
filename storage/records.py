"""Typed records the repositories return; nothing here knows about Telegram."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Status(StrEnum):
    """Where a partnership stands."""

    ACTIVE = "active"
    PAUSED = "paused"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class UsKind(StrEnum):
    """What kind of US member a partnership has."""

    CITY = "city"
    COUNTY = "county"
    STATE = "state"


class PartnerKind(StrEnum):
    """What kind of place the partner abroad is."""

    CITY = "city"
    REGION = "region"


@dataclass(frozen=True, slots=True)
class PartnershipFields:
    """What describes a partnership, as typed by staff or read from a CSV row."""

    us_name: str
    us_state: str
    us_kind: UsKind
    partner_name: str
    partner_region: str
    partner_country: str
    partner_kind: PartnerKind
    established_year: int | None
    status: Status
    checkin_days: int | None


@dataclass(frozen=True, slots=True)
class NewPartnership:
    """A partnership to register, with what the first entry of its status history says."""

    fields: PartnershipFields
    status_since: date | None
    status_note: str


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A status to set on a registered partnership: when it took effect and why."""

    partnership_id: int
    new_status: Status
    effective_date: date | None
    reason: str = ""
    decided_by: str = ""


@dataclass(frozen=True, slots=True)
class Partnership:
    """A US member's partnership with a place abroad, with its current status."""

    id: int
    us_name: str
    us_state: str
    us_kind: UsKind
    partner_name: str
    partner_region: str
    partner_country: str
    partner_kind: PartnerKind
    established_year: int | None
    status: Status
    checkin_days: int | None
    # From the latest status change: when the current status took effect and why.
    status_since: date | None
    status_note: str
    created_at: datetime
    updated_at: datetime

    @property
    def title(self) -> str:
        """Both sides, as people say it: "Roanoke – Pskov"."""
        return f"{self.us_name} – {self.partner_name}"

    def fields(self) -> PartnershipFields:
        """The descriptive fields, for comparison with an incoming row."""
        return PartnershipFields(
            us_name=self.us_name,
            us_state=self.us_state,
            us_kind=self.us_kind,
            partner_name=self.partner_name,
            partner_region=self.partner_region,
            partner_country=self.partner_country,
            partner_kind=self.partner_kind,
            established_year=self.established_year,
            status=self.status,
            checkin_days=self.checkin_days,
        )


@dataclass(frozen=True, slots=True)
class PartnershipNames:
    """What a partnership is found by: the names of both sides, the partner's region and country."""

    id: int
    us_name: str
    us_state: str
    partner_name: str
    partner_region: str
    partner_country: str


@dataclass(frozen=True, slots=True)
class RegistryChanges:
    """What changed in the registry's names since a version: partnerships added or renamed, and removed."""

    version: int
    changed: list[PartnershipNames]
    removed: list[int]


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One dated change of a partnership's status: who decided, why, on what authority."""

    id: int
    partnership_id: int
    old_status: Status | None
    new_status: Status
    effective_date: date | None
    decided_by: str
    reason: str
    source: str
    recorded_by: str
    recorded_at: datetime
