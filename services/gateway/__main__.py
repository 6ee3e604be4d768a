"""`python -m services.gateway`: serve the HTTP API with uvicorn (uvloop + httptools)."""

import sys

import uvicorn

from novel_platform.config import ConfigError, load_settings
from services.gateway.config import GatewaySettings

try:
    settings = load_settings(GatewaySettings)
except ConfigError as exc:
    print(f"gateway: {exc}", file=sys.stderr)
    sys.exit(2)

uvicorn.run(
    "services.gateway.app:build_app",
    factory=True,
    host=settings.http_host,
    port=settings.http_port,
    workers=settings.http_workers,
    loop="uvloop",
    http="httptools",
    access_log=False,
    log_config=None,
    timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
    server_header=False,
)
