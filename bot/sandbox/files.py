"""Files the bot and the sandbox users upload, addressable by file_id and by download path."""

from __future__ import annotations

import hashlib
import itertools
import mimetypes
import struct
from dataclasses import dataclass
from typing import Any

# Telegram's own caps: 50 MB for bot uploads, 20 MB for bot downloads via getFile.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
_DEFAULT_PHOTO_SIDE = 512


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One file part of a multipart request."""

    filename: str
    content: bytes
    mime_type: str


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file the sandbox holds, as getFile and the download URL see it."""

    file_id: str
    file_unique_id: str
    kind: str
    content: bytes
    file_path: str
    file_name: str | None
    mime_type: str | None
    width: int = 0
    height: int = 0

    @property
    def size(self) -> int:
        """Length in bytes."""
        return len(self.content)

    def as_document(self) -> dict[str, Any]:
        """The Document object Telegram puts into a message."""
        document: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name:
            document["file_name"] = self.file_name
        if self.mime_type:
            document["mime_type"] = self.mime_type
        return document

    def as_photo(self) -> list[dict[str, Any]]:
        """The PhotoSize list Telegram puts into a message (one size: the sandbox does not resize)."""
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": self.size,
                "width": self.width,
                "height": self.height,
            }
        ]

    def as_file(self) -> dict[str, Any]:
        """The File object getFile answers with."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


class FileStore:
    """Every file uploaded to the sandbox, kept in memory."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = itertools.count(1)

    def add(
        self, kind: str, content: bytes, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        """Store new content of `kind` ("document" or "photo") and give it ids and a download path."""
        number = next(self._counter)
        digest = hashlib.sha256(content).hexdigest()
        if kind == "photo":
            width, height = _image_size(content)
            extension, file_name, mime_type = ".jpg", None, None
        else:
            width = height = 0
            guessed = mimetypes.guess_extension(mime_type or "") if mime_type else None
            extension = _extension(file_name) or guessed or ""
        stored = StoredFile(
            # file_ids differ per upload while file_unique_id follows the content, as on Telegram.
            file_id=f"SBX{kind[:3].upper()}{number:08d}{digest[:24]}",
            file_unique_id=f"U{digest[:15]}",
            kind=kind,
            content=content,
            file_path=f"{kind}s/file_{number}{extension}",
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """The file with this file_id, if the sandbox has it."""
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        """The file behind a download path returned by getFile."""
        return self._by_path.get(file_path)


def _extension(file_name: str | None) -> str:
    if not file_name or "." not in file_name:
        return ""
    suffix = file_name.rsplit(".", 1)[1]
    return f".{suffix}" if suffix.isalnum() and len(suffix) <= 8 else ""


def _image_size(content: bytes) -> tuple[int, int]:
    """Width and height from a PNG header; other formats get a plausible default."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    return _DEFAULT_PHOTO_SIDE, _DEFAULT_PHOTO_SIDE
