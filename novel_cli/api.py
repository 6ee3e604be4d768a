"""The public /v1 API over httpx, with its error envelope turned into one-line errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx

from novel_cli import exits
from novel_cli.connection import Connection
from novel_cli.exits import CliError

USER_AGENT = "novel-cli"


def describe_error(status: int, body: bytes, headers: httpx.Headers | dict[str, str]) -> str:
    """One line naming the problem: `404 not_found: character 'x' not found`.

    Reads the /v1 envelope `{"error": {"code", "message"}}`, the older routes'
    `{"error", "detail"}`, or falls back to the status line for anything else.
    """
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    line = f"{status}"
    error = parsed.get("error") if isinstance(parsed, dict) else None
    if isinstance(error, dict):
        line += f" {error.get('code', 'error')}: {error.get('message', '')}".rstrip(": ")
    elif isinstance(error, str):
        detail = parsed.get("detail", "") if isinstance(parsed, dict) else ""
        line += f" {error}: {detail}" if detail else f" {error}"
    else:
        text = body.decode("utf-8", "replace").strip().splitlines()
        line += f" {text[0][:200]}" if text else ""
    retry = headers.get("retry-after")
    if retry:
        line += f" (retry after {retry} s)"
    return line


class Api:
    """A gateway client; every failure leaves as a CliError with a meaningful exit code."""

    def __init__(self, connection: Connection, timeout: float = 30) -> None:
        self.url = connection.url
        self.client = httpx.Client(
            base_url=connection.url,
            headers={"Authorization": f"Bearer {connection.key}", "User-Agent": USER_AGENT},
            timeout=timeout,
        )

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def unreachable(self, exc: httpx.HTTPError) -> CliError:
        reason = str(exc) or type(exc).__name__
        return CliError(f"cannot reach the gateway at {self.url}: {reason}", exits.UNAVAILABLE)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise self.unreachable(exc) from exc
        check(response)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        return response.json() if response.content else None

    def pages(self, path: str, limit: int | None = None, **params: Any) -> Iterator[dict[str, Any]]:
        """Every item of a paged list (following next_page_token), up to `limit`."""
        token = ""
        count = 0
        while True:
            size = 100 if limit is None else max(1, min(100, limit - count))
            page = self.json("GET", path, params={**params, "page_size": size, "page_token": token})
            for item in page["items"]:
                yield item
                count += 1
                if limit is not None and count >= limit:
                    return
            token = page.get("next_page_token") or ""
            if not token:
                return


def check(response: httpx.Response) -> None:
    if response.is_success:
        return
    response.read()
    message = describe_error(response.status_code, response.content, response.headers)
    raise CliError(message, exits.for_status(response.status_code))
