"""The dashboard in a real browser (Debian's headless Chromium, driven by Playwright), as a person uses it.

Playwright's own browser download is not used: the test drives /usr/bin/chromium. Telegram's script is
blocked, as it would be offline, so the page must work on its own. Set DASHBOARD_SCREENSHOTS to a folder to
keep the screenshots.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.context import BotApplication
from bot.sandbox import BotApiServer, SandboxUser
from storage.contacts import ContactFields
from tests.dashboard.conftest import TODAY_CONTACTS, init_data_for
from tests.people import PSKOV, Who, partnership_id, person, services_of

playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_INSTALLED = CHROMIUM.exists()
# As root in a closed network: no sandbox, no GPU, and none of Chromium's own calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
THEME = {"bg_color": "#17212b", "text_color": "#f5f5f5", "button_color": "#5288c1", "hint_color": "#8b9aa8"}


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if not CHROMIUM_INSTALLED:
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's chromium for the browser test (.ci/run installs it)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def open_dashboard(browser: Any, bot: BotApplication, init_data: str, width: int = 1000) -> Any:
    page = await browser.new_page(viewport={"width": width, "height": 800})
    await page.route("https://telegram.org/**", lambda route: route.abort())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    fragment = urlencode({"tgWebAppData": init_data, "tgWebAppThemeParams": json.dumps(THEME)})
    await page.goto(f"{bot.bot_data.config.webapp.url}#{fragment}")
    await page.wait_for_selector("body[data-ready='1']", timeout=10_000)
    assert errors == []
    return page


async def some_contacts(bot: BotApplication) -> None:
    pid = await partnership_id(bot, PSKOV)
    await services_of(bot).contacts.add_many(
        [
            (None, ContactFields(pid, channel, day, "Zoom with the youth council"))
            for channel, day in TODAY_CONTACTS
        ],
        today=max(day for _channel, day in TODAY_CONTACTS),
    )


def keep(screenshot: Path) -> None:
    folder = os.environ.get("DASHBOARD_SCREENSHOTS")
    if folder:
        shutil.copy(screenshot, Path(folder) / screenshot.name)


async def test_a_staff_member_reads_sorts_and_filters_the_table_and_sees_the_chart(
    dashboard_bot: BotApplication, sandbox: BotApiServer, browser: Any, tmp_path: Path
) -> None:
    await some_contacts(dashboard_bot)
    staff = await person(dashboard_bot, sandbox, Who.STAFF)
    page = await open_dashboard(browser, dashboard_bot, init_data_for(staff, sandbox.token))
    rows = page.locator("#table-body tr[data-id]")
    assert await rows.count() == 8
    assert "Pskov" in await page.locator("#table-body").inner_text()
    assert await page.locator("#shown").inner_text() == "8 of 8 partnerships"
    # The chart is drawn: one bar per channel and month with contacts.
    assert await page.locator("svg[data-chart='contacts'] rect").count() >= 2
    assert await page.locator("svg[data-chart='statuses'] polyline").count() == 2
    # The theme Telegram passed is the page's.
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(23, 33, 43)"
    # Filtering by country narrows it.
    await page.select_option("#f-country", "Russia")
    await expect(rows).to_have_count(4)
    text = await page.locator("#table-body").inner_text()
    assert "Kostroma" in text
    assert "Wonju" not in text
    # Sorting by last contact, newest first: Pskov, the only one with contacts, comes first.
    await page.select_option("#f-country", "")
    await expect(rows).to_have_count(8)
    header = page.locator("th[data-sort='last_contact']")
    await header.click()
    await expect(header).to_have_attribute("aria-sort", "ascending")
    await header.click()
    await expect(header).to_have_attribute("aria-sort", "descending")
    await expect(rows.first.locator("td").nth(1)).to_contain_text("Pskov")
    # A row opens the partnership's page, with its history and contact log.
    await page.locator("#table-body tr[data-id]").first.click()
    await page.wait_for_selector("#detail:not([hidden])")
    assert "Roanoke – Pskov" in await page.locator("#card h2").inner_text()
    assert "Zoom with the youth council" in await page.locator("#log").inner_text()
    await page.screenshot(path=str(tmp_path / "dashboard-detail.png"))
    keep(tmp_path / "dashboard-detail.png")


async def test_on_a_360_pixel_phone_in_russian_nothing_scrolls_sideways(
    dashboard_bot: BotApplication, sandbox: BotApiServer, browser: Any, tmp_path: Path
) -> None:
    await some_contacts(dashboard_bot)
    staff: SandboxUser = await person(dashboard_bot, sandbox, Who.STAFF)
    page = await open_dashboard(
        browser, dashboard_bot, init_data_for(staff, sandbox.token, language="ru"), 360
    )
    assert await page.locator("h1").inner_text() == "Города-побратимы: вся сеть на одном экране"
    assert await page.evaluate("document.documentElement.lang") == "ru"
    assert "Россия" in await page.locator("#table-body").inner_text()
    # Each row is a card on a phone, its fields labelled in Russian.
    assert await page.locator("#table-body td[data-label='Партнёр']").count() == 8
    assert await page.locator("#csv").inner_text() == "Скачать CSV"
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    for name, full_page in (("dashboard-360-ru.png", False), ("dashboard-360-ru-full.png", True)):
        await page.screenshot(path=str(tmp_path / name), full_page=full_page)
        keep(tmp_path / name)
