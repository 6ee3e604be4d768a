"""Schemathesis against the running gateway's OpenAPI, with a valid key (a bounded run;
`make chaos` runs it deeper): no server error, no response off its schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chaos.fuzz import run_schemathesis
from novel_cli.stack import LocalStack
from tests.e2e.tenants import seed_tenant

pytestmark = pytest.mark.e2e


@pytest.mark.timeout(600)
def test_schemathesis_finds_no_server_error_and_no_response_off_the_schema(
    stack: LocalStack, tmp_path: Path
) -> None:
    # A tenant of its own: the fuzzer deletes and cancels what it finds.
    tenant = seed_tenant(stack, "fuzz-schema")
    result = run_schemathesis(
        stack.url,
        tenant.key,
        tmp_path,
        max_examples=12,
        ids={
            "character_id": tenant.characters,
            "simulation_id": tenant.simulations,
            "story_id": tenant.stories,
        },
    )
    assert result.passed, result.output[-6000:]
    # Every route of the schema was exercised.
    selected = re.search(r"Selected: (\d+)/(\d+)", result.summary)
    tested = re.search(r"Tested: (\d+)", result.summary)
    assert selected and tested, result.summary
    assert selected[1] == selected[2] == tested[1] and int(tested[1]) >= 20
