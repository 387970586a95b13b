"""getUpdates and webhooks: how updates leave the sandbox."""

from __future__ import annotations

import asyncio
import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.methods.params import Handler, Params
from bot.sandbox.world import WebhookConfig, World

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_TERMINATED = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)


async def get_updates(world: World, p: Params) -> list[dict[str, Any]]:
    """getUpdates: confirm below `offset`, then long-poll up to `timeout` seconds for something new."""
    if world.webhook is not None:
        raise ApiError(409, _WEBHOOK_CONFLICT)
    queue = world.updates
    offset = p.optional_integer("offset")
    limit = min(max(p.optional_integer("limit") or 100, 1), 100)
    timeout = max(p.optional_integer("timeout") or 0, 0)
    queue.set_allowed(p.array("allowed_updates"))
    if offset:
        queue.confirm(offset)
        world.changed.notify()
    # A newer getUpdates ends an older one with 409, as Telegram does for two running instances.
    world.poll_generation += 1
    generation = world.poll_generation
    queue.wake()
    world.changed.notify()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not len(queue) and not world.closed and world.webhook is None:
        if generation != world.poll_generation:
            raise ApiError(409, _TERMINATED)
        remaining = deadline - loop.time()
        if remaining <= 0:
            break
        await queue.wait(remaining)
    if generation != world.poll_generation and not len(queue):
        raise ApiError(409, _TERMINATED)
    return queue.peek(limit)


def _check_webhook_url(url: str) -> None:
    """Only loopback URLs: the sandbox must never send traffic off this machine."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise bad_request(
            f"bad webhook: the sandbox delivers only to loopback addresses "
            f"(127.0.0.0/8, localhost, [::1]), not {host!r}"
        )


async def set_webhook(world: World, p: Params) -> bool:
    """setWebhook; an empty url removes the webhook, as on Telegram."""
    url = p.text("url")
    if url:
        _check_webhook_url(url)
    secret = p.optional_text("secret_token")
    if secret is not None and not _SECRET.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = p.optional_integer("max_connections") or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    if p.flag("drop_pending_updates"):
        world.updates.clear()
    world.updates.set_allowed(p.array("allowed_updates"))
    world.webhook = (
        WebhookConfig(url, secret, max_connections, p.optional_text("ip_address")) if url else None
    )
    world.updates.wake()
    world.changed.notify()
    return True


async def delete_webhook(world: World, p: Params) -> bool:
    """deleteWebhook."""
    if p.flag("drop_pending_updates"):
        world.updates.clear()
    world.webhook = None
    world.updates.wake()
    world.changed.notify()
    return True


async def get_webhook_info(world: World, p: Params) -> dict[str, Any]:
    """getWebhookInfo."""
    config = world.webhook
    info: dict[str, Any] = {
        "url": config.url if config else "",
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates),
    }
    if config is not None:
        info["max_connections"] = config.max_connections
        info["ip_address"] = config.ip_address or "127.0.0.1"
        status = world.webhook_status
        if status.last_error_date is not None:
            info["last_error_date"] = status.last_error_date
            info["last_error_message"] = status.last_error_message
    if world.updates.allowed is not None:
        info["allowed_updates"] = sorted(world.updates.allowed)
    return info


HANDLERS: dict[str, Handler] = {
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}
