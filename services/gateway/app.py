"""The HTTP API: FastAPI app factory and its lifespan (pools opened once per process)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from starlette.types import ASGIApp

from novel_platform import __version__
from novel_platform.character_cache import CharacterCache
from novel_platform.config import load_settings
from novel_platform.db import create_engine
from novel_platform.logging import configure_logging
from novel_platform.loop_lag import watch_gc_pauses, watch_loop_lag
from novel_platform.messaging import EventBus
from novel_platform.readiness import Readiness, database_check, nats_check
from novel_platform.telemetry import (
    HEALTH_ROUTES,
    configure_telemetry,
    flush_telemetry,
    tracing_enabled,
)
from services.gateway import errors, story_page
from services.gateway.adapters.api_keys import KeyStore
from services.gateway.adapters.characters import CharacterReads
from services.gateway.adapters.completions import CompletionWaiter
from services.gateway.adapters.idempotency import IdempotencyStore
from services.gateway.adapters.rate_counters import PostgresCounters
from services.gateway.admission import StartAdmission
from services.gateway.clients import Downstream
from services.gateway.config import GatewaySettings
from services.gateway.idempotency import IdempotencyKeys
from services.gateway.middleware import BodyLimit, LoadShedder, RequestContext
from services.gateway.probes import Probes
from services.gateway.ratelimit import KeyRateLimit
from services.gateway.routes import (
    characters,
    health,
    imports,
    legacy,
    llm_settings,
    simulations,
    stories,
    what_if,
    worlds,
)
from services.gateway.routes.imports import UPLOAD_PATHS

log = structlog.get_logger(__name__)

DESCRIPTION = """Define characters, run multi-agent story simulations over them, and read
the stories. Every route except the health checks needs `Authorization: Bearer <API key>`."""


def create_app(settings: GatewaySettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        bus = EventBus()
        await bus.connect(settings.nats_url, name="gateway")
        app.state.settings = settings
        app.state.keys = KeyStore(engine, settings.api_key_cache_seconds)
        app.state.rate_limit = (
            KeyRateLimit(settings.rate_limit, PostgresCounters(engine))
            if settings.rate_limit
            else None
        )
        app.state.idempotency = IdempotencyStore(
            engine,
            # A POST that does not wait is over within its call's deadline: after three,
            # its claim is certainly abandoned (its gateway died).
            lease_seconds=settings.rpc_timeout_seconds * 3,
            retention_seconds=settings.idempotency_retention_seconds,
        )
        app.state.downstream = Downstream.open(settings)
        app.state.bus = bus
        app.state.waiter = CompletionWaiter(bus)
        cache = CharacterCache(max_age_seconds=settings.character_cache_seconds)
        await cache.start(bus)
        app.state.characters = CharacterReads(cache, app.state.downstream.character)
        app.state.starts = StartAdmission(settings.max_starting_simulations)
        await app.state.waiter.start()
        app.state.readiness = Readiness(
            {
                "database": database_check(engine),
                "nats": nats_check(bus),
                **app.state.downstream.health_checks(),
            },
            interval=settings.readiness_interval_seconds,
            advisory=frozenset(app.state.downstream.channels),
        )
        probing = asyncio.create_task(app.state.readiness.run(), name="readiness")
        lag = asyncio.create_task(watch_loop_lag(), name="loop-lag")
        pruning = asyncio.create_task(_prune_idempotency_keys(app.state.idempotency))
        watch_gc_pauses()
        try:
            yield
        finally:
            lag.cancel()
            pruning.cancel()
            probing.cancel()
            await app.state.waiter.stop()
            flush_telemetry()
            await app.state.downstream.close()
            await bus.close()
            await engine.dispose()

    app = FastAPI(
        title="Novel Engine",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        # FastAPI's own telemetry would record a second http.server.request.duration
        # and cost a sixth of a cheap request: RequestContext records the durations,
        # and the OpenTelemetry instrumentation below makes the spans.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    errors.install(app)
    if tracing_enabled():
        # Route-level spans; health checks stay out of traces. (Request durations are
        # recorded by RequestContext either way.)
        FastAPIInstrumentor.instrument_app(app, excluded_urls=HEALTH_ROUTES)
    app.include_router(health.router)
    # Routes are matched in order, one pattern at a time: the older clients' few routes
    # (most of their load, no path shared with /v1) come before the dozens under /v1.
    app.include_router(legacy.router)
    # Before the characters' router: "/v1/characters:import" is no character id.
    app.include_router(imports.router)
    app.include_router(characters.router)
    app.include_router(simulations.router)
    app.include_router(stories.router)
    app.include_router(worlds.router)
    app.include_router(llm_settings.router)
    app.include_router(what_if.router)
    story_page.mount(app)
    # Innermost first. Idempotency-Key reads the body the body limit bounds.
    app.add_middleware(
        IdempotencyKeys, long_leases={"/simulations": settings.idempotency_lease_seconds}
    )
    # The request id must exist before the body limit can reject.
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        upload_limit=settings.max_upload_bytes,
        upload_paths=UPLOAD_PATHS,
    )
    app.add_middleware(
        LoadShedder,
        limit=settings.max_inflight_requests,
        waiting_limit=settings.max_waiting_requests,
    )
    app.add_middleware(RequestContext)
    return app


async def _prune_idempotency_keys(store: IdempotencyStore, every: float = 3600) -> None:
    """Forget Idempotency-Key records past their retention (a failed pass waits an hour)."""
    while True:
        await asyncio.sleep(every)
        try:
            await store.prune()
        except Exception as exc:
            log.warning("idempotency_prune_failed", error=type(exc).__name__)


def build_app() -> ASGIApp:
    """uvicorn factory: each worker process builds its own app from the environment."""
    settings = load_settings(GatewaySettings)
    configure_logging("gateway", settings.log_level)
    configure_telemetry("gateway", settings.metrics_port or None)
    return Probes(create_app(settings))
