"""The one-line /setstatus and the splitting of long replies, as units."""

from __future__ import annotations

from datetime import date

from bot.i18n import translator
from bot.staff.paging import split_messages, telegram_length
from bot.staff.status import parse_status_line, read_status, split_details
from storage.records import Status

TODAY = date(2026, 6, 1)
EN = translator("en")


def test_the_issues_example_reads_as_place_status_date_and_who_decided() -> None:
    line = parse_status_line("Roanoke Pskov paused 2023-02-21 City council resolution", TODAY, EN)
    assert line is not None
    assert line.place == "Roanoke Pskov"
    assert (line.draft.status, line.draft.effective_date) == (Status.PAUSED, date(2023, 2, 21))
    assert (line.draft.decided_by, line.draft.reason, line.draft.source) == (
        "City council resolution",
        "",
        "",
    )
    assert line.problem is None


def test_russian_two_word_status_without_a_date_is_today() -> None:
    line = parse_status_line("Псков на паузе Губернатор; так решили", TODAY, translator("ru"))
    assert line is not None
    assert (line.place, line.draft.status, line.draft.effective_date) == ("Псков", Status.PAUSED, TODAY)
    assert (line.draft.decided_by, line.draft.reason) == ("Губернатор", "так решили")


def test_a_future_date_is_a_problem_and_no_status_is_none() -> None:
    line = parse_status_line("Pskov terminated 2099-01-01", TODAY, EN)
    assert line is not None
    assert line.problem is not None
    assert parse_status_line("Roanoke Pskov", TODAY, EN) is None
    assert parse_status_line("paused", TODAY, EN) is None
    assert read_status("ПРИОСТАНОВЛЕНО") is Status.SUSPENDED


def test_details_take_a_link_from_anywhere_and_lines_as_well_as_semicolons() -> None:
    assert split_details("Mayor https://x.org/a ; kept") == ("Mayor", "kept", "https://x.org/a")
    assert split_details("Mayor\nkept the tie\nhttps://x.org/a") == (
        "Mayor",
        "kept the tie",
        "https://x.org/a",
    )


def test_long_replies_are_split_under_the_limit_and_keep_everything() -> None:
    blocks = [f"block {n} " + "я" * 300 for n in range(40)] + ["😀" * 5000]
    messages = split_messages(blocks, limit=4096)
    assert all(telegram_length(m) <= 4096 for m in messages)
    assert "".join(messages).replace("\n", "") == "".join(blocks)
    assert split_messages(["a", "b"]) == ["a\nb"]
