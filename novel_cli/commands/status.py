"""`novel status`: the local stack's processes, ports, readiness and queue depths."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from novel_cli import exits, render
from novel_cli.commands.common import JsonOption


def status(
    run_dir: Annotated[
        Path, typer.Option(envvar="NE_RUN_DIR", help="Where `make up` keeps its state.")
    ] = Path(".run"),
    as_json: JsonOption = False,
) -> None:
    """Show a stack started here by `make up`: exit 0 when every process is ready, 6 if not."""
    from novel_cli import stackinfo  # gRPC's import cost only for this command

    state = stackinfo.read_state(run_dir)
    if state is None:
        render.errors.print(f"novel: no stack is running here ({run_dir}/stack.json not found)")
        raise typer.Exit(exits.UNAVAILABLE)
    found = stackinfo.processes(state)
    healthy = bool(found) and all(p.alive and p.ready for p in found)
    if as_json:
        render.print_json({**stackinfo.as_json(state, found), "ready": healthy})
    else:
        render.console.print(f"API {state.get('url', '?')}   page {state.get('url', '?')}/app")
        table = Table("Process", "PID", "Port", "Metrics", "State", "Queues", title="Processes")
        for p in found:
            state_text = "ready" if p.ready else ("running, not ready" if p.alive else "exited")
            queues = ", ".join(f"{k} {v:g}" for k, v in sorted(p.queues.items()))
            table.add_row(p.name, str(p.pid), str(p.port), str(p.metrics_port), state_text, queues)
        render.console.print(table)
        for name, url in (state.get("infra") or {}).items():
            render.console.print(f"{name}: {url}")
        if state.get("logs"):
            render.console.print(f"logs: {state['logs']}")
    raise typer.Exit(exits.OK if healthy else exits.UNAVAILABLE)
