"""API key commands, backed by the gateway's key store."""

from __future__ import annotations

from novel_platform.config import DatabaseSettings
from novel_platform.db import create_engine
from services.gateway.adapters.api_keys import (
    KeyInfo,
    issue_key,
    list_keys,
    revoke_key,
    rotate_key,
)


async def issue(database_url: str, tenant: str, key: str | None = None) -> str:
    engine = create_engine(DatabaseSettings(database_url=database_url, db_pool_size=1))
    try:
        return (await issue_key(engine, tenant, key)).key
    finally:
        await engine.dispose()


async def revoke(database_url: str, key_id: str) -> bool:
    engine = create_engine(DatabaseSettings(database_url=database_url, db_pool_size=1))
    try:
        return await revoke_key(engine, key_id)
    finally:
        await engine.dispose()


async def listed(database_url: str, tenant: str | None) -> list[KeyInfo]:
    engine = create_engine(DatabaseSettings(database_url=database_url, db_pool_size=1))
    try:
        return await list_keys(engine, tenant)
    finally:
        await engine.dispose()


async def rotate(database_url: str, key_id: str) -> str | None:
    engine = create_engine(DatabaseSettings(database_url=database_url, db_pool_size=1))
    try:
        issued = await rotate_key(engine, key_id)
        return issued.key if issued else None
    finally:
        await engine.dispose()
