"""Fixtures of the integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from novel_platform.config import DatabaseSettings
from novel_platform.db import create_engine


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A pool on the session's migrated database, for one test."""
    created = create_engine(DatabaseSettings(database_url=database_url))
    yield created
    await created.dispose()
