"""Delivering updates to the bot's webhook, one at a time and in order, as Telegram does."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp

from bot.sandbox.chats import unix_now
from bot.sandbox.world import WebhookConfig, World

_LOGGER = logging.getLogger(__name__)
# Telegram keeps retrying for much longer; a test wants to see a failure quickly instead.
RETRY_DELAYS = (0.05, 0.2, 0.5, 1.0)


class WebhookSender:
    """Posts pending updates to the webhook while one is set."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin watching for a webhook and pending updates."""
        # Connections are not reused: the bot's webhook server may be restarted between tests.
        connector = aiohttp.TCPConnector(force_close=True)
        self._session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=10))
        self._task = asyncio.create_task(self._run(), name="sandbox-webhook-sender")

    async def stop(self) -> None:
        """Stop delivering and close the HTTP client."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        world = self._world
        queue = world.updates
        failures = 0
        while not world.closed:
            config = world.webhook
            if config is None or not len(queue):
                await world.changed.wait_for(
                    lambda: (world.closed or (world.webhook is not None and len(queue) > 0)) or None, 1.0
                )
                continue
            update = queue.peek(1)[0]
            error = await self._post(config, update)
            if error is None:
                failures = 0
                queue.pop_first(update["update_id"])
                world.changed.notify()
                continue
            world.webhook_status.last_error_date = unix_now()
            world.webhook_status.last_error_message = error
            world.changed.notify()
            if failures >= len(RETRY_DELAYS):
                _LOGGER.warning(
                    "Dropping update %s after %s failed webhook deliveries", update["update_id"], failures + 1
                )
                failures = 0
                queue.pop_first(update["update_id"])
                world.changed.notify()
                continue
            await asyncio.sleep(RETRY_DELAYS[failures])
            failures += 1

    async def _post(self, config: WebhookConfig, update: dict[str, object]) -> str | None:
        """None when the bot accepted the update, else Telegram-style last_error_message."""
        assert self._session is not None  # noqa: S101 - started before running
        headers = {}
        if config.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = config.secret_token
        try:
            async with self._session.post(config.url, json=update, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as error:
            _LOGGER.debug("Webhook delivery to %s failed: %s", config.url, error)
            return f"Connection failed: {error.__class__.__name__}"
