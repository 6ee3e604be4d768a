"""The dead-letter stream: messages no retry can fix, kept for a person to inspect.

A consumer moves a message here when it fails on its content (its handler raised
`Poison`, or failed the same way several times), or when transient failures outlast the
retry age. The original payload and headers are kept, with where it came from and why
it ended; `novel dlq list` shows them and `novel dlq replay` puts one back on its
original subject. The message id `dlq-<stream>-<sequence>` makes a second dead-lettering
of the same message (a redelivery after a crash) a duplicate the stream drops.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from nats.js.errors import NotFoundError

from novel_platform.messaging import MSG_ID_HEADER, EventBus, StreamSpec

DEAD_LETTER_STREAM = StreamSpec(
    name="DEAD_LETTER", subjects=("deadletter.>",), max_age_seconds=30 * 24 * 3600
)
SUBJECT_HEADER = "Ne-Dead-Subject"
STREAM_HEADER = "Ne-Dead-Stream"
SEQUENCE_HEADER = "Ne-Dead-Sequence"
CONSUMER_HEADER = "Ne-Dead-Consumer"
REASON_HEADER = "Ne-Dead-Reason"
DELIVERIES_HEADER = "Ne-Dead-Deliveries"
_OWN = {SUBJECT_HEADER, STREAM_HEADER, SEQUENCE_HEADER, CONSUMER_HEADER, REASON_HEADER}
_OWN |= {DELIVERIES_HEADER, MSG_ID_HEADER}


@dataclass(frozen=True)
class DeadLetter:
    sequence: int  # in the dead-letter stream
    subject: str  # where it was first published
    stream: str
    stream_sequence: int
    consumer: str
    reason: str
    deliveries: int
    data: bytes
    headers: dict[str, str]  # the original message's own headers


def dead_letter_subject(stream: str, consumer: str) -> str:
    return f"deadletter.{stream}.{consumer}"


async def dead_letter(
    bus: EventBus,
    *,
    subject: str,
    data: bytes,
    headers: dict[str, str] | None,
    stream: str,
    stream_sequence: int,
    consumer: str,
    reason: str,
    deliveries: int,
) -> None:
    """Store a message in the dead-letter stream (raises if NATS does not confirm it)."""
    own = {
        SUBJECT_HEADER: subject,
        STREAM_HEADER: stream,
        SEQUENCE_HEADER: str(stream_sequence),
        CONSUMER_HEADER: consumer,
        # Header values are one line; the log has the whole error.
        REASON_HEADER: " ".join(reason.split())[:500],
        DELIVERIES_HEADER: str(deliveries),
    }
    kept = {k: v for k, v in (headers or {}).items() if k != MSG_ID_HEADER}
    await bus.publish(
        dead_letter_subject(stream, consumer),
        data,
        f"dlq-{stream}-{stream_sequence}",
        {**kept, **own},
    )


def _read(sequence: int, data: bytes, headers: dict[str, str]) -> DeadLetter:
    return DeadLetter(
        sequence=sequence,
        subject=headers.get(SUBJECT_HEADER, ""),
        stream=headers.get(STREAM_HEADER, ""),
        stream_sequence=int(headers.get(SEQUENCE_HEADER, "0")),
        consumer=headers.get(CONSUMER_HEADER, ""),
        reason=headers.get(REASON_HEADER, ""),
        deliveries=int(headers.get(DELIVERIES_HEADER, "0")),
        data=data,
        headers={k: v for k, v in headers.items() if k not in _OWN},
    )


async def list_dead_letters(bus: EventBus, limit: int = 100) -> list[DeadLetter]:
    """The oldest `limit` dead letters still held."""
    await bus.ensure_stream(DEAD_LETTER_STREAM)
    info = await bus.js.stream_info(DEAD_LETTER_STREAM.name)
    found: list[DeadLetter] = []
    for sequence in _sequences(info.state.first_seq, info.state.last_seq):
        if len(found) >= limit:
            break
        letter = await get_dead_letter(bus, sequence)
        if letter is not None:
            found.append(letter)
    return found


def _sequences(first: int, last: int) -> Iterator[int]:
    return iter(range(first, last + 1)) if first and last >= first else iter(())


async def get_dead_letter(bus: EventBus, sequence: int) -> DeadLetter | None:
    try:
        raw = await bus.js.get_msg(DEAD_LETTER_STREAM.name, sequence)
    except NotFoundError:
        return None  # deleted (replayed) or aged out
    return _read(sequence, raw.data or b"", dict(raw.headers or {}))


async def replay(bus: EventBus, sequence: int) -> DeadLetter | None:
    """Publish a dead letter again on its original subject, then delete it here.

    The copy gets a message id of its own: the original id may still be inside the
    source stream's duplicate window, which would silently drop it. Handlers dedupe by
    the event id inside the envelope, which is unchanged.
    """
    letter = await get_dead_letter(bus, sequence)
    if letter is None:
        return None
    msg_id = f"replay-{letter.stream}-{letter.stream_sequence}-{sequence}"
    await bus.publish(letter.subject, letter.data, msg_id, letter.headers)
    await bus.js.delete_msg(DEAD_LETTER_STREAM.name, sequence)
    return letter
