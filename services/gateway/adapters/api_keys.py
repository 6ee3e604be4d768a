"""API keys: `ne_<key id>_<secret>`, stored as the id plus a SHA-256 of the secret.

A plain hash is enough here (unlike passwords): the secret is 32 random bytes, so
there is nothing to guess and a slow hash would only cost CPU on every cache miss.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.adapters.tables import api_keys

KEY_FORMAT = re.compile(r"^ne_([a-z0-9]{12})_([A-Za-z0-9_-]{20,128})$")
TENANT_FORMAT = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class IssuedKey:
    key: str
    key_id: str
    tenant_id: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key() -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    key_id = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"ne_{key_id}_{secrets.token_urlsafe(32)}"


async def issue_key(engine: AsyncEngine, tenant_id: str, key: str | None = None) -> IssuedKey:
    """Store a key for the tenant; `key` lets `make up` reuse NE_DEV_API_KEY."""
    if not TENANT_FORMAT.match(tenant_id):
        raise ValueError("tenant must be 1-63 lowercase letters, digits and dashes")
    key = key or new_key()
    match = KEY_FORMAT.match(key)
    if match is None:
        raise ValueError("key must look like ne_<12 lowercase letters/digits>_<20+ url-safe chars>")
    key_id, secret = match.groups()
    async with engine.begin() as conn:
        await conn.execute(
            insert(api_keys)
            .values(key_id=key_id, secret_hash=_hash(secret), tenant_id=tenant_id)
            .on_conflict_do_update(
                index_elements=[api_keys.c.key_id],
                set_={"secret_hash": _hash(secret), "tenant_id": tenant_id, "revoked_at": None},
            )
        )
    return IssuedKey(key=key, key_id=key_id, tenant_id=tenant_id)


@dataclass(frozen=True)
class KeyInfo:
    key_id: str
    tenant_id: str
    created_at: datetime
    revoked_at: datetime | None


async def list_keys(engine: AsyncEngine, tenant_id: str | None = None) -> list[KeyInfo]:
    """Every key (never a secret: only hashes are stored), oldest first."""
    stmt = sa.select(
        api_keys.c.key_id, api_keys.c.tenant_id, api_keys.c.created_at, api_keys.c.revoked_at
    ).order_by(api_keys.c.created_at, api_keys.c.key_id)
    if tenant_id is not None:
        stmt = stmt.where(api_keys.c.tenant_id == tenant_id)
    async with engine.connect() as conn:
        return [KeyInfo(*row) for row in (await conn.execute(stmt)).all()]


async def rotate_key(engine: AsyncEngine, key_id: str) -> IssuedKey | None:
    """A new key for the tenant of `key_id`, which is revoked in the same transaction.

    None when `key_id` is unknown or already revoked. Gateways stop accepting the old
    key within their key cache's lifetime.
    """
    key = new_key()
    match = KEY_FORMAT.match(key)
    assert match is not None
    new_id, secret = match.groups()
    async with engine.begin() as conn:
        revoked = (
            await conn.execute(
                sa.update(api_keys)
                .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=sa.func.now())
                .returning(api_keys.c.tenant_id)
            )
        ).first()
        if revoked is None:
            return None
        await conn.execute(
            api_keys.insert().values(
                key_id=new_id, secret_hash=_hash(secret), tenant_id=revoked.tenant_id
            )
        )
    return IssuedKey(key=key, key_id=new_id, tenant_id=revoked.tenant_id)


async def revoke_key(engine: AsyncEngine, key_id: str) -> bool:
    async with engine.begin() as conn:
        result = await conn.execute(
            sa.update(api_keys)
            .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=sa.func.now())
        )
    return bool(result.rowcount)


class KeyStore:
    """Resolves a presented key to its tenant, with a short in-process cache."""

    def __init__(self, engine: AsyncEngine, cache_seconds: float) -> None:
        self._engine = engine
        self._ttl = cache_seconds
        self._cache: dict[str, tuple[float, str | None]] = {}

    async def tenant_for(self, key: str) -> str | None:
        match = KEY_FORMAT.match(key)
        if match is None:
            return None
        now = time.monotonic()
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        key_id, secret = match.groups()
        try:
            row = await self._lookup(key_id)
        except sa_exc.DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            # A pooled connection the database dropped (it restarted). SQLAlchemy has
            # invalidated the pool, so the next checkout is a fresh connection; a read
            # is safe to repeat. A database still down raises again: 503.
            row = await self._lookup(key_id)
        tenant = (
            row.tenant_id
            if row is not None and hmac.compare_digest(row.secret_hash, _hash(secret))
            else None
        )
        if len(self._cache) > 10_000:  # bounded: random bad keys must not grow memory
            self._cache.clear()
        self._cache[key] = (now + self._ttl, tenant)
        return tenant

    async def _lookup(self, key_id: str) -> sa.Row[tuple[str, str]] | None:
        async with self._engine.connect() as conn:
            return (
                await conn.execute(
                    sa.select(api_keys.c.secret_hash, api_keys.c.tenant_id).where(
                        api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None)
                    )
                )
            ).first()
