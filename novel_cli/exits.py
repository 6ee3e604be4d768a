"""Exit codes of the user commands, and the one-line error that carries one.

Scripts can branch on the code without parsing text:

0 done · 1 the API failed the request · 2 bad input (ours or the API's 422) ·
3 no key, or the key was refused · 4 not found · 5 conflict (version, duplicate id) ·
6 the gateway is unreachable or overloaded · 7 a followed simulation failed or was cancelled.
"""

from __future__ import annotations

OK = 0
FAILED = 1
BAD_INPUT = 2
AUTH = 3
NOT_FOUND = 4
CONFLICT = 5
UNAVAILABLE = 6
SIMULATION_FAILED = 7


def for_status(status: int) -> int:
    """The exit code for an HTTP error status."""
    if status in (401, 403):
        return AUTH
    if status == 404:
        return NOT_FOUND
    if status == 409:
        return CONFLICT
    if status in (400, 413, 422):
        return BAD_INPUT
    if status in (429, 502, 503, 504):
        return UNAVAILABLE
    return FAILED


class CliError(Exception):
    """Printed as one line on stderr (`novel: <message>`); the process exits with `code`."""

    def __init__(self, message: str, code: int = FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = code
