"""Domain errors every layer may raise. Free of transport: the gRPC edge maps them
to status codes (grpc_server.STATUS_OF)."""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(DomainError):
    pass


class NotFound(DomainError):
    pass


class AlreadyExists(DomainError):
    pass


class VersionConflict(DomainError):
    pass


class FailedPrecondition(DomainError):
    pass


class Overloaded(DomainError):
    """Refused for now; `limit` names the quota that was reached (0: none, e.g. a full
    queue), which the gateway gives clients as RateLimit headers."""

    def __init__(self, message: str, limit: int = 0) -> None:
        super().__init__(message)
        self.limit = limit
