"""Which gateway the user commands talk to, and with which key.

The URL comes from `--url` (or `NE_URL`), else the config file written by `novel login`,
else a stack started here by `make up` (its `.run/stack.json`), else the default local
port. The key comes from `NE_API_KEY`, else the key the config file holds *for that
URL*, else the local stack's development key when the URL is that stack's. Keys are
stored per URL so that `--url` pointed elsewhere never sends one server's key to another.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from novel_cli.exits import AUTH, BAD_INPUT, CliError

DEFAULT_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Connection:
    url: str
    key: str


def config_path() -> Path:
    """`NOVEL_CONFIG`, else `$XDG_CONFIG_HOME/novel/config.json` (~/.config by default)."""
    if given := os.environ.get("NOVEL_CONFIG"):
        return Path(given)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "novel" / "config.json"


def stack_state_path() -> Path:
    return Path(os.environ.get("NE_RUN_DIR", ".run")) / "stack.json"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot read {path}: {exc}", BAD_INPUT) from exc
    return loaded if isinstance(loaded, dict) else {}


def normalize_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise CliError(f"gateway URL must start with http:// or https://: {url!r}", BAD_INPUT)
    return url


def resolve(url: str | None) -> Connection:
    """The gateway URL and key for a user command (see the module docstring for the order)."""
    config = _read_json(config_path())
    stack = _read_json(stack_state_path())
    chosen = normalize_url(
        url or os.environ.get("NE_URL") or config.get("url") or stack.get("url") or DEFAULT_URL
    )
    keys: dict[str, str] = config.get("keys") or {}
    key = os.environ.get("NE_API_KEY") or keys.get(chosen)
    if not key and stack.get("url") and normalize_url(stack["url"]) == chosen:
        key = stack.get("key")
    if not key:
        raise CliError(
            f"no API key for {chosen}: run `novel login --url {chosen}` or set NE_API_KEY", AUTH
        )
    return Connection(chosen, str(key))


def save_login(url: str, key: str) -> Path:
    """Make URL the default gateway and remember its key (file readable by the owner only)."""
    path = config_path()
    config = _read_json(path)
    config["url"] = url
    config.setdefault("keys", {})[url] = key
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created with owner-only permissions before the key is written into it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(config, out, indent=2)
    os.chmod(path, 0o600)
    return path
