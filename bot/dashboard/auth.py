"""Who is asking the dashboard: initData checked, then what they may see, read from the database."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web

from bot.config import Config
from bot.dashboard import texts
from bot.dashboard.initdata import InitDataRefused, WebAppUser, validate
from bot.i18n import Translator, translator
from bot.permissions import DashboardScope, Viewer, dashboard_scope, viewer_for
from storage.audit import AuditRepository
from storage.dashboard import DashboardRepository
from storage.members import MemberRepository
from storage.partnerships import PartnershipRepository

log = logging.getLogger(__name__)

AUTH_SCHEME = "tma"  # Authorization: tma <initData>, as Telegram's Mini App documentation suggests


@dataclass(frozen=True, slots=True)
class Reader:
    """Who is asking, what they may see, and in which language."""

    user: WebAppUser
    viewer: Viewer
    scope: DashboardScope
    t: Translator


@dataclass(frozen=True, slots=True)
class Stores:
    """The repositories the dashboard reads."""

    dashboard: DashboardRepository
    partnerships: PartnershipRepository
    members: MemberRepository
    audit: AuditRepository


Now = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


READER = web.AppKey("reader", Reader)
STORES = web.AppKey("stores", Stores)
CONFIG = web.AppKey("config", Config)
CLOCK: web.AppKey[Now] = web.AppKey("clock")


def refusal(status: int, message: str, t: Translator) -> web.Response:
    """A JSON error the page shows as it is, in the reader's language."""
    return web.json_response({"error": status, "message": t.gettext(message)}, status=status)


def _caller_language(request: web.Request, config: Config) -> Translator:
    # Before the signature is checked nothing in initData is believed; the browser's language will do.
    accepted = request.headers.get("Accept-Language", "").split(",")[0].strip()
    return translator(accepted or None, default=config.defaults.language)


def _init_data(request: web.Request) -> str | None:
    scheme, _space, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == AUTH_SCHEME and value:
        return value.strip()
    # A download the browser starts itself (the CSV) cannot send a header, so it carries initData along.
    if request.method == "GET" and request.path.endswith(".csv"):
        return request.query.get("init_data")
    return None


async def authenticate(request: web.Request) -> Reader | web.Response:
    """The reader behind a request, or the 401/403 response to send instead."""
    app = request.app
    config = app[CONFIG]
    stores = app[STORES]
    token = config.require_token()
    try:
        user = validate(
            _init_data(request), token, max_age_seconds=config.webapp.max_age_seconds, now=app[CLOCK]()
        )
    except InitDataRefused as refused:
        log.info("dashboard request refused: initData %s", refused.reason.value)
        return refusal(401, texts.UNAUTHORIZED, _caller_language(request, config))
    member = await stores.members.get(user.id)
    language = (member.language if member else None) or user.language_code
    t = translator(language, default=config.defaults.language)
    viewer = await viewer_for(user.id, stores.members, config.admins)
    scope = dashboard_scope(viewer)
    if scope is None:
        log.info("member %s was refused the dashboard", user.id)
        return refusal(403, texts.FORBIDDEN, t)
    return Reader(user, viewer, scope, t)


Handler = Callable[[web.Request, Reader], Awaitable[web.StreamResponse]]


def signed(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """An endpoint that runs only for a reader whose initData and permissions check out."""

    async def checked(request: web.Request) -> web.StreamResponse:
        reader = await authenticate(request)
        if isinstance(reader, web.Response):
            return reader
        return await handler(request, reader)

    return checked
