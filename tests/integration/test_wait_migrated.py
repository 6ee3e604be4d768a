"""The migration gate a pod's init container runs (`novel wait-migrated`): code never
serves on a schema behind the migrations it carries."""

from __future__ import annotations

import pytest

from novel_cli.registry import SERVICES
from novel_platform import migrations
from tests import infra
from tests.e2e.cli import novel

pytestmark = pytest.mark.integration

STORY = next(s for s in SERVICES if s.name == "story")


def test_a_schema_behind_the_code_is_not_at_head_until_migrated(postgres_url: str) -> None:
    with infra.fresh_database(postgres_url) as url:
        assert not migrations.at_head(STORY.module, STORY.schema, url)
        # One revision short of this code's head: still behind.
        migrations.upgrade(STORY.module, STORY.schema, url, "head-1")
        assert not migrations.at_head(STORY.module, STORY.schema, url)
        migrations.upgrade(STORY.module, STORY.schema, url)
        assert migrations.at_head(STORY.module, STORY.schema, url)


def test_the_cli_waits_then_fails_on_an_unmigrated_schema(postgres_url: str) -> None:
    with infra.fresh_database(postgres_url) as url:
        env = {"NE_DATABASE_URL": url}
        behind = novel("wait-migrated", "--service", "story", "--timeout", "1", env=env)
        assert behind.code == 1, behind
        assert "schema story not migrated" in behind.err
        migrations.upgrade(STORY.module, STORY.schema, url)
        current = novel("wait-migrated", "--service", "story", "--timeout", "1", env=env)
        assert current.code == 0, current
        unknown = novel("wait-migrated", "--service", "nope", env=env)
        assert unknown.code == 2 and "unknown service nope" in unknown.err
