"""Answers to callback queries and inline queries."""

from __future__ import annotations

from bot.sandbox.errors import bad_request
from bot.sandbox.keyboards import check_reply_markup
from bot.sandbox.methods.params import Handler, Params
from bot.sandbox.world import PendingQuery, World

_STALE = "query is too old and response timeout expired or query ID is invalid"


def _pending(world: World, query_id: str, kind: str) -> PendingQuery:
    query = world.queries.get(query_id)
    if query is None or query.kind != kind or query.answer is not None:
        raise bad_request(_STALE)
    return query


async def answer_callback_query(world: World, p: Params) -> bool:
    """answerCallbackQuery: a query can be answered once."""
    query = _pending(world, p.text("callback_query_id"), "callback_query")
    text = p.optional_text("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answer = {"text": text, "show_alert": p.flag("show_alert"), "url": p.optional_text("url")}
    world.changed.notify()
    return True


async def answer_inline_query(world: World, p: Params) -> bool:
    """answerInlineQuery: at most 50 results with unique ids of 1-64 bytes."""
    query = _pending(world, p.text("inline_query_id"), "inline_query")
    results = p.array("results") or []
    if len(results) > world.limits.inline_results:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        if not isinstance(result, dict) or not isinstance(result.get("type"), str):
            raise bad_request("can't parse InlineQueryResult JSON object")
        result_id = str(result.get("id", ""))
        if not 1 <= len(result_id.encode("utf-8")) <= 64:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        check_reply_markup(result.get("reply_markup"), world.limits)
    query.answer = {"results": results, "next_offset": p.text("next_offset")}
    world.changed.notify()
    return True


HANDLERS: dict[str, Handler] = {
    "answerCallbackQuery": answer_callback_query,
    "answerInlineQuery": answer_inline_query,
}
