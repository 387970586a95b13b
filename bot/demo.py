"""`sisterbot demo`: the real bot on the offline Telegram server and sample data, in a terminal chat."""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlencode

from bot.app import build_application, running
from bot.config import Config, Defaults, TelegramConfig, WebAppConfig
from bot.context import BotApplication
from bot.dashboard.initdata import sign
from bot.pacing import Pacer
from bot.registry.import_export import import_registry_csv
from bot.sandbox import BotApiServer, SandboxMessage, SandboxUser
from storage.db import Database
from storage.members import MemberRepository, Role
from storage.partnerships import PartnershipRepository

log = logging.getLogger(__name__)

DEMO_ADMIN_ID = 1001
# How long the bot may take to start answering, and the silence that means it has finished.
FIRST_ANSWER_SECONDS = 10.0
SETTLE_SECONDS = 0.4
DOCUMENT_PREVIEW_BYTES = 4096
# The demo's dashboard link stays good for a long demo; a real bot's default is an hour.
DEMO_LINK_MINUTES = 24 * 60

HELP = """\
Type messages and commands as in Telegram. Other demo commands:
  NUMBER      press the button with that number on the bot's last message
  /say TEXT   send TEXT as it is (say, a number that is not meant as a button)
  @bot TEXT   an inline query, as typed in any chat: the cards the bot offers to share
  /as NAME    speak as someone else (/as alone lists the people)
  /quit       end the demo (Ctrl-C works too)"""


@dataclass(frozen=True)
class Persona:
    """Someone the demo user can speak as, and the committee seat they start with."""

    key: str
    first_name: str
    language_code: str
    user_id: int
    about: str
    # (US member, partner) of the committee they sit on, and their role there.
    seat: tuple[str, str, Role] | None = None


PERSONAS = (
    Persona("you", "You", "en", DEMO_ADMIN_ID, "an admin of the network (English)"),
    Persona(
        "sam",
        "Sam",
        "en",
        2002,
        "coordinator of the Roanoke – Pskov committee (English)",
        ("Roanoke", "Pskov", Role.COORDINATOR),
    ),
    Persona(
        "olga",
        "Olga",
        "ru",
        3003,
        "member of the Durham – Kostroma committee (reads Russian)",
        ("Durham", "Kostroma", Role.MEMBER),
    ),
    Persona("max", "Max", "en", 4004, "a newcomer who has not joined any committee yet (English)"),
)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def dashboard_link(url: str, token: str, user: SandboxUser) -> str:
    """The address Telegram would open for `user` pressing a button of this bot's Mini App."""
    person = {"id": user.id, "first_name": user.first_name, "language_code": user.language_code}
    init_data = sign(token, person, signed_at=datetime.now(UTC))
    return f"{url}#{urlencode({'tgWebAppData': init_data, 'tgWebAppVersion': '8.0'})}"


def sample_csv() -> bytes:
    """The sample partnerships shipped inside the package."""
    return resources.files("bot").joinpath("data", "partnerships-sample.csv").read_bytes()


@dataclass
class _View:
    """What the terminal last showed of each bot message, to print only news and edits."""

    seen: dict[tuple[int, int], tuple[str, list[list[str]]]] = field(default_factory=dict)
    buttons: list[tuple[SandboxUser, SandboxMessage, str]] = field(default_factory=list)


class DemoChat:
    """One terminal chat with the bot, as one of several personas."""

    def __init__(
        self,
        server: BotApiServer,
        out: TextIO,
        *,
        echo: bool,
        answer_timeout: float = FIRST_ANSWER_SECONDS,
        dashboard_url: str | None = None,
    ) -> None:
        self.server = server
        self.answer_timeout = answer_timeout
        self.out = out
        # A script's lines are echoed into the transcript; a person at the terminal already sees theirs.
        self.echo = echo
        self.users = {
            p.key: server.user(
                first_name=p.first_name, language_code=p.language_code, user_id=p.user_id, username=p.key
            )
            for p in PERSONAS
        }
        self.current = "you"
        self.view = _View()
        # Whether the bot still has updates in hand or messages waiting in its pacer (set once it runs).
        self.bot_busy: Callable[[], bool] = lambda: False
        self.dashboard_url = dashboard_url

    @property
    def user(self) -> SandboxUser:
        return self.users[self.current]

    def write(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def handle(self, line: str) -> bool:
        """Act on one line typed by the person; False when the bot did not answer."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if line in ("/quit", "/exit"):
            raise EOFError
        if line == "/demo":
            self.write(HELP)
            return True
        # /say sends a number the person means as a message, not as a button.
        literal = line.startswith("/say ")
        line = line.removeprefix("/say ").strip()
        if line == "/as" or line.startswith("/as "):
            return await self._switch(line[3:].strip())
        if line.startswith("@"):
            _bot, _space, query = line.partition(" ")
            if self.echo:
                self.write(f"{self.user.first_name} > {line}")
            return await self._inline(query.strip())
        if self.echo:
            self.write(f"{self.user.first_name} > {line}")
        before = self._bot_calls()
        answered = False
        if not literal and line.isdigit() and 0 < int(line) <= len(self.view.buttons):
            user, message, label = self.view.buttons[int(line) - 1]
            answer = await user.press(message, label, timeout=self.answer_timeout)
            answered = True
            if answer.text:
                self.write(f"  [{answer.text}]")
        else:
            await self.user.send(line)
        shown = await self._show_answers(before)
        return shown or answered

    async def _print_document(self, document: dict[str, Any]) -> None:
        """A document's name and, when it is short text (like /mydata's), what it says."""
        self.write(f"  [document: {document.get('file_name', 'file')}]")
        content = await self.server.download(str(document["file_id"]))
        if len(content) > DOCUMENT_PREVIEW_BYTES:
            return
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            return
        for line in text.splitlines():
            self.write(f"  | {line}")

    async def _inline(self, query: str) -> bool:
        """Type `@bot query` as in any Telegram chat: show the cards the bot offers to share."""
        results = await self.user.inline_query(query, timeout=self.answer_timeout)
        if not results:
            self.write("  (no inline results)")
        for result in results:
            self.write(f"  ▸ {result.get('title', '')}: {result.get('description', '')}")
        return True

    async def _switch(self, name: str) -> bool:
        if not name:
            for p in PERSONAS:
                marker = "*" if p.key == self.current else " "
                self.write(f" {marker} /as {p.first_name:<5} {p.about}")
            return True
        key = name.lower()
        if key not in self.users:
            self.write(f"  (nobody called {name!r}; /as lists the people)")
            return True
        self.current = key
        self.write(
            f"  (you are now {self.user.first_name}: {next(p.about for p in PERSONAS if p.key == key)})"
        )
        # Buttons the bot left this person in its latest message (an approval request, say) become
        # the ones numbers press.
        self.view.buttons = []
        latest = self.user.messages[-1] if self.user.messages else None
        if latest is not None and latest.buttons and not latest.deleted:
            await self._print_message(self.user, latest, edited=False)
        return True

    def _bot_calls(self) -> int:
        """How many calls the bot has made successfully, long polling aside."""
        return sum(1 for call in self.server.journal if call.ok and call.method != "getUpdates")

    def _retry_pending(self) -> bool:
        """Whether the bot is still at it: its latest call was refused for flooding (it will try again
        shortly), or it has updates in hand or messages waiting for their turn."""
        latest = next((call for call in reversed(self.server.journal) if call.method != "getUpdates"), None)
        return (latest is not None and latest.error_code == 429) or self.bot_busy()

    async def _show_answers(self, calls_before: int) -> bool:
        """Wait for the bot to finish answering, then print what changed; False if it said nothing."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.answer_timeout
        while loop.time() < deadline:
            if self._bot_calls() != calls_before:
                break
            await asyncio.sleep(0.05)
        # Then until the bot has been quiet for a moment: it may answer in several steps, or be waiting
        # out Telegram's flood control before its next message.
        count = -1
        while (count != self._bot_calls() or self._retry_pending()) and loop.time() < deadline:
            count = self._bot_calls()
            await asyncio.sleep(SETTLE_SECONDS)
        return await self._print_news()

    def _changed(self, user: SandboxUser) -> list[SandboxMessage]:
        changed = []
        for message in user.messages:
            key = (user.id, message.message_id)
            state = ("(deleted)" if message.deleted else message.text, message.buttons)
            if self.view.seen.get(key) != state:
                changed.append(message)
        return changed

    async def _print_news(self) -> bool:
        shown = False
        for user in self.users.values():
            for message in self._changed(user):
                key = (user.id, message.message_id)
                edited = key in self.view.seen
                self.view.seen[key] = ("(deleted)" if message.deleted else message.text, message.buttons)
                await self._print_message(user, message, edited)
                shown = True
        return shown

    async def _print_message(self, user: SandboxUser, message: SandboxMessage, edited: bool) -> None:
        to = "" if user is self.user else f" (to {user.first_name})"
        label = "deleted" if message.deleted else "edited" if edited else ""
        self.write(f"bot{to}{' [' + label + ']' if label else ''}:")
        if message.deleted:
            return
        for text_line in (message.text or "").splitlines() or [""]:
            self.write(f"  {text_line}")
        if message.document:
            await self._print_document(message.document)
        for text, url in message.web_apps.items():
            # Telegram opens a Mini App for the person who presses; here, a link for any browser.
            self.write(f"  [{text}] {dashboard_link(url, self.server.token, user)}")
        if user is self.user and message.buttons:
            self.view.buttons = []
            for row in message.buttons:
                cells = []
                for text in row:
                    if text in message.web_apps:
                        continue  # shown above as a link, not pressed here
                    self.view.buttons.append((user, message, text))
                    cells.append(f"[{len(self.view.buttons)}] {text}")
                self.write("  " + "   ".join(cells))


def _stdin_lines(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    # A daemon thread: a blocked read of the terminal must never keep the demo from exiting.
    for line in sys.stdin:
        loop.call_soon_threadsafe(queue.put_nowait, line)
    loop.call_soon_threadsafe(queue.put_nowait, None)


async def seed(path: Path) -> None:
    """The sample partnerships, and the personas' committee seats."""
    db = await Database.open(path)
    try:
        await import_registry_csv(db, sample_csv(), recorded_by="sisterbot demo", source="sample")
        partnerships = await PartnershipRepository(db).list_all()
        members = MemberRepository(db)
        for persona in PERSONAS:
            if persona.seat is None:
                continue
            us_name, partner_name, role = persona.seat
            partnership = next(
                p for p in partnerships if (p.us_name, p.partner_name) == (us_name, partner_name)
            )
            await members.upsert(
                persona.user_id,
                first_name=persona.first_name,
                last_name="",
                username=persona.key,
                telegram_language=persona.language_code,
            )
            await members.add_membership(persona.user_id, partnership.id, role)
    finally:
        await db.close()


async def demo(script: list[str] | None, out: TextIO, defaults: Defaults | None = None) -> int:
    """Run the demo; with a script, play it and return non-zero if the bot failed to answer a line."""
    with tempfile.TemporaryDirectory(prefix="sisterbot-demo-") as workdir:
        server = BotApiServer()
        await server.start()
        try:
            port = free_port()
            config = Config(
                telegram=TelegramConfig(
                    token=server.token, base_url=server.base_url, base_file_url=server.base_file_url
                ),
                database_path=Path(workdir) / "demo.db",
                admins=(DEMO_ADMIN_ID,),
                # The network's own defaults (timezone, language, check-in days) when a config names them.
                defaults=defaults or Defaults(),
                webapp=WebAppConfig(
                    url=f"http://127.0.0.1:{port}/dashboard/",
                    port=port,
                    max_age_seconds=DEMO_LINK_MINUTES * 60,
                ),
            )
            await seed(config.database_path)
            chat = DemoChat(server, out, echo=script is not None, dashboard_url=config.webapp.url)
            async with running(build_application(config), poll_timeout=1) as application:
                chat.bot_busy = lambda: busy(application)
                return await converse(chat, script)
        finally:
            await server.stop()


def busy(application: BotApplication) -> bool:
    """Updates in hand, or requests waiting in the pacer."""
    pacer = application.bot.rate_limiter
    waiting = pacer.waiting if isinstance(pacer, Pacer) else 0
    return waiting > 0 or application.update_processor.current_concurrent_updates > 0


async def converse(chat: DemoChat, script: list[str] | None) -> int:
    if script is not None:
        failures = 0
        for line in script:
            try:
                answered = await chat.handle(line)
            except EOFError:
                break
            except AssertionError as error:
                chat.write(f"  (the bot did not answer: {error})")
                answered = False
            if not answered:
                failures += 1
                chat.write(f"  !! no answer to {line.strip()!r}")
        return 1 if failures else 0
    chat.write("Sister cities bot demo: an offline Telegram with sample partnerships. You are an admin.")
    url = chat.dashboard_url
    if url:
        chat.write("The staff dashboard, as you (the admin), in any browser on this machine:")
        chat.write(f"  {dashboard_link(url, chat.server.token, chat.user)}")
    chat.write(HELP)
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    threading.Thread(target=_stdin_lines, args=(loop, queue), daemon=True).start()
    while True:
        chat.out.write(f"{chat.user.first_name} > ")
        chat.out.flush()
        typed = await queue.get()
        if typed is None:
            chat.write()
            return 0
        try:
            answered = await chat.handle(typed)
        except EOFError:
            return 0
        except AssertionError as error:
            chat.write(f"  (the bot did not answer: {error})")
            continue
        if not answered and typed.strip():
            chat.write("  (no answer from the bot)")


def run_demo(script_path: Path | None, defaults: Defaults | None = None) -> int:
    """Entry point of `sisterbot demo`."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    script = None
    if script_path is not None:
        script = script_path.read_text(encoding="utf-8").splitlines()
    try:
        return asyncio.run(demo(script, sys.stdout, defaults))
    except KeyboardInterrupt:
        sys.stdout.write("\nbye\n")
        return 0
