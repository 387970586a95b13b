"""The partnership card: what anyone sees, what only the committee sees, dates and the next check-in."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from bot.i18n import translator
from bot.permissions import Viewer
from bot.registry.cards import (
    CardView,
    Committee,
    ContactLog,
    LastContact,
    card_views,
    may_see_private,
    next_checkin,
    render_card,
    render_cards,
)
from storage.members import Role
from storage.records import PartnerKind, Partnership, Status, UsKind

TODAY = date(2024, 5, 20)
EN = translator("en")
RU = translator("ru")
COMMITTEE = Committee(coordinators=("Carol Coordinator",), member_count=3)
CONTACT = LastContact(on=date(2024, 5, 1), channel="zoom", summary="Youth council, 12 people")
LOG = ContactLog(CONTACT, recent_count=3, awaiting_reply_since=None)


def pskov(**changes: object) -> Partnership:
    partnership = Partnership(
        id=1,
        us_name="Roanoke",
        us_state="VA",
        us_kind=UsKind.CITY,
        partner_name="Pskov",
        partner_region="Pskov Oblast",
        partner_country="Russia",
        partner_kind=PartnerKind.CITY,
        established_year=1992,
        status=Status.ACTIVE,
        checkin_days=30,
        status_since=date(2022, 3, 7),
        status_note="City council voted to keep it",
        created_at=datetime(2024, 1, 10, 12, 0, tzinfo=UTC),
        updated_at=datetime(2024, 1, 10, 12, 0, tzinfo=UTC),
    )
    return dataclasses.replace(partnership, **changes)  # type: ignore[arg-type]


def view(partnership: Partnership | None = None, *, include_private: bool, **kwargs: object) -> CardView:
    return CardView.build(
        partnership or pskov(),
        include_private=include_private,
        today=TODAY,
        default_checkin_days=45,
        committee=COMMITTEE,
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_public_card_shows_both_sides_status_reason_and_year() -> None:
    text = render_card(view(include_private=False), EN)
    assert "<b>Roanoke – Pskov</b>" in text
    assert "Roanoke, VA, United States" in text
    assert "Pskov, Pskov Oblast, Russia" in text
    assert "Status: active since Mar 7, 2022" in text
    assert "Why: City council voted to keep it" in text
    assert "Partners since: 1992" in text
    assert "Last contact: no contact recorded yet" in text


def test_the_public_card_hides_the_committee_and_what_contacts_said() -> None:
    card = view(include_private=False, log=LOG)
    text = render_card(card, EN)
    assert not card.is_private
    assert "Carol" not in text
    assert "committee" not in text
    assert "Youth council" not in text
    assert "Last contact: May 1, 2024 (Zoom)" in text  # the date and channel are public


def test_the_committee_sees_coordinators_member_count_and_what_was_said() -> None:
    text = render_card(view(include_private=True, log=LOG), EN)
    assert "Coordinators: Carol Coordinator" in text
    assert "3 members on the committee" in text
    assert "What they said: Youth council, 12 people" in text


def test_who_may_see_the_private_part_is_decided_by_permissions() -> None:
    assert not may_see_private(None, 1)
    assert not may_see_private(Viewer(user_id=5), 1)
    assert not may_see_private(Viewer(user_id=5, roles={2: Role.MEMBER}), 1)
    assert may_see_private(Viewer(user_id=5, roles={1: Role.MEMBER}), 1)
    assert may_see_private(Viewer(user_id=5, is_staff=True), 1)
    assert may_see_private(Viewer(user_id=5, is_admin=True), 1)


def test_the_card_in_russian() -> None:
    text = render_card(view(include_private=True, log=LOG), RU).replace("\u202f", " ")
    assert "Россия" in text
    assert "Статус: действует с 7 мар. 2022 г." in text
    assert "Последний контакт: 1 мая 2024 г. (Zoom)" in text
    assert "3 участника комитета" in text
    assert "Координаторы: Carol Coordinator" in text


def test_the_next_checkin_counts_from_creation_until_a_contact_is_logged() -> None:
    assert next_checkin(pskov(), None, 45) == date(2024, 2, 9)
    assert next_checkin(pskov(), CONTACT, 45) == date(2024, 5, 31)
    assert next_checkin(pskov(checkin_days=None), CONTACT, 45) == date(2024, 6, 15)


def test_only_active_and_paused_partnerships_have_a_checkin() -> None:
    assert next_checkin(pskov(status=Status.PAUSED), None, 45) is not None
    assert next_checkin(pskov(status=Status.SUSPENDED), None, 45) is None
    assert next_checkin(pskov(status=Status.TERMINATED), None, 45) is None
    text = render_card(view(pskov(status=Status.TERMINATED), include_private=False), EN)
    assert "check-in" not in text.lower()


def test_a_checkin_in_the_past_is_shown_as_overdue() -> None:
    assert "Check-in overdue since Feb 9, 2024" in render_card(view(include_private=False), EN)
    text = render_card(view(include_private=False, log=LOG), EN)
    assert "Next check-in: May 31, 2024" in text


def test_stored_text_is_escaped() -> None:
    hostile = pskov(partner_name="<script>alert(1)</script>", status_note="a & b <i>")
    text = render_card(view(hostile, include_private=False), EN)
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    assert "a &amp; b &lt;i&gt;" in text


def test_a_state_member_without_a_region_reads_naturally() -> None:
    maryland = pskov(
        us_name="Maryland",
        us_state="MD",
        us_kind=UsKind.STATE,
        partner_name="Leningrad Oblast",
        partner_region="",
        partner_kind=PartnerKind.REGION,
        established_year=None,
        status=Status.TERMINATED,
    )
    text = render_card(view(maryland, include_private=False), EN)
    assert "Maryland, United States" in text
    assert "Leningrad Oblast, Russia" in text
    assert "Partners since" not in text


def test_cards_are_combined_into_one_message_until_it_would_be_too_long() -> None:
    cards = [view(pskov(id=i), include_private=False) for i in range(4)]
    assert len(render_cards(cards, EN)) == 1
    many = [view(pskov(id=i, status_note="x" * 500), include_private=False) for i in range(20)]
    messages = render_cards(many, EN)
    assert len(messages) > 1
    assert all(len(m) <= 4096 for m in messages)
    assert sum(m.count("<b>Roanoke – Pskov</b>") for m in messages) == 20


async def test_card_views_take_the_last_contacts_and_read_the_committee_only_for_who_may_see_it() -> None:
    class Members:
        def __init__(self) -> None:
            self.asked: list[int] = []

        async def committee(self, partnership_id: int, role: Role | None = None) -> list[object]:
            self.asked.append(partnership_id)
            return []

    members = Members()
    letter = LastContact(on=date(2024, 5, 10), channel="letter_received", summary="A letter from the mayor")
    views = await card_views(
        [pskov(id=1), pskov(id=2)],
        Viewer(user_id=5, roles={2: Role.MEMBER}),
        members,  # type: ignore[arg-type]
        today=TODAY,
        default_checkin_days=45,
        logs={1: ContactLog(letter, 1, None), 2: ContactLog(letter, 1, None)},
    )
    assert [v.is_private for v in views] == [False, True]
    assert set(members.asked) == {2}
    public, private = (render_card(v, EN) for v in views)
    assert "Last contact: May 10, 2024 (letter received)" in public
    assert "mayor" not in public
    assert "What they said: A letter from the mayor" in private
    assert "Next check-in: Jun 9, 2024" in public


def test_the_card_counts_recent_contacts_and_shows_a_letter_awaiting_reply() -> None:
    letter = LastContact(on=date(2024, 5, 1), channel="letter_sent", summary="To the mayor")
    log = ContactLog(letter, recent_count=1, awaiting_reply_since=date(2024, 5, 1))
    text = render_card(view(include_private=False, log=log), EN)
    assert "1 contact in the last 90 days" in text
    assert "Awaiting a reply to the letter sent on May 1, 2024" in text
    russian = render_card(view(include_private=False, log=LOG), RU)
    assert "3 контакта за последние 90 дней" in russian
    assert "Awaiting" not in render_card(view(include_private=False, log=LOG), EN)
    # With nothing logged there is nothing to count.
    assert "in the last 90 days" not in render_card(view(include_private=False), EN)
