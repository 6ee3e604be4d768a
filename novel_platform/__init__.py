"""Shared service skeleton: config, logging, telemetry, gRPC, NATS, database, outbox.

Every service builds on this package; services never import each other.
"""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("novel-engine")
except _metadata.PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"
