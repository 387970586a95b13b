"""Who may do what: the one place that decides, from the database and the config, never from the client."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from storage.members import MemberRepository, Role


class Action(StrEnum):
    """Everything that is not open to anyone."""

    # On one partnership (needs partnership_id):
    VIEW_COMMITTEE = "view_committee"  # who sits on the committee, what contacts said
    LOG_CONTACT = "log_contact"
    DECIDE_JOIN = "decide_join"  # approve or decline a request to join the committee
    # Network-wide:
    MAKE_COORDINATOR = "make_coordinator"
    SET_STATUS = "set_status"
    BROADCAST = "broadcast"
    SEE_REPORTS = "see_reports"
    IMPORT_EXPORT = "import_export"
    MANAGE_MEMBERS = "manage_members"
    EDIT_REGISTRY = "edit_registry"  # add partnerships, correct their fields
    PROMOTE_STAFF = "promote_staff"
    SEE_AUDIT = "see_audit"  # the audit log of what staff and admins did


# Staff may do every network-wide action but promoting staff and reading the audit log of what staff did,
# which are the admins' alone.
_STAFF_ACTIONS = frozenset(Action) - {Action.PROMOTE_STAFF, Action.SEE_AUDIT}
_COMMITTEE_ACTIONS = {
    Role.MEMBER: frozenset({Action.VIEW_COMMITTEE, Action.LOG_CONTACT}),
    Role.COORDINATOR: frozenset({Action.VIEW_COMMITTEE, Action.LOG_CONTACT, Action.DECIDE_JOIN}),
}


@dataclass(frozen=True, slots=True)
class Viewer:
    """A person's powers, read fresh from the database for each update."""

    user_id: int
    is_admin: bool = False
    is_staff: bool = False
    roles: dict[int, Role] = field(default_factory=dict)  # partnership id -> role on its committee

    @property
    def is_staff_or_admin(self) -> bool:
        return self.is_admin or self.is_staff

    @property
    def is_member(self) -> bool:
        """Whether they sit on at least one committee."""
        return bool(self.roles)

    @property
    def is_coordinator(self) -> bool:
        """Whether they coordinate at least one committee."""
        return Role.COORDINATOR in self.roles.values()

    def role_in(self, partnership_id: int) -> Role | None:
        """The person's role on a partnership's committee, if any."""
        return self.roles.get(partnership_id)

    def may_edit_entry(self, author_id: int | None, partnership_id: int) -> bool:
        """Only the author changes a contact they logged, and only while on that committee (or staff)."""
        return author_id == self.user_id and self.may(Action.LOG_CONTACT, partnership_id)

    def may_delete_entry(self, author_id: int | None, partnership_id: int) -> bool:
        """The author may delete a contact they logged; the network's staff may delete any."""
        return self.may_edit_entry(author_id, partnership_id) or self.is_staff_or_admin

    def may_answer_check_in(self, partnership_id: int) -> bool:
        """A check-in reminder is answered by the committee it reminded, whatever their role there."""
        return partnership_id in self.roles

    def may(self, action: Action, partnership_id: int | None = None) -> bool:
        """Whether this person may do `action` (on `partnership_id`, for committee actions)."""
        if self.is_admin:
            return True
        if self.is_staff and action in _STAFF_ACTIONS:
            return True
        if partnership_id is None:
            return False
        role = self.roles.get(partnership_id)
        return role is not None and action in _COMMITTEE_ACTIONS[role]


async def viewer_for(user_id: int, members: MemberRepository, admins: tuple[int, ...]) -> Viewer:
    """Read a person's powers from the database (and the config's admin list)."""
    member = await members.get(user_id)
    if member is None:
        return Viewer(user_id=user_id, is_admin=user_id in admins)
    roles = {m.partnership_id: m.role for m in await members.memberships_of(user_id)}
    return Viewer(user_id=user_id, is_admin=user_id in admins, is_staff=member.is_staff, roles=roles)


async def approvers_for(partnership_id: int, members: MemberRepository, admins: tuple[int, ...]) -> list[int]:
    """Who is asked to decide a request to join a committee: its coordinators, else all staff and admins.

    Coordinators who blocked the bot cannot answer, so a committee whose coordinators are all unreachable
    falls back to the staff as well.
    """
    coordinators = [m.id for m in await members.committee(partnership_id, Role.COORDINATOR) if m.active]
    if coordinators:
        return coordinators
    staff = [m.id for m in await members.staff() if m.active]
    return list(dict.fromkeys([*staff, *admins]))


@dataclass(frozen=True, slots=True)
class DashboardScope:
    """What the staff dashboard shows a person: the whole network, or only some committees."""

    partnership_ids: frozenset[int] | None  # None: the whole network

    def includes(self, partnership_id: int) -> bool:
        """Whether this partnership is in view."""
        return self.partnership_ids is None or partnership_id in self.partnership_ids


def dashboard_scope(viewer: Viewer) -> DashboardScope | None:
    """Staff and admins see the whole network, coordinators their own committees, anyone else nothing."""
    if viewer.is_staff_or_admin:
        return DashboardScope(None)
    coordinated = frozenset(pid for pid, role in viewer.roles.items() if role is Role.COORDINATOR)
    return DashboardScope(coordinated) if coordinated else None
