"""Sending documents and photos, and getFile."""

from __future__ import annotations

from typing import Any

from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.files import MAX_DOWNLOAD_BYTES, MAX_UPLOAD_BYTES, StoredFile, UploadedFile
from bot.sandbox.methods.messages import send_common, text_content
from bot.sandbox.methods.params import Handler, Params
from bot.sandbox.world import World


def input_file(world: World, value: Any, kind: str) -> StoredFile:
    """The file a send* names: a new upload, or a file_id the sandbox already has."""
    if isinstance(value, UploadedFile):
        if not value.content:
            raise bad_request("file must be non-empty")
        if len(value.content) > MAX_UPLOAD_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        mime_type = value.mime_type if kind == "document" else None
        return world.files.add(kind, value.content, value.filename, mime_type)
    file_id = str(value)
    if file_id.startswith(("http://", "https://")):
        # The sandbox never reaches the network, so it cannot fetch a URL the way Telegram would.
        raise bad_request("failed to get HTTP URL content")
    stored = world.files.get(file_id)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if stored.kind != kind:
        raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
    return stored


async def _send_media(world: World, p: Params, kind: str) -> dict[str, Any]:
    chat = world.writable_chat(p.get("chat_id"))
    formatted = world.format(p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True)
    stored = input_file(world, p.get(kind), kind)
    content: dict[str, Any] = {kind: stored.as_document() if kind == "document" else stored.as_photo()}
    content.update(text_content(formatted, "caption"))
    return send_common(world, chat, p, content).raw


async def send_document(world: World, p: Params) -> dict[str, Any]:
    """sendDocument."""
    return await _send_media(world, p, "document")


async def send_photo(world: World, p: Params) -> dict[str, Any]:
    """sendPhoto."""
    return await _send_media(world, p, "photo")


async def get_file(world: World, p: Params) -> dict[str, Any]:
    """getFile: a File whose file_path downloads from /file/bot<token>/<file_path>."""
    stored = world.files.get(p.text("file_id"))
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > MAX_DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return stored.as_file()


HANDLERS: dict[str, Handler] = {
    "sendDocument": send_document,
    "sendPhoto": send_photo,
    "getFile": get_file,
}
