"""Wires the simulation service: database, outbox relay, workers, gRPC servicer."""

from __future__ import annotations

from novel_engine.v1 import simulation_pb2, simulation_pb2_grpc
from novel_platform.character_cache import CharacterCache
from novel_platform.consumer import PullConsumer, RetryPolicy
from novel_platform.llm.client import ModelClients
from novel_platform.llm.sealing import Sealer
from novel_platform.outbox import OutboxRelay, UnitOfWork
from novel_platform.runtime import ServiceRuntime, main
from novel_platform.subjects import (
    SIMULATION_STREAM,
    SIMULATION_WORK_STREAM,
    STORY_STREAM,
    STORY_WRITER_DURABLE,
)
from services.simulation.adapters.characters import CharacterDirectory
from services.simulation.adapters.queue_depth import QueueDepth, Watched
from services.simulation.adapters.tables import outbox
from services.simulation.config import SimulationSettings
from services.simulation.entrypoints.grpc_api import SimulationServicer
from services.simulation.entrypoints.narration_consumer import CONSUMER, narration_handler
from services.simulation.entrypoints.work_consumer import work_consumer_spec, work_handler
from services.simulation.service.branches import BranchService
from services.simulation.service.handlers import SimulationService
from services.simulation.service.llm_plan import ModelPlans
from services.simulation.service.model_decisions import ModelDecisions
from services.simulation.service.narration_usage import NarrationUsage
from services.simulation.service.reconciler import Reconciler
from services.simulation.service.runner import SimulationRunner
from services.simulation.service.worlds import WorldService

SERVICE_NAME = "simulation"
# One small transaction per narrated turn, and turns come no faster than a model writes.
NARRATION_USAGE_CONCURRENCY = 8


async def setup(rt: ServiceRuntime) -> None:
    settings = rt.settings
    assert isinstance(settings, SimulationSettings)
    engine = rt.open_database(settings)
    bus = await rt.connect_bus()
    for stream in (SIMULATION_WORK_STREAM, SIMULATION_STREAM, STORY_STREAM):
        await bus.ensure_stream(stream)

    relay = OutboxRelay(engine, outbox, bus)
    rt.spawn(relay.run(), "outbox-relay")
    rt.on_shutdown(relay.stop)  # registered first, so it runs last: after the workers
    cache = CharacterCache(max_age_seconds=settings.character_cache_seconds)
    await cache.start(bus)
    characters = CharacterDirectory(settings.character_addr, settings.rpc_timeout_seconds, cache)
    rt.on_shutdown(characters.close)

    def uow() -> UnitOfWork:
        return UnitOfWork(engine, outbox, relay)

    policy = settings.host_policy()
    sealer = Sealer(settings.llm_secret_key.get_secret_value())
    plans = ModelPlans(uow, settings.backend(), sealer, policy)
    clients = ModelClients(policy)
    rt.on_shutdown(clients.close)
    spec = work_consumer_spec(settings.work_ack_wait_seconds)
    depth = QueueDepth(
        bus,
        [
            Watched(spec.stream, spec.durable, settings.max_queued_simulations),
            Watched(SIMULATION_STREAM.name, STORY_WRITER_DURABLE, settings.max_story_backlog),
        ],
        relay=relay,
    )
    rt.spawn(depth.run(), "queue-depth")
    runner = SimulationRunner(
        uow,
        characters,
        settings.simulation_turn_delay_seconds,
        settings.simulation_batch_turns,
        settings.simulation_inline_turns,
        models=ModelDecisions(uow, plans, clients),
    )
    if settings.simulation_workers:
        consumer = PullConsumer(
            bus,
            spec,
            work_handler(runner),
            concurrency=settings.simulation_workers,
            retry=RetryPolicy.from_settings(settings),
        )
        rt.consume(consumer, "simulation-workers")

    narration = PullConsumer(
        bus,
        CONSUMER,
        narration_handler(NarrationUsage(uow)),
        concurrency=NARRATION_USAGE_CONCURRENCY,
        retry=RetryPolicy.from_settings(settings),
    )
    rt.consume(narration, "narration-usage")

    if settings.reconcile_interval_seconds:
        reconciler = Reconciler(
            uow,
            stale_after_seconds=settings.work_ack_wait_seconds + settings.reconcile_margin_seconds,
            interval_seconds=settings.reconcile_interval_seconds,
        )
        rt.spawn(reconciler.run(), "reconciler")
        rt.on_shutdown(reconciler.stop)

    service = SimulationService(
        uow,
        characters,
        depth,
        max_active_per_tenant=settings.max_active_simulations_per_tenant,
        models=plans,
        runs=runner,
    )
    branches = BranchService(
        uow,
        characters,
        paced=settings.simulation_turn_delay_seconds > 0,
        max_active_per_tenant=settings.max_active_simulations_per_tenant,
        plans=plans,
    )
    servicer = SimulationServicer(service, WorldService(uow), plans, branches)
    rt.serve_grpc(settings).add(
        lambda server: simulation_pb2_grpc.add_SimulationServiceServicer_to_server(
            servicer, server
        ),
        simulation_pb2.DESCRIPTOR.services_by_name["SimulationService"].full_name,
    )


def run() -> None:
    main(SERVICE_NAME, SimulationSettings, setup)
