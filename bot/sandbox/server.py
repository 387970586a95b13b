"""The offline Bot API server: answers /bot<token>/<method> on 127.0.0.1 the way Telegram does."""

# Test helpers take `timeout=` like PTB's own awaitables; asyncio.timeout() around them would read worse.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from bot.sandbox.chats import SandboxMessage
from bot.sandbox.errors import ApiError, bad_request, forbidden, not_found, too_many_requests, unauthorized
from bot.sandbox.faults import Fault, FaultPlan
from bot.sandbox.files import MAX_UPLOAD_BYTES
from bot.sandbox.limits import Limits
from bot.sandbox.methods import HANDLERS, Params
from bot.sandbox.request_parsing import json_text, read_parameters
from bot.sandbox.spec import MethodSpec, SpecViolation
from bot.sandbox.users import SandboxGroup, SandboxUser
from bot.sandbox.webhook import WebhookSender
from bot.sandbox.world import Call, World

_LOGGER = logging.getLogger(__name__)
_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]{1,}")
T = TypeVar("T")

DEFAULT_TOKEN = "123456789:SANDBOX-not-a-real-token"  # noqa: S105 - a placeholder, not a secret


class BotApiServer:
    """An in-process stand-in for api.telegram.org, plus users a test can act as."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "sister_cities_bot",
        bot_first_name: str = "Sister Cities",
        latency: float = 0.0,
        limits: Limits | None = None,
        enforce_limits: bool = True,
        group_privacy: bool = True,
    ) -> None:
        if not _TOKEN.fullmatch(token):
            raise ValueError("a bot token looks like 123456:ABC-def")
        self.token = token
        self.latency = latency
        self.world = World(
            bot_id=int(token.split(":", 1)[0]),
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            limits=limits or Limits(),
            enforce_limits=enforce_limits,
            group_privacy=group_privacy,
        )
        self._faults = FaultPlan()
        self._runner: web.AppRunner | None = None
        self._webhook = WebhookSender(self.world)
        self._host = "127.0.0.1"
        self._port = 0
        self._busy = 0
        self._last_activity = 0.0

    # Lifecycle

    async def start(self, port: int = 0, host: str = "127.0.0.1") -> None:
        """Listen on `host`:`port` (loopback only; port 0 picks a free one)."""
        if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            raise ValueError("the sandbox listens on loopback addresses only")
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self._host, self._port = host, int(self._runner.addresses[0][1])
        self._webhook.start()
        _LOGGER.info("Sandbox Bot API server listening on %s", self.url)

    async def stop(self) -> None:
        """Release long polls and hung calls, stop webhook delivery and close the listener."""
        self.world.closed = True
        self.world.updates.wake()
        self.world.changed.notify()
        await self._webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiServer:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # Addresses and identity

    @property
    def port(self) -> int:
        """The TCP port it listens on."""
        return self._port

    @property
    def url(self) -> str:
        """The server's root URL."""
        return f"http://{self._host}:{self._port}"

    @property
    def base_url(self) -> str:
        """For Application.builder().base_url(): PTB appends the token and the method."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For Application.builder().base_file_url()."""
        return f"{self.url}/file/bot"

    @property
    def bot_id(self) -> int:
        """The bot's user id: the number before ':' in the token."""
        return self.world.bot_id

    @property
    def bot_username(self) -> str:
        """The bot's @username, without the @."""
        return self.world.bot_username

    # What the bot did

    @property
    def journal(self) -> list[Call]:
        """Every call the bot made, successful or not, in order."""
        return self.world.journal

    @property
    def violations(self) -> list[SpecViolation]:
        """Parameters the Bot API does not define, or of the wrong type, that the bot sent."""
        return self.world.violations

    @property
    def unsupported(self) -> list[str]:
        """Methods the bot called that exist in the Bot API but that the sandbox does not implement."""
        return self.world.unsupported

    def calls(self, method: str) -> list[Call]:
        """The journal entries of one method."""
        return [call for call in self.world.journal if call.method == method]

    def unanswered_callbacks(self) -> list[dict[str, Any]]:
        """Callback queries the bot never answered (Telegram shows a spinner until it does)."""
        return [
            q.update for q in self.world.queries.values() if q.kind == "callback_query" and q.answer is None
        ]

    def unanswered_inline_queries(self) -> list[dict[str, Any]]:
        """Inline queries the bot never answered."""
        return [
            q.update for q in self.world.queries.values() if q.kind == "inline_query" and q.answer is None
        ]

    def my_commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """The command list setMyCommands stored for a scope and language."""
        return list(self.world.commands.get(self.world.command_key(scope, language_code), []))

    def menu_button(self, chat_id: int | None = None) -> dict[str, Any] | None:
        """The menu button setChatMenuButton set for a private chat (None: the bot's default), if any."""
        button = self.world.menu_buttons.get(chat_id)
        return dict(button) if button else None

    async def download(self, file_id: str) -> bytes:
        """The bytes behind a file_id, e.g. of a document the bot sent."""
        stored = self.world.files.get(file_id)
        if stored is None:
            raise KeyError(f"the sandbox has no file {file_id!r}")
        return stored.content

    def message(self, chat_id: int, message_id: int) -> SandboxMessage:
        """A message the bot sent, by chat and id."""
        return self.world.find_chat(chat_id).bot_messages[message_id]

    # Acting on the bot

    def user(
        self,
        first_name: str = "Alice",
        language_code: str | None = "en",
        username: str | None = None,
        user_id: int | None = None,
        *,
        last_name: str | None = None,
        started: bool = True,
    ) -> SandboxUser:
        """A user with a private chat with the bot; reachable unless `started` is False."""
        if user_id is None:
            user_id = self.world.new_user_id()
        if user_id in self.world.chats:
            raise ValueError(f"chat {user_id} already exists")
        user = SandboxUser(
            self.world,
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            started=started,
        )
        self.world.users[user_id] = user
        self.world.chats[user_id] = user.chat
        return user

    def group(self, title: str, members: list[SandboxUser] | None = None) -> SandboxGroup:
        """A basic group with the bot in it."""
        group = SandboxGroup(self.world, self.world.new_group_id(), title, members or [])
        self.world.chats[group.id] = group.chat
        return group

    def inject_fault(
        self,
        method: str,
        kind: str,
        times: int = 1,
        *,
        retry_after: int = 1,
        hang_seconds: float = 30.0,
        deliver: bool = False,
        description: str | None = None,
    ) -> None:
        """Make the next `times` calls of `method` ("*" for any) fail; kinds: 429, 500, timeout, 403, 400."""
        self._faults.add(method, Fault(kind, times, retry_after, hang_seconds, deliver, description))

    def clear_faults(self) -> None:
        """Forget faults that have not happened yet."""
        self._faults.clear()

    async def wait_until(self, predicate: Callable[[], T | None], timeout: float = 5.0) -> T:
        """Wait until `predicate` returns something other than None or False; AssertionError on timeout."""
        result = await self.world.changed.wait_for(lambda: predicate() or None, timeout)
        if result is None:
            raise AssertionError(f"condition not met within {timeout}s")
        return result

    async def wait_idle(self, timeout: float = 5.0, quiet: float = 0.1) -> None:
        """Wait until every update was taken and no call (other than a long poll) came for `quiet` seconds.

        A heuristic: a handler that awaits something slow between two calls looks idle for that long.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            now = loop.time()
            busy = self._busy > 0 or len(self.world.updates) > 0
            if not busy and now - self._last_activity >= quiet:
                return
            if now >= deadline:
                raise AssertionError(
                    f"the bot did not go idle within {timeout}s: {self._busy} calls in flight, "
                    f"{len(self.world.updates)} updates unconfirmed"
                )
            await asyncio.sleep(min(0.01, quiet))

    # HTTP

    async def _handle_api(self, request: web.Request) -> web.Response:
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        name = request.match_info["method"]
        long_poll = name.lower() == "getupdates"
        if not long_poll:
            self._busy += 1
        self._last_activity = asyncio.get_running_loop().time()
        try:
            result = await self._call(request.match_info["token"], name, request)
            body: dict[str, Any] = {"ok": True, "result": result}
            status = 200
        except ApiError as error:
            body, status = error.payload(), error.error_code
        finally:
            if not long_poll:
                self._busy -= 1
            self._last_activity = asyncio.get_running_loop().time()
            # Lets wait_until() and wait_idle() re-check after every call the bot makes.
            self.world.changed.notify()
        return web.Response(text=json_text(body), status=status, content_type="application/json")

    async def _call(self, token: str, name: str, request: web.Request) -> Any:
        if token != self.token:
            self._record(name, {}, None, unauthorized())
            raise unauthorized()
        spec = self.world.spec.method(name)
        if spec is None:
            self._record(name, {}, None, not_found())
            raise not_found()
        params: dict[str, Any] = {}
        try:
            raw, uploads = await read_parameters(request)
            raw.update({field: upload for field, upload in uploads.items() if field in spec.fields})
            params, violations = self.world.spec.coerce(spec, raw, uploads)
            for violation in violations:
                _LOGGER.warning("Bot API spec violation: %s", violation)
            self.world.violations.extend(violations)
            self.world.spec.require(spec, params)
            result = await self._dispatch(spec, params)
        except ApiError as error:
            self._record(spec.name, params, None, error)
            raise
        self._record(spec.name, params, None, None)
        return result

    async def _dispatch(self, spec: MethodSpec, params: dict[str, Any]) -> Any:
        fault = self._faults.take(spec.name)
        if fault is None:
            return await self._run(spec, params)
        _LOGGER.info("Injecting a %s fault into %s", fault.kind, spec.name)
        if fault.kind == "429":
            raise too_many_requests(fault.retry_after)
        if fault.kind == "500":
            raise ApiError(500, fault.description or "Internal Server Error")
        if fault.kind == "403":
            raise forbidden(fault.description or "bot was blocked by the user")
        if fault.kind == "400":
            raise bad_request(fault.description or "injected by the sandbox")
        result = await self._run(spec, params) if fault.deliver else None
        await self._hang(fault.hang_seconds)
        if not fault.deliver:
            raise ApiError(500, "Internal Server Error: the sandbox hung as asked")
        return result

    async def _run(self, spec: MethodSpec, params: dict[str, Any]) -> Any:
        handler = HANDLERS.get(spec.name)
        if handler is not None:
            return await handler(self.world, Params(params))
        self.world.unsupported.append(spec.name)
        _LOGGER.warning("The sandbox does not implement %s", spec.name)
        if spec.returns_boolean:
            return True
        raise bad_request("method not supported by the sandbox")

    async def _hang(self, seconds: float) -> None:
        """Sleep like an unresponsive Telegram, but end early when the server stops."""
        await self.world.changed.wait_for(lambda: True if self.world.closed else None, seconds)

    def _record(
        self, method: str, params: dict[str, Any], chat_id: int | None, error: ApiError | None
    ) -> None:
        if chat_id is None:
            value = params.get("chat_id")
            chat_id = value if isinstance(value, int) and not isinstance(value, bool) else None
        self.world.journal.append(
            Call(
                method=method,
                params=params,
                chat_id=chat_id,
                time=time.monotonic(),
                ok=error is None,
                error_code=None if error is None else error.error_code,
                description=None if error is None else error.description,
            )
        )

    async def _handle_download(self, request: web.Request) -> web.StreamResponse:
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        if request.match_info["token"] != self.token:
            error = unauthorized()
            return web.Response(text=json_text(error.payload()), status=401, content_type="application/json")
        stored = self.world.files.by_path(request.match_info["path"])
        if stored is None:
            error = not_found()
            return web.Response(text=json_text(error.payload()), status=404, content_type="application/json")
        return web.Response(body=stored.content, content_type="application/octet-stream")
