"""`novel dlq list` and `novel dlq replay` against a real NATS."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from typer.testing import CliRunner

from novel_cli.main import app
from novel_engine.v1 import simulation_pb2
from novel_platform import subjects
from novel_platform.deadletter import DEAD_LETTER_STREAM, dead_letter
from novel_platform.events import parse_envelope
from novel_platform.messaging import EventBus, StreamSpec

pytestmark = pytest.mark.integration


async def _dead(nats_url: str, stream: StreamSpec, subject: str, payload: bytes) -> None:
    bus = EventBus()
    await bus.connect(nats_url, "test-dlq-cli")
    try:
        await bus.ensure_stream(stream)
        await bus.ensure_stream(DEAD_LETTER_STREAM)  # as every consumer does at start
        await dead_letter(
            bus,
            subject=subject,
            data=payload,
            headers={"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
            stream=stream.name,
            stream_sequence=7,
            consumer="workers",
            reason="rejected: not a SimulationRequested envelope\nsecond line",
            deliveries=1,
        )
    finally:
        await bus.close()


async def _messages(nats_url: str, stream: str) -> list[tuple[str, bytes, dict[str, str]]]:
    bus = EventBus()
    await bus.connect(nats_url, "test-dlq-cli")
    try:
        info = await bus.js.stream_info(stream)
        found = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            raw = await bus.js.get_msg(stream, seq)
            found.append((raw.subject or "", raw.data or b"", dict(raw.headers or {})))
        return found
    finally:
        await bus.close()


def test_list_shows_the_dead_letter_and_replay_puts_it_back(nats_url: str) -> None:
    name = f"DLQCLI_{uuid.uuid4().hex[:8].upper()}"
    stream = StreamSpec(name=name, subjects=(f"{name.lower()}.>",))
    subject = f"{name.lower()}.requested"
    envelope = subjects.SIMULATION_REQUESTED.envelope("acme", simulation_pb2.SimulationRequested())
    asyncio.run(_dead(nats_url, stream, subject, envelope.SerializeToString()))
    runner = CliRunner()
    env = {"NE_NATS_URL": nats_url}

    listed = runner.invoke(app, ["dlq", "list", "--limit", "100000"], env=env)
    assert listed.exit_code == 0, listed.output
    ours = [line for line in listed.output.splitlines() if f"{name}/workers seq 7" in line]
    assert len(ours) == 1
    line = ours[0]
    assert subject in line and f"event {envelope.event_id} tenant acme" in line
    assert "rejected: not a SimulationRequested envelope second line" in line
    number = line.split()[0].lstrip("#")

    replayed = runner.invoke(app, ["dlq", "replay", number], env=env)
    assert replayed.exit_code == 0, replayed.output
    assert replayed.output.strip() == f"#{number} replayed to {subject}"
    [(got_subject, data, headers)] = asyncio.run(_messages(nats_url, name))
    assert got_subject == subject
    assert parse_envelope(data).event_id == envelope.event_id
    assert headers["traceparent"].startswith("00-0af7651916cd43dd")
    again = runner.invoke(app, ["dlq", "list", "--limit", "100000"], env=env)
    assert f"{name}/workers" not in again.output
    assert runner.invoke(app, ["dlq", "replay", number], env=env).output.strip() == (
        f"#{number} not found"
    )
