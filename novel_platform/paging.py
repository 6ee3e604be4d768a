"""Cursor paging shared by every List call: opaque tokens, bounded page sizes."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa

from novel_platform.errors import InvalidArgument

DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
_SEP = "\x1f"


def page_size(requested: int) -> int:
    if requested < 0 or requested > MAX_PAGE_SIZE:
        raise InvalidArgument(f"page_size: must be 1..{MAX_PAGE_SIZE}")
    return requested or DEFAULT_PAGE_SIZE


def encode_cursor(*parts: str) -> str:
    raw = _SEP.join(parts).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, count: int) -> tuple[str, ...] | None:
    """The parts of a token from encode_cursor, None for no token; InvalidArgument else."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    parts = tuple(raw.split(_SEP))
    if len(parts) != count or not all(parts):
        raise InvalidArgument("page_token: not a token this API returned")
    return parts


def time_cursor(token: str) -> tuple[datetime, str] | None:
    """Decode a (created_at, id) cursor for newest-first lists."""
    parts = decode_cursor(token, 2)
    if parts is None:
        return None
    try:
        return datetime.fromisoformat(parts[0]), parts[1]
    except ValueError:
        raise InvalidArgument("page_token: not a token this API returned") from None


class _Dated(Protocol):
    @property
    def created_at(self) -> datetime: ...

    @property
    def id(self) -> str: ...


DatedT = TypeVar("DatedT", bound=_Dated)


def newest_first_page(items: list[DatedT], limit: int) -> tuple[list[DatedT], str]:
    """Cut a newest-first list fetched with limit + 1 rows; the token resumes after it."""
    if len(items) <= limit:
        return items, ""
    last = items[limit - 1]
    return items[:limit], encode_cursor(last.created_at.isoformat(), last.id)


def require_tenant(tenant_id: str) -> str:
    """Every request names its tenant; the gateway fills it from the API key."""
    if not tenant_id or len(tenant_id) > 64:
        raise InvalidArgument("tenant_id: required, at most 64 characters")
    return tenant_id


def newest_first_query(
    table: sa.Table, tenant_id: str, before: tuple[datetime, str] | None, limit: int
) -> sa.Select[Any]:
    """A tenant's rows, newest first, after a (created_at, id) cursor (keyset paging:
    as fast on the thousandth page as on the first)."""
    stmt = sa.select(table).where(table.c.tenant_id == tenant_id)
    if before is not None:
        cursor = sa.tuple_(sa.literal(before[0]), sa.literal(before[1]))
        stmt = stmt.where(sa.tuple_(table.c.created_at, table.c.id) < cursor)
    return stmt.order_by(table.c.created_at.desc(), table.c.id.desc()).limit(limit)
