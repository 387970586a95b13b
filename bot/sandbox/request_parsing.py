"""Reading a Bot API request however it was encoded: query string, form, JSON or multipart."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.files import UploadedFile


async def read_parameters(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Raw parameter values by name, and uploaded files by multipart field name."""
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, UploadedFile] = {}
    if request.method != "POST" or not request.body_exists:
        return raw, uploads
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON encoded request") from None
        if not isinstance(body, dict):
            raise bad_request("JSON object expected")
        raw.update(body)
        return raw, uploads
    try:
        form = await request.post()
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "Request Entity Too Large") from None
    for name, value in form.items():
        if isinstance(value, web.FileField):
            uploads[name] = UploadedFile(value.filename, value.file.read(), value.content_type)
        else:
            raw[name] = value
    return raw, uploads


def json_text(value: Any) -> str:
    """Compact JSON, as Telegram answers."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
