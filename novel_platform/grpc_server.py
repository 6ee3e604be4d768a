"""grpc.aio server bootstrap: health, reflection, request context, error mapping."""

from __future__ import annotations

import inspect
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import grpc
import structlog
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from sqlalchemy import exc as sa_exc

from novel_platform import errors, semconv, telemetry
from novel_platform.config import GrpcServerSettings
from novel_platform.faults import is_transient

log = structlog.get_logger(__name__)

REQUEST_ID_KEY = "x-request-id"
# Trailing metadata of a RESOURCE_EXHAUSTED: the quota that was reached (errors.Overloaded).
QUOTA_LIMIT_KEY = "quota-limit"

STATUS_OF: dict[type[errors.DomainError], grpc.StatusCode] = {
    errors.InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    errors.VersionConflict: grpc.StatusCode.ABORTED,
    errors.FailedPrecondition: grpc.StatusCode.FAILED_PRECONDITION,
    errors.Overloaded: grpc.StatusCode.RESOURCE_EXHAUSTED,
}


class ContextInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Binds request id and RPC name to the logs and turns DomainError into a status.

    Transient faults (database or NATS unreachable, a lost or exhausted pool connection,
    a peer UNAVAILABLE or past its deadline) become UNAVAILABLE, which callers retry;
    other unexpected exceptions become INTERNAL with a generic message: details stay in
    the log.
    """

    def __init__(self) -> None:
        self._duration = telemetry.meter(__name__).create_histogram(
            semconv.RPC_SERVER_DURATION, unit="s", description="gRPC server call duration"
        )

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler
        inner = handler.unary_unary
        metadata = dict(details.invocation_metadata or ())
        request_id = str(metadata.get(REQUEST_ID_KEY) or uuid.uuid4().hex)

        async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
            started = time.perf_counter()
            status = grpc.StatusCode.OK
            with structlog.contextvars.bound_contextvars(request_id=request_id, rpc=details.method):
                try:
                    result = inner(request, context)
                    return await result if inspect.isawaitable(result) else result
                except errors.DomainError as exc:
                    status = STATUS_OF.get(type(exc), grpc.StatusCode.UNKNOWN)
                    if isinstance(exc, errors.Overloaded) and exc.limit:
                        context.set_trailing_metadata(((QUOTA_LIMIT_KEY, str(exc.limit)),))
                    await context.abort(status, exc.message)
                except grpc.aio.AbortError:
                    raise
                except sa_exc.DataError as exc:
                    # A value the database refuses to store or compare (a NUL in text, a
                    # number out of range): the request's fault, whatever let it through.
                    # (Not its text: that quotes the request's values.)
                    status = grpc.StatusCode.INVALID_ARGUMENT
                    log.warning("rpc_invalid_data", error=type(exc.orig).__name__)
                    await context.abort(status, "a value the database cannot store")
                except Exception as exc:
                    if is_transient(exc):
                        status = grpc.StatusCode.UNAVAILABLE
                        log.warning("rpc_unavailable", error=type(exc).__name__)
                        await context.abort(status, "temporarily unavailable, retry shortly")
                    status = grpc.StatusCode.INTERNAL
                    log.exception("rpc_failed")
                    await context.abort(status, "internal error")
                finally:
                    elapsed = time.perf_counter() - started
                    self._duration.record(
                        elapsed,
                        {"rpc.method": details.method, "rpc.grpc.status_code": status.name},
                    )
                    # One line per call at INFO (filtered out cheaply at WARNING).
                    log.info("rpc_handled", code=status.name, ms=round(elapsed * 1000, 2))

        return grpc.unary_unary_rpc_method_handler(
            unary,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


# The health service name liveness probes ask for: SERVING while the process runs, even
# when its database or NATS is out of reach (then "" and every service are NOT_SERVING,
# which takes it out of rotation; restarting it would not help).
LIVENESS_SERVICE = "liveness"


class GrpcServer:
    """A grpc.aio server with the standard health service and reflection."""

    def __init__(self, settings: GrpcServerSettings, interceptors: Iterable[Any] = ()) -> None:
        age_ms = int(settings.grpc_max_connection_age_seconds * 1000)
        self.server = grpc.aio.server(
            interceptors=[ContextInterceptor(), *interceptors],
            options=[
                ("grpc.max_connection_age_ms", age_ms),
                ("grpc.max_connection_age_grace_ms", 30_000),
                ("grpc.max_receive_message_length", 4 * 1024 * 1024),
                # gRPC sets SO_REUSEPORT by default: a second process bound to a port in
                # use (a leftover of a crashed run, a port picked twice) would start
                # silently and take a share of the calls. Refused, it fails to start.
                ("grpc.so_reuseport", 0),
            ],
        )
        self.health = health.aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        self._service_names: list[str] = [health.SERVICE_NAME]
        self._settings = settings
        self.port = 0

    def add(self, register: Callable[[grpc.aio.Server], None], full_name: str) -> None:
        """Register a servicer; full_name is its proto name for health and reflection."""
        register(self.server)
        self._service_names.append(full_name)

    async def start(self) -> int:
        reflection.enable_server_reflection(
            [*self._service_names, reflection.SERVICE_NAME], self.server
        )
        address = f"{self._settings.grpc_host}:{self._settings.grpc_port}"
        self.port = self.server.add_insecure_port(address)
        await self.server.start()
        await self.health.set(LIVENESS_SERVICE, health_pb2.HealthCheckResponse.SERVING)
        await self.set_serving(True)
        log.info("grpc_listening", port=self.port)
        return self.port

    async def set_serving(self, serving: bool) -> None:
        status = (
            health_pb2.HealthCheckResponse.SERVING
            if serving
            else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for name in ["", *self._service_names]:
            await self.health.set(name, status)

    async def stop(self, grace: float) -> None:
        """Refuse new RPCs and give in-flight ones `grace` seconds to finish."""
        await self.set_serving(False)
        await self.server.stop(grace)
