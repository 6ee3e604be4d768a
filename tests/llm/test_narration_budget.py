"""Narration budget across story replicas: two narrators (as two replicas) writing turns
of one simulation at once share its budget, against the real database and a scripted
model server over HTTP."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa

from novel_engine.v1 import simulation_pb2
from novel_platform.config import DatabaseSettings
from novel_platform.db import create_engine
from novel_platform.llm.backend import Backend
from novel_platform.llm.client import ChatRequest, ModelClients
from novel_platform.llm.hosts import HostPolicy
from novel_platform.llm.sealing import Sealer
from novel_platform.outbox import UnitOfWork
from services.story.adapters.convert import context_from_proto, event_from_proto
from services.story.adapters.tables import llm_calls, outbox
from services.story.domain.chronicler import write_chapter
from services.story.domain.narration import narration_request
from services.story.service.narrator import Narrator

CAST = (("aria", "Aria Vance"), ("kade", "Kade"))


def context(sim: str) -> simulation_pb2.StoryContext:
    return simulation_pb2.StoryContext(
        simulation_id=sim,
        participants=[simulation_pb2.Participant(id=i, name=n, role="Pilot") for i, n in CAST],
        setting="the frontier moon Veyra",
        scenario="A distress signal.",
        narrative_style="detailed",
        turns_total=2,
    )


def turn(number: int) -> tuple[int, tuple]:
    events = [
        simulation_pb2.TurnEvent(
            turn=number,
            sequence=seq,
            actor_id=actor,
            actor_name=name,
            action="observe",
            location="the crash site",
            outcome="success",
        )
        for seq, (actor, name) in enumerate(CAST, start=1)
    ]
    return number, tuple(event_from_proto(e) for e in events)


@pytest.fixture
async def engine(database_url):
    engine = create_engine(DatabaseSettings(database_url=database_url))
    yield engine
    await engine.dispose()


async def test_replicas_narrating_one_simulation_at_once_keep_to_its_budget(llm, engine):
    sim = f"sim-{uuid.uuid4().hex[:12]}"
    ctx = context_from_proto(context(sim))
    turns = [turn(1), turn(2)]
    backend = Backend(base_url=llm.url, model="scripted", max_tokens=64)
    reserves = []
    for number, events in turns:
        system, user, schema = narration_request(ctx, write_chapter(ctx, number, events))
        reserves.append(ChatRequest(system, user, "chapter", schema).reserve(backend))
    # Room for either chapter's call, never for both.
    budget = sum(reserves) - 1
    narration = simulation_pb2.LlmNarration(
        base_url=llm.url, model="scripted", max_tokens=64, token_budget=budget, server_key=True
    )

    clients = [ModelClients(HostPolicy.parse("127.0.0.1")) for _ in turns]
    replicas = [
        Narrator(lambda: UnitOfWork(engine, outbox, None), c, Sealer(""), backend) for c in clients
    ]
    llm.delay_seconds = 0.3  # both calls would be in flight together
    try:
        drafts = await asyncio.gather(
            *(r.drafts("t", sim, ctx, narration, [t]) for r, t in zip(replicas, turns, strict=True))
        )
    finally:
        llm.delay_seconds = 0.0
        for c in clients:
            await c.close()
    assert len(llm.requests) == 1
    assert sorted(len(d) for d in drafts) == [0, 1]
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(
                    llm_calls.c.outcome, llm_calls.c.input_tokens, llm_calls.c.output_tokens
                ).where(llm_calls.c.simulation_id == sim)
            )
        ).all()
    assert sorted(r.outcome for r in rows) == ["budget", "ok"]
    assert sum(r.input_tokens + r.output_tokens for r in rows) <= budget
