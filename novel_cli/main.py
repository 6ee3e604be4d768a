"""Novel Engine from the command line.

For readers and writers: `login`, `characters`, `simulate`, `simulations`, `stories`.
For the local stack: `up`, `down`, `status`, `key`, `seed`, `migrate`.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Annotated

import typer

from novel_cli import exits
from novel_cli.commands import characters, login, simulations, status, stories, what_if, worlds
from novel_cli.exits import CliError

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
app.command()(login.login)
app.add_typer(characters.app, name="characters")
app.command()(simulations.simulate)
app.add_typer(simulations.app, name="simulations")
for name, command in (
    ("fork", what_if.fork),
    ("branches", what_if.branches),
    ("intervene", what_if.intervene),
    ("knowledge", what_if.knowledge),
):
    simulations.app.command(name)(command)
stories.app.command("diff")(what_if.diff)
app.add_typer(stories.app, name="stories")
app.add_typer(worlds.app, name="worlds")
app.command()(status.status)
key_app = typer.Typer(no_args_is_help=True, help="Issue, list, rotate and revoke API keys.")
app.add_typer(key_app, name="key")
dlq_app = typer.Typer(no_args_is_help=True, help="Inspect and replay dead-lettered messages.")
app.add_typer(dlq_app, name="dlq")


def run() -> None:
    """The `novel` executable: a CliError leaves as one line on stderr and its exit code.

    (The operator commands import the platform lazily: the user commands start fast.)
    """
    try:
        app()
    except CliError as exc:
        typer.echo(f"novel: {exc.message}", err=True)
        raise SystemExit(exc.exit_code) from None


def _database_url() -> str:
    """NE_DATABASE_URL, else the database of a stack started here by `novel up`."""
    from novel_platform.config import DatabaseSettings, load_settings

    if "NE_DATABASE_URL" not in os.environ:
        state = Path(os.environ.get("NE_RUN_DIR", ".run")) / "stack.json"
        if state.exists():
            return str(json.loads(state.read_text())["database_url"])
    return load_settings(DatabaseSettings).database_url


def _nats_url() -> str:
    """NE_NATS_URL, else the NATS of a stack started here by `novel up`."""
    if "NE_NATS_URL" not in os.environ:
        state = Path(os.environ.get("NE_RUN_DIR", ".run")) / "stack.json"
        if state.exists() and "nats_url" in (found := json.loads(state.read_text())):
            return str(found["nats_url"])
    return os.environ.get("NE_NATS_URL", "nats://127.0.0.1:4222")


@dlq_app.command("list")
def dlq_list(
    limit: Annotated[int, typer.Option(help="Show at most this many, oldest first.")] = 100,
) -> None:
    """Messages that failed on their content (or outlived their retries), oldest first."""
    from novel_cli.dlq import list_letters

    lines = asyncio.run(list_letters(_nats_url(), limit))
    typer.echo("\n".join(lines) if lines else "no dead letters")


@dlq_app.command("replay")
def dlq_replay(
    sequences: Annotated[
        list[int] | None, typer.Argument(help="Dead-letter numbers (#N in `novel dlq list`).")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Replay every dead letter.")] = False,
) -> None:
    """Publish dead letters again on their original subjects (after fixing the cause)."""
    from novel_cli.dlq import replay_letters

    if not sequences and not every:
        raise typer.BadParameter("give dead-letter numbers or --all")
    for line in asyncio.run(replay_letters(_nats_url(), list(sequences or []), every)):
        typer.echo(line)


@app.command()
def migrate() -> None:
    """Run every service's Alembic migrations (each in its own schema)."""
    from novel_cli.registry import SERVICES
    from novel_platform import migrations

    url = _database_url()
    for service in SERVICES:
        migrations.upgrade(service.module, service.schema, url)
        typer.echo(f"migrated {service.schema}")


@app.command("wait-migrated")
def wait_migrated(
    service: Annotated[
        list[str], typer.Option(help="Service whose schema must be migrated (repeatable).")
    ],
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds.")] = 600,
) -> None:
    """Wait until SERVICE's schema is at the migrations this code carries. A pod's init
    container runs it, so a new release never serves on the old schema: its pods wait
    (and the rollout with them) until the migration Job has run."""
    import time

    import sqlalchemy as sa

    from novel_cli.registry import SERVICES
    from novel_platform import migrations

    known = {s.name: s for s in SERVICES}
    unknown = sorted(set(service) - set(known))
    if unknown:
        raise CliError(f"unknown service {', '.join(unknown)}", exits.BAD_INPUT)
    url = _database_url()
    deadline = time.monotonic() + timeout
    waiting = [known[name] for name in service]
    while True:
        try:
            waiting = [s for s in waiting if not migrations.at_head(s.module, s.schema, url)]
        except sa.exc.OperationalError as exc:  # the database is not reachable yet
            typer.echo(f"database not reachable: {exc.orig}", err=True)
        if not waiting:
            typer.echo("schemas are current")
            return
        if time.monotonic() > deadline:
            names = ", ".join(s.schema for s in waiting)
            raise CliError(f"schema {names} not migrated after {timeout:g} s")
        typer.echo(f"waiting for migrations: {', '.join(s.schema for s in waiting)}", err=True)
        time.sleep(2)


@key_app.command("create")
def key_create(
    tenant: Annotated[str, typer.Option(help="Tenant the key belongs to.")],
    key: Annotated[str | None, typer.Option(help="Use this key instead of a random one.")] = None,
) -> None:
    """Issue an API key for TENANT; the key is printed once and stored only as a hash."""
    from novel_cli.keys import issue

    typer.echo(asyncio.run(issue(_database_url(), tenant, key)))


@key_app.command("revoke")
def key_revoke(key_id: Annotated[str, typer.Argument(help="The 12 characters after ne_.")]) -> None:
    """Revoke a key by its id (cached copies expire within the gateway's cache time)."""
    from novel_cli.keys import revoke

    if not asyncio.run(revoke(_database_url(), key_id)):
        raise typer.Exit(1)


@key_app.command("list")
def key_list(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's keys.")] = None,
) -> None:
    """Key ids, tenants and dates (secrets are never stored, so never shown)."""
    from novel_cli.keys import listed

    for info in asyncio.run(listed(_database_url(), tenant)):
        state = f"revoked {info.revoked_at:%Y-%m-%d %H:%M}" if info.revoked_at else "active"
        typer.echo(f"{info.key_id}  {info.tenant_id}  {info.created_at:%Y-%m-%d %H:%M}  {state}")


@key_app.command("rotate")
def key_rotate(key_id: Annotated[str, typer.Argument(help="The 12 characters after ne_.")]) -> None:
    """Issue a new key for the same tenant and revoke this one; the new key is printed once."""
    from novel_cli.keys import rotate

    key = asyncio.run(rotate(_database_url(), key_id))
    if key is None:
        typer.echo(f"no active key {key_id}", err=True)
        raise typer.Exit(1)
    typer.echo(key)


@app.command()
def seed(
    tenant: Annotated[str, typer.Option(help="Tenant to seed.")],
    character_addr: Annotated[str, typer.Option(envvar="NE_CHARACTER_ADDR")] = "127.0.0.1:50051",
) -> None:
    """Add the starter roster to a tenant through the character service."""
    from novel_cli.seeding import seed_roster

    created, existing = asyncio.run(seed_roster(character_addr, tenant))
    typer.echo(f"created: {', '.join(created) or '-'}; already there: {', '.join(existing) or '-'}")


@app.command()
def up(
    http_port: Annotated[int, typer.Option(envvar="NE_HTTP_PORT")] = 8000,
    run_dir: Annotated[str, typer.Option(envvar="NE_RUN_DIR")] = ".run",
    free_ports: Annotated[
        bool, typer.Option(help="Free ports for the gRPC services (several stacks on a host).")
    ] = False,
) -> None:
    """Start NATS and PostgreSQL (unless given), migrate, start all services, seed, and
    keep them running: a service that exits is restarted with a backoff."""
    try:
        from novel_cli.stack import run_stack
    except ModuleNotFoundError as exc:
        # The service images leave the dev tooling (novel_dev) out.
        if exc.name != "novel_dev":
            raise
        raise CliError("`novel up` needs a source checkout (make install)") from exc

    raise typer.Exit(run_stack(http_port=http_port, run_dir=run_dir, free_ports=free_ports))


@app.command()
def down(run_dir: Annotated[str, typer.Option(envvar="NE_RUN_DIR")] = ".run") -> None:
    """Stop a stack started by `novel up` in another terminal."""
    from novel_cli.stack import stop_stack

    raise typer.Exit(stop_stack(run_dir))
