"""What a recorded model call brought in from outside (a run bundle) must look like,
checked alike by the simulation's decisions and the story's narration."""

from __future__ import annotations

import re
from collections.abc import Iterable

DIGEST = re.compile(r"^[0-9a-f]{64}$")  # ChatRequest.digest: SHA-256, hex
OUTCOME = re.compile(r"^[a-z_]{1,32}$")  # ok, invalid, budget, refused, a failure's kind
MAX_COUNT = 10_000_000  # tokens or milliseconds of one call


def malformed(
    request_digest: str, outcome: str, response: str, counts: Iterable[int], max_response: int
) -> str:
    """What is wrong with a recorded call's fields, or "" when nothing is."""
    if not DIGEST.match(request_digest):
        return "request_digest must be 64 hex digits"
    if not OUTCOME.match(outcome):
        return "outcome must be 1-32 lowercase letters or _"
    if len(response) > max_response:
        return f"response longer than {max_response} characters"
    if not all(0 <= c <= MAX_COUNT for c in counts):
        return f"tokens and latency must be 0..{MAX_COUNT}"
    return ""
