"""Flood control allows what Telegram (and PTB's AIORateLimiter) allow, and refuses the rest."""

from __future__ import annotations

from bot.sandbox.limits import FloodControl, Limits


def test_a_private_chat_allows_a_short_burst_then_one_a_second() -> None:
    flood = FloodControl(Limits())
    assert [flood.admit(1, "private", 0.0) for _ in range(3)] == [None, None, None]
    assert flood.admit(1, "private", 0.1) == 1
    assert flood.admit(1, "private", 1.0) is None
    assert flood.admit(1, "private", 1.5) == 1
    assert flood.admit(2, "private", 1.5) is None, "other chats are not affected"


def test_a_steady_second_per_message_is_never_refused() -> None:
    flood = FloodControl(Limits())
    assert all(flood.admit(1, "private", float(second)) is None for second in range(100))


def test_a_group_allows_20_a_minute() -> None:
    flood = FloodControl(Limits())
    assert all(flood.admit(-5, "group", 0.0) is None for _ in range(20))
    assert flood.admit(-5, "group", 0.0) == 3
    assert flood.admit(-5, "group", 3.0) is None


def test_overall_30_a_second_across_chats() -> None:
    flood = FloodControl(Limits(timing_tolerance=0))
    assert all(flood.admit(chat, "private", 0.0) is None for chat in range(30))
    assert flood.admit(99, "private", 0.0) == 1
    assert flood.admit(99, "private", 1 / 30) is None, "the overall budget refills continuously"


def test_a_call_slightly_early_passes_to_absorb_jitter() -> None:
    flood = FloodControl(Limits())
    assert all(flood.admit(chat, "private", 0.0) is None for chat in range(33))
    assert flood.admit(99, "private", 0.0) == 1
    group = FloodControl(Limits())
    assert all(group.admit(-1, "group", 0.0) is None for _ in range(20))
    assert group.admit(-1, "group", 2.95) is None, "0.05 s early for the 21st group message"


def test_a_refused_call_does_not_spend_the_budget() -> None:
    flood = FloodControl(Limits(private_burst=1))
    assert flood.admit(1, "private", 0.0) is None
    assert all(flood.admit(1, "private", 0.5) == 1 for _ in range(10))
    assert flood.admit(1, "private", 1.0) is None


def test_a_large_broadcast_keeps_memory_flat() -> None:
    flood = FloodControl(Limits(global_per_second=1_000_000))
    for member in range(5_000):
        assert flood.admit(member, "private", member / 30) is None
    assert len(flood._chats) < 1_100
