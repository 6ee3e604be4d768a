"""Which representation a client asked for: `?format=` first, else the `Accept`
header (quality values honoured, `*/*` and `type/*` ranges matched), else the default.
Nothing acceptable is a 406 listing what is offered."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from services.gateway.errors import ApiError


def choose(offered: Mapping[str, str], fmt: str | None, accept: str | None, default: str) -> str:
    """The chosen format's name (a key of `offered`, which maps names to media types)."""
    listing = ", ".join(f"{name} ({media})" for name, media in offered.items())
    if fmt is not None:
        if fmt not in offered:
            raise ApiError(406, f"format '{fmt[:40]}' is not offered; formats: {listing}")
        return fmt
    if not accept or not accept.strip():
        return default
    ranges: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, _, params = part.strip().partition(";")
        quality = 1.0
        match = re.search(r"(?:^|;)\s*q=([0-9.]+)", params)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                quality = 0.0
        if media.strip() and quality > 0:
            ranges.append((quality, -index, media.strip().lower()))
    for _, _, media in sorted(ranges, reverse=True):
        if media == "*/*":
            return default
        for name, offered_media in offered.items():
            if media == offered_media or (
                media.endswith("/*") and offered_media.startswith(media[:-1])
            ):
                return name
    raise ApiError(406, f"Accept: none of the offered types is acceptable; formats: {listing}")


def attachment(stem: str, extension: str) -> dict[str, str]:
    """A Content-Disposition naming the file: an ASCII name, and the UTF-8 one (RFC 6266)."""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode().lower()
    safe = re.sub(r"[^a-z0-9]+", "-", ascii_stem).strip("-")[:80].strip("-") or "download"
    return {"Content-Disposition": f'attachment; filename="{safe}.{extension}"'}
