"""`sisterbot demo` opens the dashboard in any browser: a link signed as Telegram would sign it."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from bot.dashboard.initdata import validate
from bot.demo import DEMO_ADMIN_ID, dashboard_link, demo
from bot.sandbox import BotApiServer


async def test_the_demo_s_dashboard_link_is_signed_for_the_person_with_the_demo_s_token() -> None:
    server = BotApiServer()
    you = server.user("You", language_code="en", user_id=DEMO_ADMIN_ID)
    link = dashboard_link("http://127.0.0.1:8081/dashboard/", server.token, you)
    parts = urlsplit(link)
    assert parts.path == "/dashboard/"
    init_data = parse_qs(parts.fragment)["tgWebAppData"][0]
    user = validate(init_data, server.token, max_age_seconds=60, now=datetime.now(UTC))
    assert (user.id, user.first_name) == (DEMO_ADMIN_ID, "You")


async def test_dashboard_in_the_demo_prints_a_link_for_whoever_is_speaking() -> None:
    out = io.StringIO()
    assert await demo(["/dashboard", "/as sam", "/dashboard", "/as olga", "/dashboard"], out) == 0
    transcript = out.getvalue()
    links = re.findall(
        r"\[(?:Dashboard|Панель)\] (http://127\.0\.0\.1:\d+/dashboard/#tgWebAppData=\S+)", transcript
    )
    assert len(links) == 2  # the admin and Sam, who coordinates; Olga is a plain member
    assert "[1] Dashboard" not in transcript  # a link, not a button to press by number
    assert (
        "staff" in transcript.split("Olga > /dashboard")[1] or "сотрудник" in transcript.split("Olga > ")[1]
    )
