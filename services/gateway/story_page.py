"""The story page: static files at /app, served with a strict Content-Security-Policy.

The page is plain HTML, CSS and JavaScript modules (no build step) that use only the
public /v1 API with the reader's key, so it needs nothing from the gateway but files.
The policy allows this origin's scripts, styles and API calls and nothing else: no
inline script or style, no framing, no plugins.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    # Revalidate every time (ETag): a new page version is never mixed with an old script.
    (b"cache-control", b"no-cache"),
]


class WithSecurityHeaders:
    """Adds SECURITY_HEADERS to every response of the wrapped app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def mount(app: FastAPI) -> None:
    """Serve the page at /app/ (the router redirects /app there)."""
    static = StaticFiles(directory=STATIC_DIR, html=True)
    app.mount("/app", WithSecurityHeaders(static), name="story-page")
