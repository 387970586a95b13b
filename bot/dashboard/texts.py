"""Every word the dashboard page shows, marked for translation, sent to the page in its reader's language."""

from __future__ import annotations

from bot.i18n import N_, Translator
from bot.registry.cards import CHANNELS, STATUS_WORDS, country_name

# Keys are what app.js asks for; values are the English message ids of bot/locale's catalogs.
PAGE_TEXTS: dict[str, str] = {
    "title": N_("Sister cities: the network at a glance"),
    "network": N_("The whole network"),
    "your_committees": N_("Your committees"),
    "partnerships": N_("Partnerships"),
    "trends": N_("Trends"),
    "search": N_("Search a city"),
    "country": N_("Country"),
    "any_country": N_("Any country"),
    "status": N_("Status"),
    "any_status": N_("Any status"),
    "contact_from": N_("Contact from"),
    "contact_to": N_("to"),
    "at_risk_only": N_("At risk only"),
    "reset": N_("Clear filters"),
    "download_csv": N_("Download CSV"),
    "us_member": N_("US member"),
    "partner": N_("Partner"),
    "since": N_("since {date}"),
    "last_contact": N_("Last contact"),
    "recent": N_("Contacts, 90 days"),
    "next_checkin": N_("Next check-in"),
    "overdue": N_("overdue"),
    "at_risk": N_("at risk"),
    "committee": N_("Committee"),
    "coordinator": N_("Coordinator"),
    "none": N_("none"),
    "no_contact": N_("no contact yet"),
    "no_rows": N_("No partnership matches these filters."),
    "page_of": N_("Page {page} of {pages}"),
    "shown_of": N_("{shown} of {total} partnerships"),
    "previous": N_("Previous"),
    "next": N_("Next"),
    "back": N_("Back to the table"),
    "status_history": N_("Status history"),
    "decided_by": N_("decided by {who}"),
    "reason": N_("Why: {reason}"),
    "source": N_("Source: {source}"),
    "contact_log": N_("Contact log"),
    "participants": N_("{count} people"),
    "former_member": N_("a former member"),
    "no_contacts": N_("No contacts logged in this period."),
    "role_coordinator": N_("coordinator"),
    "role_member": N_("member"),
    "contacts_per_month": N_("Contacts per month, by channel"),
    "status_over_time": N_("Partnerships by status, at the end of each month"),
    "ties_per_country": N_("Ties kept, per partner country"),
    "kept": N_("Kept"),
    "ended": N_("Ended"),
    "in_touch": N_("In touch"),
    "audit_log": N_("Audit log"),
    "error": N_("Something went wrong; close the dashboard and open it again."),
}

# What a refused request says, by HTTP status.
UNAUTHORIZED = N_(
    "This page could not confirm who you are. Open the dashboard from the bot in Telegram (the menu "
    "button or /dashboard); the link it opens is valid for a limited time."
)
FORBIDDEN = N_("The dashboard is for the network's staff and for coordinators of a committee.")
ADMINS_ONLY = N_("Only the network's admins read the audit log.")
NOT_IN_VIEW = N_("This partnership is not one of your committees.")
BAD_REQUEST = N_("The dashboard asked for something it cannot show; reload the page.")


def page_texts(t: Translator) -> dict[str, str]:
    """The page's words in the reader's language."""
    return {key: t.gettext(message) for key, message in PAGE_TEXTS.items()}


def status_labels(t: Translator) -> dict[str, str]:
    """Each status as the reader calls it."""
    return {status.value: t.gettext(word) for status, word in STATUS_WORDS.items()}


def channel_labels(t: Translator) -> dict[str, str]:
    """Each channel of the contact log as the reader calls it."""
    return {channel: t.gettext(word) for channel, word in CHANNELS.items()}


def country_label(country: str, t: Translator) -> str:
    """A partner country's name in the reader's language."""
    return country_name(country, t.language)
