"""What must hold after the campaign, read from the databases and the responses."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from chaos.burst import BurstResult
from chaos.load import Answer

TERMINAL = ("completed", "failed", "cancelled")


@dataclass
class Findings:
    simulations: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)  # answered 2xx, no row
    unfinished: list[str] = field(default_factory=list)  # not terminal after the drain
    story_problems: list[str] = field(default_factory=list)
    turn_problems: list[str] = field(default_factory=list)
    bad_answers: list[Answer] = field(default_factory=list)
    secrets_in_logs: list[str] = field(default_factory=list)  # log files holding a secret
    # Outages a process stayed ready through, or was not ready again after.
    readiness_problems: list[str] = field(default_factory=list)
    # Bursts past the work queue's limit that were not refused, or whose refused starts
    # left a simulation behind.
    queue_fill_problems: list[str] = field(default_factory=list)
    # Schemathesis and the property tests at depth, after the faults: their verdicts.
    fuzzing: dict[str, str] = field(default_factory=dict)
    drain_seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not (
            self.lost
            or self.unfinished
            or self.story_problems
            or self.turn_problems
            or self.bad_answers
            or self.secrets_in_logs
            or self.readiness_problems
            or self.queue_fill_problems
            or any(v.startswith("FAILED") for v in self.fuzzing.values())
        )


def bad_answers(answers: list[Answer]) -> list[Answer]:
    """Client-visible failures that break the promise: a 500 (or any 5xx other than a
    503 with Retry-After and the synchronous route's documented 504 with the id), and a
    429/503 without Retry-After. Refused connections are reported, not counted here:
    with one gateway process, its restart refuses connections."""
    bad = []
    for a in answers:
        if (
            (a.status in (429, 503) and not a.retry_after)
            or (a.status == 504 and not (a.route == "POST /simulations" and a.simulation_id))
            or (a.status >= 500 and a.status not in (503, 504))
        ):
            bad.append(a)
    return bad


def check(
    database_url: str,
    tenant: str,
    accepted: set[str],
    answers: list[Answer],
    drain: float,
    bursts: list[BurstResult],
) -> Findings:
    findings = Findings(bad_answers=bad_answers(answers))
    started = time.monotonic()
    with psycopg.connect(database_url, autocommit=True) as conn:
        while True:
            rows = conn.execute(
                "SELECT id, status, turns_done FROM simulation.simulations WHERE tenant_id = %s",
                (tenant,),
            ).fetchall()
            unfinished = [r[0] for r in rows if r[1] not in TERMINAL]
            problems = _story_problems(conn, tenant, rows)
            if (not unfinished and not problems) or time.monotonic() - started > drain:
                break
            time.sleep(2)
        findings.drain_seconds = time.monotonic() - started
        findings.simulations = len(rows)
        findings.by_status = Counter(r[1] for r in rows)
        findings.unfinished = unfinished
        findings.story_problems = problems
        findings.lost = sorted(accepted - {r[0] for r in rows})
        findings.turn_problems = _turn_problems(conn, rows)
        findings.queue_fill_problems = _queue_fill_problems(conn, tenant, bursts)
    return findings


def _queue_fill_problems(
    conn: psycopg.Connection,
    tenant: str,
    bursts: list[BurstResult],  # type: ignore[type-arg]
) -> list[str]:
    """Each burst was refused in part (the limit was reached), and a refused start made
    no simulation (refused before it was accepted)."""
    problems = []
    for n, b in enumerate(bursts, 1):
        if not b.refused:
            problems.append(f"burst {n}: {len(b.answers)} starts, none refused")
            continue
        made = conn.execute(
            "SELECT count(*) FROM simulation.simulations "
            "WHERE tenant_id = %s AND scenario = ANY(%s)",
            (tenant, b.refused),
        ).fetchone()
        if made and made[0]:
            problems.append(f"burst {n}: {made[0]} refused starts left a simulation")
    return problems


def _story_problems(conn: psycopg.Connection, tenant: str, rows: list[tuple]) -> list[str]:  # type: ignore[type-arg]
    stories = {
        sim_id: (status, numbers)
        for sim_id, status, numbers in conn.execute(
            """
            SELECT s.simulation_id, s.status,
                   coalesce(array_agg(c.number ORDER BY c.number)
                            FILTER (WHERE c.number IS NOT NULL), '{}')
            FROM story.stories s LEFT JOIN story.chapters c ON c.story_id = s.id
            WHERE s.tenant_id = %s GROUP BY s.simulation_id, s.status
            """,
            (tenant,),
        ).fetchall()
    }
    problems = []
    for sim_id, status, turns_done in rows:
        if status != "completed":
            continue
        story = stories.get(sim_id)
        if story is None:
            problems.append(f"{sim_id}: completed, no story")
        elif story[0] != "completed":
            problems.append(f"{sim_id}: story {story[0]}")
        elif list(story[1]) != list(range(1, turns_done + 1)):
            problems.append(f"{sim_id}: chapters {list(story[1])} for {turns_done} turns")
    return problems


def _turn_problems(conn: psycopg.Connection, rows: list[tuple]) -> list[str]:  # type: ignore[type-arg]
    stored = dict(
        (sim_id, (count, top))
        for sim_id, count, top in conn.execute(
            "SELECT simulation_id, count(*), max(turn) FROM simulation.checkpoints "
            "WHERE simulation_id = ANY(%s) GROUP BY simulation_id",
            ([r[0] for r in rows],),
        ).fetchall()
    )
    problems = []
    for sim_id, _, turns_done in rows:
        count, top = stored.get(sim_id, (0, 0))
        if count != turns_done or (top or 0) != turns_done:
            problems.append(f"{sim_id}: {count} turns stored up to {top}, counter {turns_done}")
    return problems


def secrets_in_logs(logs: Path, secrets: list[str]) -> list[str]:
    """Log files that contain any of the secrets (API keys' secret parts, passwords)."""
    found = []
    for path in sorted(logs.rglob("*.log")):
        text = path.read_text(errors="replace")
        if any(secret and secret in text for secret in secrets):
            found.append(path.name)
    return found
