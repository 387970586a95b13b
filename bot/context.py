"""What handlers reach through their context: the configuration and the services, never globals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.audit.trail import AuditTrail
from bot.config import Config
from bot.dashboard.server import DashboardServer
from bot.i18n import Translator, translator
from bot.registry.places import PlaceLookup
from bot.reminders.service import CheckInService
from storage.audit import AuditRepository, StaffDrafts
from storage.checkins import CheckInRepository
from storage.contacts import ContactRepository
from storage.conversations import ConversationRepository
from storage.db import Database
from storage.members import MemberRepository
from storage.partnerships import PartnershipRepository


@dataclass(slots=True)
class Services:
    """Everything opened in post_init and closed in post_shutdown."""

    db: Database
    partnerships: PartnershipRepository
    places: PlaceLookup
    members: MemberRepository
    contacts: ContactRepository
    checkins: CheckInRepository
    conversations: ConversationRepository
    audit: AuditTrail
    drafts: StaffDrafts

    @classmethod
    async def open(cls, config: Config) -> Services:
        """Open the database, build the repositories on it and the place index from the registry."""
        db = await Database.open(config.database_path)
        partnerships = PartnershipRepository(db)
        places = PlaceLookup(partnerships)
        try:
            await places.load()
        except BaseException:
            await db.close()
            raise
        return cls(
            db=db,
            partnerships=partnerships,
            places=places,
            members=MemberRepository(db),
            contacts=ContactRepository(db),
            checkins=CheckInRepository(db),
            conversations=ConversationRepository(db),
            audit=AuditTrail(AuditRepository(db), partnerships),
            drafts=StaffDrafts(db),
        )

    async def close(self) -> None:
        """Close the database."""
        await self.db.close()


class BotData:
    """The application's bot_data: config from the start, services once post_init has opened them."""

    def __init__(self) -> None:
        self._config: Config | None = None
        self._services: Services | None = None
        self._reminders: CheckInService | None = None
        self.dashboard: DashboardServer | None = None  # running while [webapp] url is set

    @property
    def config(self) -> Config:
        if self._config is None:
            raise RuntimeError("the configuration has not been attached to the application")
        return self._config

    @config.setter
    def config(self, config: Config) -> None:
        self._config = config

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("services are not open: the application has not been started")
        return self._services

    @services.setter
    def services(self, services: Services | None) -> None:
        self._services = services

    @property
    def reminders(self) -> CheckInService:
        if self._reminders is None:
            raise RuntimeError("the check-in service is not running: the application has not been started")
        return self._reminders

    @reminders.setter
    def reminders(self, reminders: CheckInService | None) -> None:
        self._reminders = reminders

    @property
    def started(self) -> bool:
        return self._services is not None


class BotContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler receives."""

    # The language the person behind the update chose with /language, read from the database for each
    # update (refresh_data), so a choice survives restarts and holds in every module's replies.
    chosen_language: str | None = None

    async def refresh_data(self) -> None:
        """Read the person's language choice before any handler sees the update."""
        await super().refresh_data()
        if self._user_id is not None and self.bot_data.started:
            member = await self.services.members.get(self._user_id)
            self.chosen_language = member.language if member else None

    @property
    def config(self) -> Config:
        return self.bot_data.config

    @property
    def services(self) -> Services:
        return self.bot_data.services


def reader_of(update: object, context: BotContext) -> Translator:
    """The translator for the person behind an update: their /language choice, else Telegram's, else ours."""
    user = update.effective_user if isinstance(update, Update) else None
    code = context.chosen_language or (user.language_code if user else None)
    return translator(code, default=context.config.defaults.language)


BotApplication = Application[ExtBot[Any], BotContext, dict[Any, Any], dict[Any, Any], BotData, Any]
