"""The service skeleton: one lifecycle for every gRPC service.

start: config → logging/tracing → database/NATS → service setup → gRPC serving, its
health following a background probe of the database and NATS (readiness.py).
SIGTERM/SIGINT: health NOT_SERVING → refuse new RPCs, let in-flight ones finish within
the grace period → stop background work (hooks, newest first) → drain NATS → close
the database pool.
"""

from __future__ import annotations

import asyncio
import platform
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import structlog
import uvloop
from sqlalchemy.ext.asyncio import AsyncEngine

from novel_platform.config import (
    BaseServiceSettings,
    ConfigError,
    DatabaseSettings,
    GrpcServerSettings,
    load_settings,
)
from novel_platform.consumer import PullConsumer
from novel_platform.db import create_engine
from novel_platform.grpc_server import GrpcServer
from novel_platform.logging import configure_logging
from novel_platform.loop_lag import watch_gc_pauses, watch_loop_lag
from novel_platform.messaging import EventBus
from novel_platform.readiness import Check, Readiness, database_check, nats_check
from novel_platform.telemetry import configure_telemetry

log = structlog.get_logger(__name__)

# The share of a shutdown hook's grace period a consumer's running handlers get.
HANDLER_GRACE_SHARE = 0.8
# What a shutdown hook gets once the shared budget is spent.
LAST_HOOK_SECONDS = 0.5

SettingsT = TypeVar("SettingsT", bound=BaseServiceSettings)
ShutdownHook = Callable[[], Awaitable[None]]


class ServiceRuntime:
    def __init__(self, name: str, settings: BaseServiceSettings) -> None:
        self.name = name
        self.settings = settings
        self.bus = EventBus(replicas=settings.nats_replicas)
        self.engine: AsyncEngine | None = None
        self.grpc: GrpcServer | None = None
        self._hooks: list[ShutdownHook] = []
        self._tasks: list[asyncio.Task[Any]] = []
        self._stop = asyncio.Event()

    async def connect_bus(self) -> EventBus:
        await self.bus.connect(self.settings.nats_url, name=self.name)
        return self.bus

    def open_database(self, settings: DatabaseSettings) -> AsyncEngine:
        self.engine = create_engine(settings)
        return self.engine

    def serve_grpc(self, settings: GrpcServerSettings) -> GrpcServer:
        self.grpc = GrpcServer(settings)
        return self.grpc

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Run background work; a crash in it stops the process rather than going unseen."""
        task = asyncio.create_task(coro, name=name)
        task.add_done_callback(self._on_task_done)
        self._tasks.append(task)
        return task

    def on_shutdown(self, hook: ShutdownHook) -> None:
        self._hooks.append(hook)

    def consume(self, consumer: PullConsumer, name: str) -> None:
        """Run a consumer, and stop it at shutdown: running handlers get most of the
        hook's grace; stragglers are cancelled (and nak'ed) by the consumer itself rather
        than cut off by the runtime's timeout."""
        self.spawn(consumer.run(), name)
        grace = self.settings.shutdown_grace_seconds * HANDLER_GRACE_SHARE

        async def stop() -> None:
            await consumer.stop(grace)

        self.on_shutdown(stop)

    def request_stop(self) -> None:
        self._stop.set()

    def _on_task_done(self, task: asyncio.Task[Any]) -> None:
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None and not self._stop.is_set():
            log.error("background_task_crashed", task=task.get_name(), exc_info=exc)
            self.request_stop()

    async def run(self, setup: Callable[[ServiceRuntime], Awaitable[None]]) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.request_stop)
        try:
            self.spawn(watch_loop_lag(), "loop-lag")
            watch_gc_pauses()
            await setup(self)
            if self.grpc is not None:
                await self.grpc.start()
                await self._watch_readiness(self.grpc)
            log.info("service_started")
            await self._stop.wait()
            log.info("service_stopping")
        finally:
            await self._shutdown()
            log.info("service_stopped")

    async def _watch_readiness(self, grpc: GrpcServer) -> None:
        """gRPC health follows the process's own database and NATS: NOT_SERVING while
        either is out of reach, SERVING again after (never once stopping has begun)."""
        checks: dict[str, Check] = {"nats": nats_check(self.bus)}
        if self.engine is not None:
            checks["database"] = database_check(self.engine)

        async def serve(ready: bool) -> None:
            if not self._stop.is_set():
                await grpc.set_serving(ready)

        readiness = Readiness(
            checks, interval=self.settings.readiness_interval_seconds, on_change=serve
        )
        await readiness.probe()
        self.spawn(readiness.run(), "readiness")

    async def _shutdown(self) -> None:
        # One budget for the gRPC drain and every hook together, so the worst case is
        # NE_SHUTDOWN_GRACE_SECONDS however many hooks a service has (the pod's
        # terminationGracePeriodSeconds is sized on that); a hook reached after the
        # budget is spent still gets a moment to close cleanly.
        grace = self.settings.shutdown_grace_seconds
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        if self.grpc is not None:
            await self.grpc.stop(grace)
        for hook in reversed(self._hooks):
            remaining = max(deadline - loop.time(), LAST_HOOK_SECONDS)
            try:
                await asyncio.wait_for(hook(), timeout=remaining)
            except Exception:
                log.warning("shutdown_hook_failed", hook=repr(hook), exc_info=True)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.bus.close()
        if self.engine is not None:
            await self.engine.dispose()


def main(
    name: str,
    settings_cls: type[SettingsT],
    setup: Callable[[ServiceRuntime], Awaitable[None]],
) -> None:
    """Process entrypoint shared by every service's __main__."""
    try:
        settings = load_settings(settings_cls)
    except ConfigError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        sys.exit(2)
    configure_logging(name, settings.log_level)
    # Libraries that describe the host (the openai client's headers) call this, and the
    # first call forks `uname -p`. Forking once gRPC's threads run can abort the process
    # (seen once: "epoll_wait error: Bad file descriptor", exit -6), so it happens here.
    platform.platform()
    telemetry = configure_telemetry(name, settings.metrics_port or None)
    runtime = ServiceRuntime(name, settings)
    try:
        uvloop.run(runtime.run(setup))
    finally:
        telemetry.shutdown()
