"""A scripted OpenAI-compatible chat-completions server, for tests and `make bench --llm`.

It speaks the real protocol over real HTTP, so the `openai` client is exercised as it is
against Ollama or vLLM. Each call takes the next step of its script (then the default):

- `answer`: a valid answer. With a JSON schema whose `option` is an integer 1..N, the
  last option (rarely the built-in policy's pick, so a test sees the model's hand);
  with a `paragraphs` array, the prompt's facts retold, one paragraph each.
- `absent`: a chapter that names a character with no part in it.
- `malformed`: text that is not JSON; `illegal`: option 999; `hang`: never answers;
  `status:CODE[:RETRY_AFTER]`: that HTTP error (e.g. `status:429:1`);
  `drop`: closes the connection without a response; `delay:SECONDS`: then answers.

`delay_seconds` is added to every call (the benchmark's model latency). Run alone with
`python -m bench.scripted_llm --port 8900 --delay 0.5`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import threading
import time
from collections import deque
from collections.abc import Iterable
from typing import Any

from aiohttp import web

_FACT = re.compile(r"^- \[(?P<id>[^\]]+)\] (?P<text>.+)$", re.MULTILINE)


class ScriptedLLM:
    def __init__(
        self, *, delay_seconds: float = 0.0, default: str = "answer", keep_requests: bool = True
    ) -> None:
        self.delay_seconds = delay_seconds
        self.keep_requests = keep_requests  # the benchmark keeps only the count
        self.default = default
        self._script: deque[str] = deque()
        self.requests: list[dict[str, Any]] = []
        self.authorizations: list[str] = []
        self.arrivals: list[float] = []  # time.monotonic() of each request
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.calls = 0  # answered or not, since the start

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, steps: Iterable[str], default: str | None = None) -> None:
        with self._lock:
            self._script.clear()
            self._script.extend(steps)
            if default is not None:
                self.default = default
            self.requests.clear()
            self.authorizations.clear()
            self.arrivals.clear()

    def _next(self) -> str:
        with self._lock:
            return self._script.popleft() if self._script else self.default

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._complete)
        app.router.add_get("/stats", self._stats)
        return app

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response({"calls": self.calls})

    async def _complete(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        step = self._next()
        with self._lock:
            self.calls += 1
            if self.keep_requests:
                self.requests.append(body)
            self.authorizations.append(request.headers.get("Authorization", ""))
            self.arrivals.append(time.monotonic())
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        kind, _, arg = step.partition(":")
        if kind == "delay":
            await asyncio.sleep(float(arg))
        elif kind == "hang":
            await asyncio.sleep(3600)
        elif kind == "drop":
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=500)  # never reaches the client
        elif kind == "status":
            code, _, retry_after = arg.partition(":")
            headers = {"Retry-After": retry_after} if retry_after else {}
            return web.json_response(
                {"error": {"message": f"scripted {code}", "type": "scripted"}},
                status=int(code),
                headers=headers,
            )
        content = _content(kind, body)
        return web.json_response(_completion(body, content))

    # --- running it -------------------------------------------------------------
    def start(self, port: int = 0) -> ScriptedLLM:
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            self._runner = web.AppRunner(self.app(), access_log=None)
            loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", port)
            loop.run_until_complete(site.start())
            server = site._server
            assert server is not None and hasattr(server, "sockets")
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, name="scripted-llm", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        """The server goes away: its port refuses connections from now on."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None


def _content(kind: str, body: dict[str, Any]) -> str:
    if kind == "malformed":
        return "Sure! I pick {option: two"
    schema = _schema(body)
    props = schema.get("properties", {})
    if kind == "illegal":
        return json.dumps({"option": 999})
    if "option" in props:
        return json.dumps({"option": int(props["option"].get("maximum", 1))})
    if "paragraphs" in props:
        return json.dumps({"paragraphs": _retold(kind, body)})
    return json.dumps({"option": 1})


def _retold(kind: str, body: dict[str, Any]) -> list[dict[str, str]]:
    """Each fact paragraph retold ("In truth, ..."); `absent`: the first one also names
    a cast member it does not mention (the checker must refuse it)."""
    prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
    told = [{"event_id": m["id"], "text": f"In truth, {m['text']}"} for m in _FACT.finditer(prompt)]
    cast = re.search(r"^Cast: (.*)\.$", prompt, re.MULTILINE)
    if kind == "absent" and told and cast:
        stranger = next((n for n in cast.group(1).split(", ") if n not in told[0]["text"]), "")
        told[0]["text"] += f" {stranger} watched it all."
    return told


def _schema(body: dict[str, Any]) -> dict[str, Any]:
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        schema: dict[str, Any] = fmt.get("json_schema", {}).get("schema", {})
        return schema
    # Without a schema the prompt carries it (validated JSON mode).
    prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
    match = re.search(r"JSON schema: (\{.*\})$", prompt, re.MULTILINE)
    return json.loads(match.group(1)) if match else {}


def _completion(body: dict[str, Any], content: str) -> dict[str, Any]:
    prompt_chars = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
    prompt_tokens = max(1, prompt_chars // 4)
    completion_tokens = max(1, len(content) // 4)
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "scripted"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds added to every call")
    parser.add_argument("--default", default="answer", help="every call's step, e.g. status:500")
    args = parser.parse_args()
    server = ScriptedLLM(delay_seconds=args.delay, default=args.default, keep_requests=False)
    web.run_app(server.app(), host="127.0.0.1", port=args.port, access_log=None)


if __name__ == "__main__":
    main()
