"""Who may do what: every action by every role, read from a real database and the config's admin list."""

from __future__ import annotations

import pytest

from bot.permissions import Action, Viewer, approvers_for, viewer_for
from storage.db import Database
from storage.members import MemberRepository, Role
from storage.partnerships import PartnershipRepository
from storage.records import PartnershipFields
from tests.factories import partnership_fields
from tests.people import Who

ADMIN = 1
PSKOV_ID = 1
KOSTROMA_ID = 2
USER_OF = {
    Who.ANYONE: 10,
    Who.OTHER_MEMBER: 11,
    Who.MEMBER: 12,
    Who.COORDINATOR: 13,
    Who.STAFF: 14,
    Who.ADMIN: ADMIN,
}

PARTNERSHIP_ACTIONS = {Action.VIEW_COMMITTEE, Action.LOG_CONTACT, Action.DECIDE_JOIN}
# The whole table: who may do each action on Roanoke–Pskov (for committee actions) or network-wide.
EVERYONE_BUT_OUTSIDERS = {Who.MEMBER, Who.COORDINATOR, Who.STAFF, Who.ADMIN}
EXPECTED: dict[Action, set[Who]] = {
    Action.VIEW_COMMITTEE: EVERYONE_BUT_OUTSIDERS,
    Action.LOG_CONTACT: EVERYONE_BUT_OUTSIDERS,
    Action.DECIDE_JOIN: {Who.COORDINATOR, Who.STAFF, Who.ADMIN},
    Action.MAKE_COORDINATOR: {Who.STAFF, Who.ADMIN},
    Action.SET_STATUS: {Who.STAFF, Who.ADMIN},
    Action.BROADCAST: {Who.STAFF, Who.ADMIN},
    Action.SEE_REPORTS: {Who.STAFF, Who.ADMIN},
    Action.IMPORT_EXPORT: {Who.STAFF, Who.ADMIN},
    Action.MANAGE_MEMBERS: {Who.STAFF, Who.ADMIN},
    Action.EDIT_REGISTRY: {Who.STAFF, Who.ADMIN},
    Action.PROMOTE_STAFF: {Who.ADMIN},
    Action.SEE_AUDIT: {Who.ADMIN},
}


def fields(us_name: str, partner_name: str) -> PartnershipFields:
    return partnership_fields(
        us_name=us_name, partner_name=partner_name, partner_region="", checkin_days=None
    )


@pytest.fixture
async def members(db: Database) -> MemberRepository:
    """Two partnerships and one person of each role (the admin is not even in the members table)."""
    partnerships = PartnershipRepository(db)
    for us_name, partner_name in (("Roanoke", "Pskov"), ("Durham", "Kostroma")):
        await partnerships.add(
            fields(us_name, partner_name), status_since=None, status_note="", recorded_by="tests"
        )
    repo = MemberRepository(db)
    for who, user_id in USER_OF.items():
        if who is Who.ADMIN:
            continue
        await repo.upsert(user_id, first_name=who.value, last_name="", username=None, telegram_language="en")
    await repo.add_membership(USER_OF[Who.OTHER_MEMBER], KOSTROMA_ID, Role.COORDINATOR)
    await repo.add_membership(USER_OF[Who.MEMBER], PSKOV_ID, Role.MEMBER)
    await repo.add_membership(USER_OF[Who.COORDINATOR], PSKOV_ID, Role.COORDINATOR)
    await repo.set_staff(USER_OF[Who.STAFF], True)
    return repo


@pytest.mark.parametrize("who", list(Who))
@pytest.mark.parametrize("action", list(Action))
async def test_every_action_by_every_role(members: MemberRepository, action: Action, who: Who) -> None:
    viewer = await viewer_for(USER_OF[who], members, admins=(ADMIN,))
    on = PSKOV_ID if action in PARTNERSHIP_ACTIONS else None
    assert viewer.may(action, on) == (who in EXPECTED[action])


def test_the_table_covers_every_action() -> None:
    assert set(EXPECTED) == set(Action)


@pytest.mark.parametrize("action", sorted(PARTNERSHIP_ACTIONS))
async def test_committee_actions_need_a_partnership(members: MemberRepository, action: Action) -> None:
    coordinator = await viewer_for(USER_OF[Who.COORDINATOR], members, admins=(ADMIN,))
    assert not coordinator.may(action)
    assert not coordinator.may(action, KOSTROMA_ID)


async def test_a_role_is_read_fresh_from_the_database(members: MemberRepository) -> None:
    user_id = USER_OF[Who.MEMBER]
    assert not (await viewer_for(user_id, members, ())).may(Action.DECIDE_JOIN, PSKOV_ID)
    await members.add_membership(user_id, PSKOV_ID, Role.COORDINATOR)
    assert (await viewer_for(user_id, members, ())).may(Action.DECIDE_JOIN, PSKOV_ID)
    await members.forget(user_id)
    assert await viewer_for(user_id, members, ()) == Viewer(user_id=user_id)


async def test_a_stranger_named_in_the_config_is_an_admin(members: MemberRepository) -> None:
    viewer = await viewer_for(999, members, admins=(999,))
    assert viewer.is_admin
    assert viewer.may(Action.PROMOTE_STAFF)
    assert not viewer.is_member


async def test_role_summaries_for_help(members: MemberRepository) -> None:
    coordinator = await viewer_for(USER_OF[Who.COORDINATOR], members, ())
    member = await viewer_for(USER_OF[Who.MEMBER], members, ())
    anyone = await viewer_for(USER_OF[Who.ANYONE], members, ())
    assert (coordinator.is_member, coordinator.is_coordinator) == (True, True)
    assert (member.is_member, member.is_coordinator) == (True, False)
    assert (anyone.is_member, anyone.is_coordinator, anyone.is_staff_or_admin) == (False, False, False)


async def test_requests_go_to_the_coordinators(members: MemberRepository) -> None:
    assert await approvers_for(PSKOV_ID, members, (ADMIN,)) == [USER_OF[Who.COORDINATOR]]
    assert await approvers_for(KOSTROMA_ID, members, (ADMIN,)) == [USER_OF[Who.OTHER_MEMBER]]


async def test_without_a_reachable_coordinator_requests_go_to_staff_and_admins(
    members: MemberRepository,
) -> None:
    await members.set_active(USER_OF[Who.COORDINATOR], False)
    assert await approvers_for(PSKOV_ID, members, (ADMIN, USER_OF[Who.STAFF])) == [USER_OF[Who.STAFF], ADMIN]
    await members.set_active(USER_OF[Who.STAFF], False)
    assert await approvers_for(PSKOV_ID, members, (ADMIN,)) == [ADMIN]


@pytest.mark.parametrize(
    ("viewer", "may_edit", "may_delete"),
    [
        (Viewer(user_id=7, roles={1: Role.MEMBER}), True, True),  # the author, still on the committee
        (Viewer(user_id=7, roles={2: Role.MEMBER}), False, False),  # the author, since moved to another
        (Viewer(user_id=8, roles={1: Role.COORDINATOR}), False, False),  # the committee's coordinator
        (Viewer(user_id=8, is_staff=True), False, True),  # staff delete any entry, edit none
        (Viewer(user_id=8, is_admin=True), False, True),
    ],
)
def test_who_may_edit_or_delete_a_logged_contact(viewer: Viewer, may_edit: bool, may_delete: bool) -> None:
    assert viewer.may_edit_entry(7, 1) is may_edit
    assert viewer.may_delete_entry(7, 1) is may_delete
    # An entry by a former member (author erased) can be deleted by staff only.
    assert not viewer.may_edit_entry(None, 1)
