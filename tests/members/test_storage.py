"""MemberRepository on a real database file: members, committees, join requests, notices and forgetting."""

from __future__ import annotations

import asyncio

import pytest

from storage.conversations import ConversationRepository
from storage.db import Database
from storage.members import MemberRepository, RequestState, Role
from storage.partnerships import PartnershipRepository
from tests.factories import partnership_fields

ALICE, BOB, CAROL = 101, 102, 103


@pytest.fixture
async def members(db: Database) -> MemberRepository:
    """Alice, Bob and Carol on a registry of one partnership (id 1)."""
    fields = partnership_fields()
    await PartnershipRepository(db).add(fields, status_since=None, status_note="", recorded_by="tests")
    repo = MemberRepository(db)
    for member_id, name in ((ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol")):
        await repo.upsert(
            member_id, first_name=name, last_name="", username=name.lower(), telegram_language="en"
        )
    return repo


async def test_upsert_refreshes_what_telegram_says_and_keeps_choices(members: MemberRepository) -> None:
    await members.set_language(ALICE, "ru")
    await members.set_staff(ALICE, True)
    member = await members.upsert(
        ALICE, first_name="Alicia", last_name="Smith", username="alicia", telegram_language="de"
    )
    assert (member.display_name, member.username, member.telegram_language) == (
        "Alicia Smith",
        "alicia",
        "de",
    )
    assert (member.language, member.is_staff, member.preferred_language) == ("ru", True, "ru")
    assert await members.find_by_username("@ALICIA") == member


async def test_preferred_language_falls_back_to_telegrams(members: MemberRepository) -> None:
    member = await members.get(BOB)
    assert member is not None
    assert member.preferred_language == "en"


async def test_a_request_is_filed_once_and_decided_once(members: MemberRepository) -> None:
    request, new = await members.open_request(ALICE, 1)
    again, new_again = await members.open_request(ALICE, 1)
    assert (new, new_again, again.id) == (True, False, request.id)

    decided = await members.decide_request(request.id, approve=True, decided_by=CAROL)
    assert decided is not None
    assert (decided.state, decided.decided_by) == (RequestState.APPROVED, CAROL)
    assert await members.decide_request(request.id, approve=False, decided_by=BOB) is None
    seat = await members.membership(ALICE, 1)
    assert seat is not None
    assert seat.role is Role.MEMBER
    assert await members.pending_requests(ALICE) == []
    assert [r.state for r in await members.requests_of(ALICE)] == [RequestState.APPROVED]


async def test_two_simultaneous_decisions_only_one_wins(members: MemberRepository) -> None:
    request, _ = await members.open_request(ALICE, 1)
    results = await asyncio.gather(
        members.decide_request(request.id, approve=True, decided_by=BOB),
        members.decide_request(request.id, approve=False, decided_by=CAROL),
    )
    assert sum(result is not None for result in results) == 1


async def test_declining_seats_nobody(members: MemberRepository) -> None:
    request, _ = await members.open_request(ALICE, 1)
    await members.decide_request(request.id, approve=False, decided_by=CAROL)
    assert await members.memberships_of(ALICE) == []
    # After a decline a new request may be filed.
    _, new = await members.open_request(ALICE, 1)
    assert new


async def test_notices_are_remembered_per_approver(members: MemberRepository) -> None:
    request, _ = await members.open_request(ALICE, 1)
    await members.add_notice(request.id, CAROL, 7)
    await members.add_notice(request.id, BOB, 3)
    await members.add_notice(request.id, CAROL, 8)  # sent again: the newer message counts
    assert [(n.chat_id, n.message_id) for n in await members.notices(request.id)] == [(BOB, 3), (CAROL, 8)]


async def test_forget_erases_the_member_and_everything_personal(
    members: MemberRepository, db: Database
) -> None:
    await members.add_membership(ALICE, 1, Role.COORDINATOR)
    bobs_request, _ = await members.open_request(BOB, 1)
    await members.add_notice(bobs_request.id, ALICE, 5)  # Bob's request, shown in Alice's chat
    alices_request, _ = await members.open_request(CAROL, 1)
    await members.decide_request(alices_request.id, approve=True, decided_by=ALICE)

    assert await members.forget(ALICE)
    assert await members.get(ALICE) is None
    assert await members.memberships_of(ALICE) == []
    assert await members.notices(bobs_request.id) == []
    # Carol's request stays decided; it no longer names who decided it.
    decided = await members.join_request(alices_request.id)
    assert decided is not None
    assert (decided.state, decided.decided_by) == (RequestState.APPROVED, None)
    async with db.conn().execute("SELECT count(*) FROM join_requests WHERE member_id = ?", (ALICE,)) as cur:
        assert (await cur.fetchone())[0] == 0  # type: ignore[index]
    assert not await members.forget(ALICE)


async def test_forgetting_a_requester_takes_their_requests_and_notices(members: MemberRepository) -> None:
    request, _ = await members.open_request(BOB, 1)
    await members.add_notice(request.id, CAROL, 9)
    await members.forget(BOB)
    assert await members.join_request(request.id) is None
    assert await members.notices(request.id) == []


async def test_forget_erases_where_the_person_stood_in_conversations(
    members: MemberRepository, db: Database
) -> None:
    conversations = ConversationRepository(db)
    await conversations.set_state("log", (ALICE, ALICE), 2)
    await conversations.set_state("registration", (-100123, ALICE), 0)  # in a group
    await conversations.set_state("log", (BOB, BOB), 1)
    assert [(c.name, c.key, c.state) for c in await conversations.states_of(ALICE)] == [
        ("log", (ALICE, ALICE), 2),
        ("registration", (-100123, ALICE), 0),
    ]

    assert await members.forget(ALICE)
    assert await conversations.states_of(ALICE) == []
    assert await conversations.states("log") == {(BOB, BOB): 1}


async def test_committee_and_staff_lists(members: MemberRepository) -> None:
    await members.add_membership(ALICE, 1, Role.MEMBER)
    await members.add_membership(BOB, 1, Role.COORDINATOR)
    await members.set_staff(CAROL, True)
    assert [m.id for m in await members.committee(1)] == [ALICE, BOB]
    assert [m.id for m in await members.committee(1, Role.COORDINATOR)] == [BOB]
    assert [m.id for m in await members.staff()] == [CAROL]
    assert await members.remove_membership(ALICE, 1)
    assert not await members.remove_membership(ALICE, 1)
