"""The gateway's hand-built JSON for turn events matches protobuf's own JSON mapping."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from novel_engine.v1 import simulation_pb2
from services.gateway.convert import message_out, turn_event_out

_int32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)
_effects = st.builds(
    simulation_pb2.Effect,
    kind=st.text(max_size=8),
    subject_id=st.text(max_size=8),
    detail=st.text(max_size=8),
    value=st.floats(allow_nan=False, allow_infinity=False),
)
_events = st.builds(
    simulation_pb2.TurnEvent,
    turn=_int32,
    sequence=_int32,
    actor_id=st.text(max_size=8),
    actor_name=st.text(max_size=8),
    action=st.text(max_size=8),
    target_id=st.text(max_size=8),
    target_name=st.text(max_size=8),
    location=st.text(max_size=8),
    motive=st.text(max_size=8),
    outcome=st.text(max_size=8),
    roll=_int32,
    difficulty=_int32,
    effects=st.lists(_effects, max_size=3),
)


@given(_events)
def test_a_turn_event_is_shown_as_protobufs_json_mapping_shows_it(
    event: simulation_pb2.TurnEvent,
) -> None:
    assert turn_event_out(event) == message_out(event)


def test_an_empty_event_shows_every_field() -> None:
    shown = turn_event_out(simulation_pb2.TurnEvent())
    assert shown == message_out(simulation_pb2.TurnEvent())
    assert set(shown) == {f.name for f in simulation_pb2.TurnEvent.DESCRIPTOR.fields}
