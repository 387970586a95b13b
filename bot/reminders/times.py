"""When a reminder may reach a member: the reminder hour on their own clock, never inside quiet hours."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.config import QuietHours
from bot.i18n import country_codes

# The latest local day anywhere (UTC+14, Kiribati): a check-in opens once its due day has begun somewhere.
EARLIEST_OFFSET = timedelta(hours=14)


@cache
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name (cached: the tick asks for every zone each minute)."""
    return ZoneInfo(name)


def is_timezone(name: str) -> bool:
    """Whether `name` is an IANA timezone this system knows ("Europe/Moscow", not "Moscow")."""
    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@cache
def every_timezone() -> tuple[str, ...]:
    """Every IANA timezone name, read once."""
    return tuple(sorted(available_timezones()))


@lru_cache(maxsize=4096)  # every zone's moment for a few days
def reminder_moment(day: date, zone_name: str, hour: int, quiet: QuietHours) -> datetime | None:
    """The first moment (UTC) at or after `hour` o'clock on `day` in the zone that is not in quiet hours.

    In an autumn overlap the first of the two readings counts (fold=0), and a repeated hour finds the
    reminder already claimed for that day. In a spring gap the moment is the end of the gap: the first
    minute whose wall clock has passed the hour. None if quiet hours cover the rest of that day.
    """
    start = time(hour)
    if start in quiet:
        if quiet.end <= start:
            return None
        start = quiet.end
    tz = zone(zone_name)
    wall = datetime.combine(day, start)
    moment = wall.replace(tzinfo=tz).astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != wall:
        # `wall` does not exist that day; fold=0 read it with the offset before the gap, which lands at
        # most the gap's length after its end: walk back to the first minute past the hour.
        while (earlier := moment - timedelta(minutes=1)).astimezone(tz).replace(tzinfo=None) >= wall:
            moment = earlier
    return moment


def local_day(now: datetime, zone_name: str) -> date:
    """The day it is in a timezone at `now`."""
    return now.astimezone(zone(zone_name)).date()


def is_reminder_time(now: datetime, zone_name: str, hour: int, quiet: QuietHours) -> bool:
    """Whether a reminder owed today may go out now in this zone: past today's moment, not in quiet hours."""
    local = now.astimezone(zone(zone_name))
    moment = reminder_moment(local.date(), zone_name, hour, quiet)
    return moment is not None and now >= moment and local.time() not in quiet


def open_zones(now: datetime, names: Iterable[str], hour: int, quiet: QuietHours) -> dict[str, date]:
    """The zones where reminders may go out now, each with its local day."""
    return {name: local_day(now, name) for name in names if is_reminder_time(now, name, hour, quiet)}


def week_of(day: date) -> date:
    """The Monday of the week `day` is in."""
    return day - timedelta(days=day.weekday())


# Offered by /timezone from the member's language; their partnerships' countries add theirs.
_LANGUAGE_ZONES = {
    "en": (
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
        "America/Anchorage",
        "Pacific/Honolulu",
    ),
    "ru": (
        "Europe/Kaliningrad",
        "Europe/Moscow",
        "Europe/Samara",
        "Asia/Yekaterinburg",
        "Asia/Novosibirsk",
        "Asia/Krasnoyarsk",
        "Asia/Irkutsk",
        "Asia/Vladivostok",
    ),
}
_COUNTRY_ZONES_LIMIT = 4


@cache
def _zones_by_country() -> dict[str, tuple[str, ...]]:
    """ISO country code -> its IANA zones, from tzdata's zone.tab (the most populous zone first)."""
    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    found: dict[str, list[str]] = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            code, _coordinates, name, *_ = line.split("\t")
            found.setdefault(code, []).append(name)
    return {code: tuple(names) for code, names in found.items()}


def zones_to_offer(language: str, countries: Iterable[str], current: str | None) -> list[str]:
    """The timezones /timezone offers as buttons: the member's current one, their language's, their
    partnerships' countries'."""
    offered = [current] if current else []
    offered += _LANGUAGE_ZONES.get(language, _LANGUAGE_ZONES["en"])
    for country in countries:
        code = country_codes().get(country.casefold())
        if code == "RU":
            offered += _LANGUAGE_ZONES["ru"]
        elif code:
            offered += _zones_by_country().get(code, ())[:_COUNTRY_ZONES_LIMIT]
    return [name for name in dict.fromkeys(offered) if is_timezone(name)]
