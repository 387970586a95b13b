"""Uploads and downloads in both directions keep every byte."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

import pytest
from telegram import Bot, Update
from telegram.error import BadRequest
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.sandbox import BotApiServer
from tests.sandbox.helpers import message_of, polling

_CSV = b"city,partner\nRoanoke,Pskov\nDurham,Kostroma\n"


def _png(width: int, height: int) -> bytes:
    """A valid, tiny PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


async def test_a_document_from_a_user_downloads_byte_for_byte(
    server: BotApiServer, builder: Callable[[], ApplicationBuilder]
) -> None:
    received: list[bytes] = []

    async def save(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Download the document and confirm its size."""
        document = message_of(update).document
        assert document is not None
        file = await document.get_file()
        received.append(bytes(await file.download_as_bytearray()))
        await message_of(update).reply_text(f"{document.file_name}: {document.file_size} bytes")

    app = builder().build()
    app.add_handler(MessageHandler(filters.Document.ALL, save))
    alice = server.user()
    async with polling(app):
        await alice.send_document(_CSV, "partners.csv", caption="import please", mime_type="text/csv")
        reply = await alice.reply()

    assert received == [_CSV]
    assert reply.text == f"partners.csv: {len(_CSV)} bytes"


async def test_a_document_from_the_bot_reaches_the_user_and_can_be_sent_again(
    bot: Bot, server: BotApiServer
) -> None:
    alice, bob = server.user(), server.user()
    sent = await bot.send_document(
        alice.chat_id, _CSV, filename="export.csv", caption="<b>Export</b>", parse_mode="HTML"
    )
    document = alice.last.document
    assert document is not None
    assert await server.download(document["file_id"]) == _CSV
    assert (document["file_name"], document["mime_type"], document["file_size"]) == (
        "export.csv",
        "text/csv",
        len(_CSV),
    )
    assert alice.last.text == "Export"
    assert alice.last.entities == [{"type": "bold", "offset": 0, "length": 6}]

    assert sent.document is not None
    again = await bot.send_document(bob.chat_id, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_unique_id == sent.document.file_unique_id
    assert await server.download(again.document.file_id) == _CSV


async def test_photos_upload_resend_and_keep_their_type(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    image = _png(3, 2)
    sent = await bot.send_photo(alice.chat_id, image, caption="The delegation")
    photo = alice.last.photo
    assert photo is not None
    assert (photo[-1]["width"], photo[-1]["height"]) == (3, 2)
    assert await server.download(sent.photo[-1].file_id) == image

    await bot.send_photo(alice.chat_id, sent.photo[-1].file_id)
    with pytest.raises(BadRequest, match="Can't use file of type photo as document"):
        await bot.send_document(alice.chat_id, sent.photo[-1].file_id)
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_document(alice.chat_id, "no-such-file-id")


async def test_a_user_photo_is_downloadable_by_the_bot(bot: Bot, server: BotApiServer) -> None:
    alice = server.user()
    image = _png(4, 4)
    message = await alice.send_photo(image, caption="our visit")
    file = await bot.get_file(message["photo"][-1]["file_id"])
    assert bytes(await file.download_as_bytearray()) == image


async def test_copy_message_copies_media_with_a_new_caption(bot: Bot, server: BotApiServer) -> None:
    alice, bob = server.user(), server.user()
    original = await alice.send_document(_CSV, "partners.csv", caption="from Alice")
    await bot.copy_message(
        bob.chat_id, alice.chat_id, original["message_id"], caption="<i>forwarded list</i>", parse_mode="HTML"
    )

    copy = bob.last
    assert copy.document is not None
    assert copy.document["file_id"] == original["document"]["file_id"]
    assert copy.text == "forwarded list"
    assert await server.download(copy.document["file_id"]) == _CSV
