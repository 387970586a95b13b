"""The dashboard's web server: the page and its JSON endpoints, every request's initData checked first.

It runs inside the bot's process on its own port (`[webapp] listen`/`port`), in polling and in webhook mode:
PTB's webhook server is a tornado application built inside Updater.start_webhook that serves only the
webhook path, so nothing else can be mounted beside it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from importlib import resources

from aiohttp import web

from bot.config import Config
from bot.dashboard import api
from bot.dashboard.auth import CLOCK, CONFIG, STORES, Now, Stores, signed, utc_now

log = logging.getLogger(__name__)

STATIC_FILES = {"app.js": "text/javascript", "app.css": "text/css"}
# The page loads only itself and Telegram's own script; nothing it shows is kept by the browser.
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' https://telegram.org; img-src 'self' data:; "
        "style-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@web.middleware
async def security_headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Every answer: no caching, no sniffing, only our own scripts."""
    response = await handler(request)
    for name, value in _SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _static(name: str) -> bytes:
    return resources.files("bot.dashboard").joinpath("static", name).read_bytes()


def build_app(config: Config, stores: Stores, *, clock: Now = utc_now) -> web.Application:
    """The aiohttp application serving the dashboard under `[webapp] url`'s path."""
    app = web.Application(middlewares=[security_headers])
    app[CONFIG] = config
    app[STORES] = stores
    app[CLOCK] = clock
    base = config.webapp.path
    page = _static("index.html")

    async def index(_request: web.Request) -> web.Response:
        return web.Response(body=page, content_type="text/html", charset="utf-8")

    async def redirect(_request: web.Request) -> web.Response:
        raise web.HTTPPermanentRedirect(f"{base}/")

    def static_file(name: str, content_type: str) -> Callable[[web.Request], Awaitable[web.Response]]:
        body = _static(name)

        async def serve(_request: web.Request) -> web.Response:
            return web.Response(body=body, content_type=content_type, charset="utf-8")

        return serve

    if base:
        app.router.add_get(base, redirect)
    app.router.add_get(f"{base}/", index)
    for name, content_type in STATIC_FILES.items():
        app.router.add_get(f"{base}/static/{name}", static_file(name, content_type))
    for route, handler in api.ROUTES.items():
        app.router.add_get(f"{base}/api/{route}", signed(handler))
    return app


class DashboardServer:
    """The dashboard's web server, started and stopped with the bot."""

    def __init__(self, config: Config, stores: Stores, *, clock: Now = utc_now) -> None:
        self._app = build_app(config, stores, clock=clock)
        self._listen = config.webapp.listen
        self._port = config.webapp.port
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self) -> None:
        """Listen on `[webapp] listen`:`port` (port 0: any free port, then in self.port)."""
        runner = web.AppRunner(self._app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self._listen, self._port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        server = site._server  # aiohttp keeps the listening socket there; needed for port 0
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else self._port
        log.info("dashboard listening on %s:%s", self._listen, self.port)

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
