"""An import upload unpacked into files, within bounds: the request body (multipart or
raw), zip archives (entry count, total and per-entry unpacked size, no path leaving
the archive, no nested archive) and PNG cards (a real PNG of bounded dimensions whose
card is the base64 JSON of a `tEXt` chunk). A broken bound is a 4xx naming the file.
"""

from __future__ import annotations

import base64
import binascii
import io
import struct
import zipfile
from dataclasses import dataclass

from fastapi import Request
from PIL import Image, UnidentifiedImageError
from starlette.datastructures import UploadFile

from novel_platform.character_cards import PNG_KEYWORD_V2, PNG_KEYWORD_V3
from services.gateway.errors import ApiError


@dataclass(frozen=True)
class UploadLimits:
    max_files: int = 200
    max_entry_bytes: int = 2 * 1024 * 1024
    max_unpacked_bytes: int = 8 * 1024 * 1024
    max_image_side: int = 4096
    max_card_bytes: int = 1024 * 1024
    # What goes on to the character service in one gRPC message (its limit is 4 MiB).
    max_forwarded_bytes: int = 3 * 1024 * 1024


RAW_TYPES = {
    "application/zip": "upload.zip",
    "application/x-zip-compressed": "upload.zip",
    "image/png": "card.png",
    "application/json": "card.json",
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def read_upload(request: Request, limits: UploadLimits) -> list[tuple[str, bytes]]:
    """The uploaded files as (path, bytes), archives and PNG cards unpacked."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form(max_files=limits.max_files, max_fields=20)
        uploads = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
        if not uploads:
            raise ApiError(422, "multipart body: no file part (send them as -F file=@PATH)")
        given = [(u.filename or f"file{i}", await u.read()) for i, u in enumerate(uploads)]
    elif content_type in RAW_TYPES:
        given = [(RAW_TYPES[content_type], await request.body())]
    else:
        raise ApiError(
            415,
            f"Content-Type {content_type or '(none)'}: send multipart/form-data, "
            "application/zip, image/png or application/json",
        )
    files: list[tuple[str, bytes]] = []
    for name, data in given:
        files.extend(_unpacked(name, data, limits))
        if len(files) > limits.max_files:
            raise ApiError(422, f"upload: more than {limits.max_files} files")
    if sum(len(data) for _, data in files) > limits.max_forwarded_bytes:
        raise ApiError(
            422, f"upload: more than {limits.max_forwarded_bytes} bytes of character files"
        )
    return files


def _unpacked(name: str, data: bytes, limits: UploadLimits) -> list[tuple[str, bytes]]:
    lower = name.lower()
    if lower.endswith(".zip") or data.startswith(b"PK\x03\x04"):
        return [(path, _png_card(path, raw, limits)) if path.lower().endswith(".png") else
                (path, raw) for path, raw in _zip_entries(name, data, limits)]  # fmt: skip
    if lower.endswith(".png") or data.startswith(PNG_SIGNATURE):
        return [(name if lower.endswith(".png") else f"{name}.png", _png_card(name, data, limits))]
    return [(name, data)]


def _zip_entries(name: str, data: bytes, limits: UploadLimits) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ApiError(422, f"{name}: not a readable zip archive ({exc})") from None
    files = [i for i in infos if not i.is_dir()]
    if len(files) > limits.max_files:
        raise ApiError(422, f"{name}: more than {limits.max_files} entries")
    total = 0
    entries: list[tuple[str, bytes]] = []
    for info in files:
        path = info.filename
        if path.startswith("/") or ".." in path.replace("\\", "/").split("/") or ":" in path:
            raise ApiError(422, f"{name}: entry '{path[:200]}' leaves the archive's folder")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise ApiError(422, f"{name}: entry '{path[:200]}' is a symbolic link")
        if path.lower().endswith(".zip"):
            raise ApiError(422, f"{name}: entry '{path[:200]}' is an archive inside the archive")
        # The sizes the archive declares are checked first, then the bytes really read:
        # a zip bomb may lie in its headers.
        if info.file_size > limits.max_entry_bytes:
            raise ApiError(422, f"{name}: entry '{path[:200]}' unpacks to more than "
                           f"{limits.max_entry_bytes} bytes")  # fmt: skip
        try:
            with archive.open(info) as stream:
                raw = stream.read(limits.max_entry_bytes + 1)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError) as exc:
            raise ApiError(422, f"{name}: entry '{path[:200]}' cannot be read ({exc})") from None
        total += len(raw)
        if len(raw) > limits.max_entry_bytes or total > limits.max_unpacked_bytes:
            raise ApiError(422, f"{name}: unpacks to more than {limits.max_unpacked_bytes} "
                           f"bytes (entry '{path[:200]}')")  # fmt: skip
        entries.append((path, raw))
    return entries


def _png_card(name: str, data: bytes, limits: UploadLimits) -> bytes:
    """The card JSON a PNG carries (base64 in a `ccv3` or `chara` tEXt chunk; V3
    preferred), after Pillow has checked it is a whole PNG of bounded size."""
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            width, height = image.size
            if width > limits.max_image_side or height > limits.max_image_side:
                raise ApiError(422, f"{name}: image is {width}x{height}, more than "
                               f"{limits.max_image_side} pixels on a side")  # fmt: skip
            image.verify()  # every chunk's CRC, without decoding the pixels
    except ApiError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise ApiError(422, f"{name}: not a valid PNG image ({exc})") from None
    texts = _text_chunks(data, limits.max_card_bytes)
    encoded = texts.get(PNG_KEYWORD_V3) or texts.get(PNG_KEYWORD_V2)
    if encoded is None:
        raise ApiError(422, f"{name}: no character card in the PNG (no 'chara' or 'ccv3' "
                       "tEXt chunk)")  # fmt: skip
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, f"{name}: the card chunk is not base64") from None


def _text_chunks(data: bytes, limit: int) -> dict[str, bytes]:
    """tEXt chunks by keyword (only the card keywords; the image was verified)."""
    found: dict[str, bytes] = {}
    position = len(PNG_SIGNATURE)
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IEND":
            break
        if kind != b"tEXt" or b"\0" not in body:
            continue
        keyword, text = body.split(b"\0", 1)
        if keyword in (PNG_KEYWORD_V2.encode(), PNG_KEYWORD_V3.encode()):
            if len(text) > limit:
                raise ApiError(422, f"card chunk '{keyword.decode()}': larger than {limit} bytes")
            found[keyword.decode()] = text
    return found
