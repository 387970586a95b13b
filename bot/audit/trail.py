"""Record staff and admin actions, and show the log to admins a page at a time."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from bot.i18n import N_, Translator, shorten
from storage.audit import Actor, AuditAction, AuditEntry, AuditRepository, NewAuditEntry, Values
from storage.partnerships import PartnershipRepository

PAGE_SIZE = 10
VALUE_SHOWN = 80  # a long reason is cut in the chat; the export has it whole

ACTION_LABELS = {
    AuditAction.JOIN_APPROVED: N_("approved a request to join"),
    AuditAction.JOIN_DECLINED: N_("declined a request to join"),
    AuditAction.STAFF_PROMOTED: N_("made staff"),
    AuditAction.STAFF_DEMOTED: N_("took staff powers away"),
    AuditAction.COORDINATOR_MADE: N_("made a coordinator"),
    AuditAction.COORDINATOR_UNMADE: N_("took a coordinator's role away"),
    AuditAction.MEMBER_REMOVED: N_("removed from a committee"),
    AuditAction.STATUS_CHANGED: N_("changed a partnership's status"),
    AuditAction.PARTNERSHIP_ADDED: N_("added a partnership"),
    AuditAction.PARTNERSHIP_EDITED: N_("edited a partnership"),
    AuditAction.REGISTRY_IMPORTED: N_("imported partnerships from a file"),
    AuditAction.BROADCAST_SENT: N_("sent a broadcast"),
    AuditAction.CONTACT_DELETED: N_("deleted someone else's contact entry"),
    AuditAction.DATA_EXPORTED: N_("exported data"),
}


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of the log for one reader: HTML text, and which pages lie either side."""

    text: str
    page: int
    pages: int

    @property
    def has_newer(self) -> bool:
        return self.page > 0

    @property
    def has_older(self) -> bool:
        return self.page < self.pages - 1


class AuditTrail:
    """The audit log as handlers use it: one call to record an action, one to read a page."""

    def __init__(self, entries: AuditRepository, partnerships: PartnershipRepository) -> None:
        self._entries = entries
        self._partnerships = partnerships

    async def record(
        self,
        actor: Actor,
        action: AuditAction,
        *,
        partnership_id: int | None = None,
        subject: Actor | None = None,
        before: Values | None = None,
        after: Values | None = None,
    ) -> int:
        """Append one action to the log; its id."""
        entry = NewAuditEntry(actor, action, partnership_id, subject, before or {}, after or {})
        return await self._entries.add(entry)

    async def page(self, number: int, t: Translator) -> AuditPage:
        """Page `number` (0 is the newest) of the log, rendered for this reader."""
        total = await self._entries.count()
        pages = max(1, -(-total // PAGE_SIZE))
        number = max(0, min(number, pages - 1))
        entries = await self._entries.latest(offset=number * PAGE_SIZE, limit=PAGE_SIZE)
        head = t.gettext("Audit log, page {page} of {pages}").format(page=number + 1, pages=pages)
        lines = [f"<b>{html.escape(head)}</b>"]
        if not entries:
            lines.append(html.escape(t.gettext("Nothing has been recorded yet.")))
        titles: dict[int, str] = {}
        for entry in entries:
            lines.append("")
            lines.append(await self._render(entry, t, titles))
        return AuditPage("\n".join(lines), number, pages)

    async def _render(self, entry: AuditEntry, t: Translator, titles: dict[int, str]) -> str:
        former = t.gettext("a former member")
        actor = entry.actor_name if entry.actor_id is not None and entry.actor_name else former
        when = f"{t.date(entry.at.date())} {entry.at:%H:%M} UTC"
        parts = [actor, t.gettext(ACTION_LABELS[entry.action])]
        if entry.partnership_id is not None:
            if entry.partnership_id not in titles:
                partnership = await self._partnerships.get(entry.partnership_id)
                titles[entry.partnership_id] = partnership.title if partnership else "?"
            parts.append(titles[entry.partnership_id])
        if entry.subject_id is not None:
            parts.append(entry.subject_name)
        elif _names_someone(entry):
            parts.append(former)
        line = f"<b>{html.escape(when)}</b> · " + html.escape(" · ".join(parts))
        changes = _changes(entry.before, entry.after)
        return f"{line}\n{html.escape(changes)}" if changes else line


def _names_someone(entry: AuditEntry) -> bool:
    """Whether the action was done to a person (whose name /forgetme has since erased)."""
    return entry.action in {
        AuditAction.JOIN_APPROVED,
        AuditAction.JOIN_DECLINED,
        AuditAction.STAFF_PROMOTED,
        AuditAction.STAFF_DEMOTED,
        AuditAction.COORDINATOR_MADE,
        AuditAction.COORDINATOR_UNMADE,
        AuditAction.MEMBER_REMOVED,
        AuditAction.CONTACT_DELETED,
    }


def _changes(before: dict[str, Any], after: dict[str, Any]) -> str:
    """ "status: active → paused; reason: …", one part per field that either side names."""
    parts = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if key in before and key in after:
            parts.append(f"{key}: {_shown(old)} → {_shown(new)}")
        elif key in after:
            parts.append(f"{key}: {_shown(new)}")
        else:
            parts.append(f"{key}: {_shown(old)} → —")
    return "; ".join(parts)


def _shown(value: Any) -> str:
    return "—" if value in (None, "") else shorten(str(value), VALUE_SHOWN)
