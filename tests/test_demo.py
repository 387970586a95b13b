"""`sisterbot demo`: a newcomer's first chat with the bot, offline, on the sample data."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from bot.demo import DemoChat, converse, demo
from bot.sandbox import BotApiServer

TOUR = """\
# a member joins, the coordinator approves, a Russian reader asks about Kostroma
/as max
/start
Pskov
1
/as sam
1
/as olga
что с Костромой?
/as max
/status Pskov
"""


async def test_a_scripted_tour_shows_every_role() -> None:
    out = io.StringIO()
    status = await demo(TOUR.splitlines(), out)
    # Russian dates keep their narrow no-break space before "г.": compare as a reader sees them.
    transcript = out.getvalue().replace("\u202f", " ").replace("\xa0", " ")
    assert status == 0, transcript
    assert "Max > /start" in transcript
    assert "[1] Roanoke – Pskov (Russia)" in transcript
    assert "[1] Approve   [2] Decline" in transcript
    assert "Welcome to the Roanoke – Pskov (Russia) committee!" in transcript
    assert "Статус: действует с 1 мар. 2022 г." in transcript
    assert "Status: active since Mar 7, 2022" in transcript


LOG_TOUR = """\
# the Roanoke – Pskov coordinator logs a Zoom call with the buttons; the card then shows it
/as sam
/log
1
1
Met the Pskov youth council on Zoom
/say 12
1
/status Pskov
"""


async def test_a_scripted_contact_shows_on_the_card() -> None:
    out = io.StringIO()
    status = await demo(LOG_TOUR.splitlines(), out)
    transcript = out.getvalue()
    assert status == 0, transcript
    assert "12 people took part" in transcript
    assert "Logged: Zoom or video call on" in transcript
    card = transcript[transcript.index("Sam > /status Pskov") :]
    assert "Last contact:" in card
    assert "(Zoom)" in card
    assert "1 contact in the last 90 days" in card


async def test_inline_queries_and_documents_show_in_the_terminal() -> None:
    out = io.StringIO()
    status = await demo(["@sister_cities_bot Durham", "/as olga", "/mydata"], out)
    transcript = out.getvalue()
    assert status == 0, transcript
    assert "▸ Durham – Kostroma: Status: active since Mar 1, 2022" in transcript
    assert "[document: my-data.json]" in transcript
    assert '|     "first_name": "Olga",' in transcript


async def test_a_script_fails_when_the_bot_does_not_answer() -> None:
    async with BotApiServer() as server:
        # No bot is polling this server, so nobody answers.
        out = io.StringIO()
        chat = DemoChat(server, out, echo=True, answer_timeout=0.3)
        assert await converse(chat, ["/help"]) == 1
    assert "!! no answer to '/help'" in out.getvalue()


def test_the_interactive_demo_reads_the_terminal_and_quits_cleanly(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        input="/as\n/help\n/quit\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "You are an admin" in result.stdout
    assert "/as Olga" in result.stdout
    assert "/status" in result.stdout
    assert "Traceback" not in result.stderr
