"""The dashboard's endpoints at 20,000 partnerships and 1,000,000 contacts: p50/p99 beside the 300 ms target.

Run: python -m bench.dashboard [--partnerships N] [--members N] [--contacts N] [--samples N] [--keep PATH]

The registry is bench/big_registry.py's. The dashboard's own web server runs on it as in the bot, and a client
in the same process asks as the page does, with initData signed for an admin (the whole network) and for a
coordinator (their committees), one request at a time. "first screen" is what the page asks for when it
opens (who am I, the table's first page, the trends) sent together, from the first request to the last
answer. With Debian's chromium and Playwright installed, the time until the page is usable in a browser is
measured too. Figures, not a pass/fail test.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bench import big_registry
from bot.config import Config, TelegramConfig, WebAppConfig
from bot.dashboard.auth import Stores
from bot.dashboard.initdata import sign
from bot.dashboard.server import DashboardServer
from storage.audit import AuditRepository
from storage.dashboard import DashboardRepository
from storage.db import Database
from storage.members import MemberRepository
from storage.partnerships import PartnershipRepository

TOKEN = "123456789:bench-token-not-a-real-one"  # noqa: S105 - the benchmark plays Telegram
ADMIN_ID = 1
TARGET_MS = 300.0  # the first screen's data
PAGE_TARGET_MS = 1000.0  # the page usable in a browser
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_INSTALLED = CHROMIUM.exists()


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


def report(name: str, samples: list[float], target: float | None = TARGET_MS) -> None:
    p50, p99 = _percentiles(samples)
    verdict = ""
    if target is not None:
        verdict = f"   target {target:.0f} ms: {'met' if p99 < target else 'MISSED'}"
    print(f"  {name:<44} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms{verdict}")


async def timed(samples: int, call: Callable[[], Awaitable[object]]) -> list[float]:
    await call()  # warm the caches once, as a person's second look would find them
    results = []
    for _ in range(samples):
        start = time.perf_counter()
        await call()
        results.append((time.perf_counter() - start) * 1000)
    return results


def init_data(user_id: int, name: str) -> str:
    person = {"id": user_id, "first_name": name, "language_code": "en"}
    return sign(TOKEN, person, signed_at=datetime.now(UTC) - timedelta(seconds=1))


async def a_coordinator(db: Database) -> tuple[int, int]:
    """Someone who coordinates a committee, and how many committees they coordinate."""
    query = """
        SELECT member_id, COUNT(*) FROM memberships WHERE role = 'coordinator'
        GROUP BY member_id ORDER BY COUNT(*) DESC LIMIT 1
    """
    async with db.conn().execute(query) as cursor:
        row = await cursor.fetchone()
    assert row is not None, "the registry has no coordinator"
    return int(row[0]), int(row[1])


async def page_usable_ms(url: str, fragment: str, runs: int) -> list[float] | None:
    """Time from opening the page to the table and charts drawn, in Debian's headless chromium."""
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        return None
    if not CHROMIUM_INSTALLED:
        return None
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
    results = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            for run in range(runs + 1):
                page = await browser.new_page(viewport={"width": 390, "height": 800})
                await page.route("https://telegram.org/**", lambda route: route.abort())
                start = time.perf_counter()
                await page.goto(f"{url}#{fragment}")
                await page.wait_for_selector("body[data-ready='1']", timeout=20_000)
                if run:  # the first run starts the browser's own caches
                    results.append((time.perf_counter() - start) * 1000)
                await page.close()
        finally:
            await browser.close()
    return results


async def bench(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="sisterbot-bench-") as workdir:
        path = Path(args.keep) if args.keep else Path(workdir) / "big.db"
        if not path.exists():
            sizes = (
                f"{args.partnerships:,} partnerships, {args.members:,} members, {args.contacts:,} contacts"
            )
            print(f"writing {sizes}")
            start = time.perf_counter()
            await big_registry.create(path, args.partnerships, args.members, args.contacts)
            print(f"  written in {time.perf_counter() - start:.0f} s")
        db = await Database.open(path)
        try:
            await run_endpoints(db, args)
        finally:
            await db.close()


async def run_endpoints(db: Database, args: argparse.Namespace) -> None:
    port = args.port
    config = Config(
        telegram=TelegramConfig(token=TOKEN),
        database_path=db.path,
        admins=(ADMIN_ID,),
        webapp=WebAppConfig(url=f"http://127.0.0.1:{port}/dashboard/", port=port),
    )
    stores = Stores(
        DashboardRepository(db), PartnershipRepository(db), MemberRepository(db), AuditRepository(db)
    )
    server = DashboardServer(config, stores)
    await server.start()
    base = f"http://127.0.0.1:{server.port}/dashboard/"
    partnerships = await PartnershipRepository(db).count()
    async with db.conn().execute("SELECT COUNT(*) FROM contacts") as cursor:
        row = await cursor.fetchone()
    contacts = int(row[0]) if row else 0
    coordinator, committees = await a_coordinator(db)
    admin = init_data(ADMIN_ID, "Admin")
    someone = init_data(coordinator, "Coordinator")
    print(
        f"dashboard at {partnerships:,} partnerships and {contacts:,} contacts, {args.samples} samples each"
    )
    try:
        async with aiohttp.ClientSession() as session:

            def get(path: str, who: str, **params: Any) -> Callable[[], Awaitable[object]]:
                async def call() -> object:
                    headers = {"Authorization": f"tma {who}"}
                    async with session.get(f"{base}{path}", headers=headers, params=params) as response:
                        assert response.status == 200, (path, response.status, await response.text())
                        return await response.read()

                return call

            async def first_screen(who: str) -> None:
                await asyncio.gather(
                    get("api/me", who)(), get("api/partnerships", who)(), get("api/trends", who)()
                )

            first = await timed(args.samples, lambda: first_screen(admin))
            print("the first screen (me + the table's first page + trends, together), as an admin:")
            report("first screen", first)
            print("each endpoint, as an admin (the whole network):")
            cases: list[tuple[str, str, dict[str, Any]]] = [
                ("me (countries for the filter)", "api/me", {}),
                ("table, first page", "api/partnerships", {}),
                ("table, page 100", "api/partnerships", {"page": "100"}),
                (
                    "table, sorted by last contact",
                    "api/partnerships",
                    {"sort": "last_contact", "order": "desc"},
                ),
                (
                    "table, sorted by contacts in 90 days",
                    "api/partnerships",
                    {"sort": "recent", "order": "desc"},
                ),
                ("table, sorted by next check-in", "api/partnerships", {"sort": "next_checkin"}),
                ("table, country = Russia", "api/partnerships", {"country": "Russia"}),
                ("table, status = paused", "api/partnerships", {"status": "paused"}),
                ("table, contact in the last 30 days", "api/partnerships", {"from": _days_ago(30)}),
                ("table, name search 'ber'", "api/partnerships", {"q": "ber"}),
                ("table, at risk only", "api/partnerships", {"at_risk": "1"}),
                ("trends, 12 months", "api/trends", {}),
                ("trends, country = Russia", "api/trends", {"country": "Russia"}),
                ("trends, 8 years", "api/trends", {"from": _days_ago(3000)}),
                ("a partnership's page", "api/partnerships/1", {}),
                ("audit log, first page", "api/audit", {}),
            ]
            for name, path, params in cases:
                report(name, await timed(args.samples, get(path, admin, **params)))
            csv_samples = await timed(max(3, args.samples // 10), get("api/partnerships.csv", admin))
            report("CSV of all partnerships (not the first screen)", csv_samples, None)
            print(f"as a coordinator of {committees} committee(s):")
            report("first screen", await timed(args.samples, lambda: first_screen(someone)))
            report("table, first page", await timed(args.samples, get("api/partnerships", someone)))
            report("trends, 12 months", await timed(args.samples, get("api/trends", someone)))
        fragment = urlencode({"tgWebAppData": admin})
        usable = await page_usable_ms(base, fragment, args.browser_runs)
        if usable is None:
            print("the page in a browser: skipped (needs Debian's chromium and playwright)")
        else:
            print("the page in headless chromium, from opening to the table and charts drawn:")
            report("page usable", usable, PAGE_TARGET_MS)
    finally:
        await server.stop()


def _days_ago(days: int) -> str:
    return (datetime.now(UTC).date() - timedelta(days=days)).isoformat()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=20_000)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--browser-runs", type=int, default=10)
    parser.add_argument("--port", type=int, default=0, help="the dashboard's port (0: any free one)")
    parser.add_argument("--keep", help="write the registry here, or reuse it if it exists")
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
