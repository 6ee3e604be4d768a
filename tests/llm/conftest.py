"""The scripted OpenAI-compatible server every model test talks to over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.scripted_llm import ScriptedLLM


@pytest.fixture(scope="session")
def scripted_llm() -> Iterator[ScriptedLLM]:
    server = ScriptedLLM().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def llm(scripted_llm: ScriptedLLM) -> ScriptedLLM:
    scripted_llm.script([], default="answer")
    return scripted_llm
