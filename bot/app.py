"""Wiring: build the Application, open and close the services, register every handler in one place."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypedDict
from urllib.parse import urlsplit

from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application, BaseRateLimiter, BaseUpdateProcessor, ContextTypes, JobQueue

from bot.config import WEBHOOK_UNGUARDED, Config, ConfigError, TelegramConfig
from bot.context import BotApplication, BotContext, BotData, Services
from bot.conversations import SQLiteConversations
from bot.dashboard.auth import Stores
from bot.dashboard.server import DashboardServer
from bot.delivery import AnsweringRequest
from bot.errors import on_error
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, translator
from bot.pacing import PaceLimits, Pacer
from bot.redact import redact_from_logs
from bot.reminders.service import FIRST_TICK_SECONDS, JOB_NAME, TICK_SECONDS, CheckInService, TelegramOutbox
from bot.updates import PerPersonUpdates
from handlers import (
    audit,
    basic,
    contacts,
    dashboard,
    members,
    privacy,
    reminders,
    roles,
    staff,
    status,
    status_history,
)
from storage.audit import AuditRepository
from storage.dashboard import DashboardRepository

log = logging.getLogger(__name__)

# APScheduler skips a run that starts more than a second late (its default), which a busy loop caused;
# a late tick is still worth running, and runs that piled up are run once.
JOB_DEFAULTS = {"misfire_grace_time": 30, "coalesce": True, "max_instances": 2}


async def open_services(application: BotApplication) -> None:
    """Open the database and publish the command list; run once before updates are handled."""
    bot_data = application.bot_data
    bot_data.services = await Services.open(bot_data.config)
    bot_data.reminders = await start_check_ins(application)
    bot_data.dashboard = await start_dashboard(application)
    for language in LANGUAGES:
        # Telegram shows each person the list in their app's language; English is also the fallback.
        code = None if language == DEFAULT_LANGUAGE else language
        await application.bot.set_my_commands(basic.bot_commands(translator(language)), language_code=code)
    log.info("services open; database %s", bot_data.config.database_path)


async def start_check_ins(application: BotApplication) -> CheckInService:
    """The check-in service on the open database, its job scheduled (the first tick catches up)."""
    services = application.bot_data.services
    service = CheckInService(
        application.bot_data.config,
        services.checkins,
        services.members,
        services.partnerships,
        TelegramOutbox(application.bot),
    )
    # A batch being sent stops taking new members when the bot stops; the rest stay owed.
    service.sender.keep_going = lambda: application.running
    await service.recover()
    if application.job_queue is not None:
        schedule_check_ins(application.job_queue, service)
    return service


async def start_dashboard(application: BotApplication) -> DashboardServer | None:
    """The dashboard's web server, when [webapp] url is set; staff and admins get its menu button."""
    config = application.bot_data.config
    if not config.webapp.enabled:
        return None
    services = application.bot_data.services
    stores = Stores(
        DashboardRepository(services.db),
        services.partnerships,
        services.members,
        AuditRepository(services.db),
    )
    server = DashboardServer(config, stores)
    await server.start()

    async def menu_buttons(_context: BotContext) -> None:
        await dashboard.offer_menu_buttons(application.bot, config, services.members)

    # After start-up, through the job queue: the bot answers people before it has set every button.
    if application.job_queue is not None:
        application.job_queue.run_once(menu_buttons, when=0, name="dashboard-menu-buttons")
    return server


def schedule_check_ins(job_queue: JobQueue[BotContext], service: CheckInService) -> None:
    """Run the check-in tick every minute, the first time soon after start-up; replaces an earlier job."""

    async def tick(_context: BotContext) -> None:
        await service.run_tick()

    unschedule_check_ins(job_queue)
    job_queue.run_repeating(tick, interval=TICK_SECONDS, first=FIRST_TICK_SECONDS, name=JOB_NAME)


def unschedule_check_ins(job_queue: JobQueue[BotContext]) -> None:
    """Stop the check-in tick."""
    for job in job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()


async def close_services(application: BotApplication) -> None:
    """Close what open_services opened."""
    bot_data = application.bot_data
    if bot_data.dashboard is not None:
        await bot_data.dashboard.stop()
        bot_data.dashboard = None
    if bot_data.started:
        if application.job_queue is not None:
            unschedule_check_ins(application.job_queue)
        bot_data.reminders = None
        await bot_data.services.close()
        bot_data.services = None
        log.info("services closed")


def register_handlers(application: BotApplication) -> None:
    """Every handler of every module, in the order updates are offered to them."""
    # Order matters: conversations that wait for typed text (registration with /start, /log) come before
    # the status module, whose last handlers answer any other text and any button nobody else claimed.
    application.add_handlers(basic.handlers())
    application.add_handlers(members.handlers())
    application.add_handlers(roles.handlers())
    application.add_handlers(audit.handlers())
    application.add_handlers(dashboard.handlers())
    # Staff commands sent in a group are answered (by a pointer to the private chat) before any module
    # that would otherwise answer them there.
    application.add_handlers(staff.handlers())
    application.add_handlers(status_history.handlers())
    application.add_handlers(privacy.handlers())
    # Before /log: a reminder's "Log a contact" goes to /log, and its other buttons come here.
    application.add_handlers(reminders.handlers())
    application.add_handlers(contacts.handlers())
    application.add_handlers(status.handlers())
    application.add_error_handler(on_error)


def build_application(
    config: Config,
    token: str | None = None,
    *,
    rate_limiter: BaseRateLimiter[Any] | None = None,
    update_processor: BaseUpdateProcessor | None = None,
) -> BotApplication:
    """The bot's Application, configured but not started.

    The pacer and the update processor can be replaced (tests with other limits, benchmark baselines).
    """
    token = token or config.require_token()
    redact_from_logs(token)
    # httpx logs every request URL at INFO; with the token redacted they are still noise.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    application: BotApplication = (
        Application.builder()
        .token(token)
        .base_url(config.telegram.base_url)
        .base_file_url(config.telegram.base_file_url)
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        # One pacer for every request; 5xx answers told apart from lost connections (see bot.delivery).
        .rate_limiter(rate_limiter or Pacer(PaceLimits(rate_per_second=config.broadcast_rate_per_second)))
        .request(AnsweringRequest())
        # People side by side, each person's updates in order (their conversations rely on it).
        .concurrent_updates(update_processor or PerPersonUpdates())
        # Only conversation states, in the bot's own database: a restart does not lose anyone's place.
        .persistence(SQLiteConversations(config.database_path))
        .post_init(open_services)
        .post_shutdown(close_services)
        .build()
    )
    application.bot_data.config = config
    if application.job_queue is not None:
        scheduler = application.job_queue.scheduler
        scheduler.configure(job_defaults=JOB_DEFAULTS, **application.job_queue.scheduler_configuration)
    register_handlers(application)
    return application


class WebhookSettings(TypedDict):
    """The arguments PTB's webhook server takes, from the [telegram] section."""

    listen: str
    port: int
    url_path: str
    webhook_url: str | None
    secret_token: str | None


def webhook_settings(telegram: TelegramConfig) -> WebhookSettings:
    """Where to listen and what to register with Telegram; the local path is the public URL's path.

    A webhook server without a secret token takes updates from anyone who can reach its port: refused.
    """
    if not telegram.webhook_url:
        raise ConfigError('[telegram] webhook_url: required when mode = "webhook"')
    if not telegram.secret_token:
        raise ConfigError(f"[telegram] secret_token: {WEBHOOK_UNGUARDED}")
    return WebhookSettings(
        listen=telegram.listen,
        port=telegram.port,
        url_path=urlsplit(telegram.webhook_url or "").path.lstrip("/"),
        webhook_url=telegram.webhook_url,
        secret_token=telegram.secret_token,
    )


async def check_connection(config: Config) -> None:
    """Ask the Bot API who we are, so a wrong token or address stops start-up with one clear line."""
    token = config.require_token()
    redact_from_logs(token)
    telegram = config.telegram
    host = urlsplit(telegram.base_url).netloc
    bot = Bot(token, base_url=telegram.base_url, base_file_url=telegram.base_file_url)
    try:
        async with bot:
            log.info("the Bot API at %s knows this bot as @%s", host, bot.username)
    except InvalidToken:
        raise ConfigError(
            f"[telegram] token: the Bot API at {host} does not accept it; check the token from @BotFather"
        ) from None
    except NetworkError as error:
        raise ConfigError(f"[telegram] base_url: cannot reach the Bot API at {host} ({error})") from None


def run(config: Config) -> None:
    """Run the bot until SIGINT or SIGTERM, by long polling or as a webhook server."""
    telegram = config.telegram
    # Checked before anything starts: a webhook without its secret must not open its port at all.
    webhook = webhook_settings(telegram) if telegram.mode == "webhook" else None
    application = build_application(config)
    if webhook is not None:
        log.info("starting the webhook server on %s:%s", telegram.listen, telegram.port)
        application.run_webhook(**webhook, allowed_updates=Update.ALL_TYPES)
    else:
        log.info("starting long polling")
        application.run_polling(allowed_updates=Update.ALL_TYPES)


@asynccontextmanager
async def running(application: BotApplication, *, poll_timeout: int = 10) -> AsyncIterator[BotApplication]:
    """Run the application inside an event loop that is already running (tests, demo), as configured."""
    telegram = application.bot_data.config.telegram
    webhook = webhook_settings(telegram) if telegram.mode == "webhook" else None
    updater = application.updater
    assert updater is not None  # noqa: S101 - built with the default updater
    await application.initialize()
    try:
        await open_services(application)
        await application.start()
        if webhook is not None:
            await updater.start_webhook(**webhook, allowed_updates=Update.ALL_TYPES)
        else:
            await updater.start_polling(
                poll_interval=0.0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
            )
        try:
            yield application
        finally:
            await updater.stop()
            await application.stop()
    finally:
        await close_services(application)
        await application.shutdown()
