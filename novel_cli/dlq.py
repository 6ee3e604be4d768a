"""`novel dlq`: inspect and replay the dead-letter stream."""

from __future__ import annotations

from novel_platform.deadletter import DeadLetter, list_dead_letters, replay
from novel_platform.events import parse_envelope
from novel_platform.messaging import EventBus


def describe(letter: DeadLetter) -> str:
    """One line per dead letter: where it came from, what it was, why it ended."""
    try:
        envelope = parse_envelope(letter.data)
        what = f"{envelope.type} event {envelope.event_id} tenant {envelope.tenant_id}"
    except Exception:
        what = f"{len(letter.data)} bytes, not an event envelope"
    return (
        f"#{letter.sequence}  {letter.stream}/{letter.consumer} seq {letter.stream_sequence}"
        f"  {letter.subject}  ({what}); {letter.deliveries} deliveries; {letter.reason}"
    )


async def _connected(nats_url: str) -> EventBus:
    bus = EventBus()
    await bus.connect(nats_url, name="novel-dlq")
    return bus


async def list_letters(nats_url: str, limit: int) -> list[str]:
    bus = await _connected(nats_url)
    try:
        return [describe(letter) for letter in await list_dead_letters(bus, limit)]
    finally:
        await bus.close()


async def replay_letters(nats_url: str, sequences: list[int], every: bool) -> list[str]:
    """Replay the given dead letters (or all of them); returns a line per replayed one."""
    bus = await _connected(nats_url)
    try:
        if every:
            sequences = [letter.sequence for letter in await list_dead_letters(bus, 100_000)]
        done = []
        for sequence in sequences:
            letter = await replay(bus, sequence)
            done.append(
                f"#{sequence} replayed to {letter.subject}" if letter else f"#{sequence} not found"
            )
        return done
    finally:
        await bus.close()
