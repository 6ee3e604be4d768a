"""The work-queue consumer: simulation.requested messages in, finished simulations out."""

from __future__ import annotations

from nats.aio.msg import Msg

from novel_platform.consumer import Handler, Poison
from novel_platform.events import parse_envelope
from novel_platform.messaging import ConsumerSpec
from novel_platform.subjects import (
    SIMULATION_REQUESTED,
    SIMULATION_WORK_STREAM,
    SIMULATION_WORKERS_DURABLE,
)
from services.simulation.service.runner import SimulationRunner


def work_consumer_spec(ack_wait_seconds: float) -> ConsumerSpec:
    # One durable shared by every replica: JetStream hands each request to one of them.
    return ConsumerSpec(
        stream=SIMULATION_WORK_STREAM.name,
        durable=SIMULATION_WORKERS_DURABLE,
        filter_subjects=(SIMULATION_REQUESTED.type,),
        ack_wait_seconds=ack_wait_seconds,
    )


def work_handler(runner: SimulationRunner) -> Handler:
    async def handle(msg: Msg) -> None:
        try:
            request = SIMULATION_REQUESTED.unpack(parse_envelope(msg.data))
        except Exception as exc:
            raise Poison(f"not a {SIMULATION_REQUESTED.type} envelope: {exc}") from exc
        await runner.run(request.simulation.id)

    return handle
