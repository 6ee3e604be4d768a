"""Counts taken from the systems themselves: the services' Prometheus endpoints,
NATS monitoring and PostgreSQL's statistics views.

Each reader returns plain numbers; the cost benchmark subtracts two readings. Nothing
here assumes how many statements, messages or calls a request should take.
"""

from __future__ import annotations

import re

import httpx
import psycopg
from prometheus_client.parser import text_string_to_metric_families

# novel_platform.domain_cpu's counter (OTel `novel.domain.cpu_time`, unit s) as scraped.
DOMAIN_CPU_SAMPLE = "novel_domain_cpu_time_seconds_total"
DOMAIN_PART_LABEL = "novel_domain_part"
DOMAIN_PARTS = ("engine", "chronicler")
# novel_platform.grpc_server's histogram: its _count is the calls served, per method.
RPC_COUNT_SAMPLE = "rpc_server_duration_seconds_count"
HEALTH_RPC = "/grpc.health.v1.Health/"
TIMEOUT = 5.0


def scrape(urls: dict[str, str]) -> dict[str, dict[tuple[str, str], float]]:
    """Per process: (sample name, identifying label) -> value, for the samples we use.

    A process whose endpoint does not answer is left out (e.g. a stopped replica).
    """
    out: dict[str, dict[tuple[str, str], float]] = {}
    for name, url in urls.items():
        try:
            text = httpx.get(url, timeout=TIMEOUT).text
        except httpx.HTTPError:
            continue
        values: dict[tuple[str, str], float] = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == DOMAIN_CPU_SAMPLE:
                    key = (sample.name, sample.labels.get(DOMAIN_PART_LABEL, ""))
                elif sample.name == RPC_COUNT_SAMPLE:
                    key = (sample.name, sample.labels.get("rpc_method", ""))
                else:
                    continue
                values[key] = values.get(key, 0.0) + sample.value
        out[name] = values
    return out


def domain_cpu(scraped: dict[str, dict[tuple[str, str], float]]) -> dict[str, float]:
    """CPU seconds spent in the engine and the chronicler, summed over the processes."""
    totals = dict.fromkeys(DOMAIN_PARTS, 0.0)
    for values in scraped.values():
        for (sample, part), value in values.items():
            if sample == DOMAIN_CPU_SAMPLE:
                totals[part] = totals.get(part, 0.0) + value
    return totals


def grpc_calls(scraped: dict[str, dict[tuple[str, str], float]]) -> dict[str, float]:
    """gRPC calls served, per method, summed over the processes (health checks left out:
    they are the probes' traffic, not the requests')."""
    totals: dict[str, float] = {}
    for values in scraped.values():
        for (sample, method), value in values.items():
            if sample == RPC_COUNT_SAMPLE and not method.startswith(HEALTH_RPC):
                totals[method] = totals.get(method, 0.0) + value
    return totals


def nats(monitor_url: str | None) -> dict[str, float]:
    """Server totals from /varz (messages and bytes in and out) and /jsz (messages stored
    in the streams, JetStream API requests); empty without a monitoring endpoint."""
    if not monitor_url:
        return {}
    varz = httpx.get(f"{monitor_url}/varz", timeout=TIMEOUT).json()
    jsz = httpx.get(f"{monitor_url}/jsz", timeout=TIMEOUT).json()
    return {
        "nats_in_msgs": float(varz["in_msgs"]),
        "nats_out_msgs": float(varz["out_msgs"]),
        "nats_in_bytes": float(varz["in_bytes"]),
        "nats_out_bytes": float(varz["out_bytes"]),
        "jetstream_messages": float(jsz.get("messages", 0)),
        "jetstream_api": float(jsz.get("api", {}).get("total", 0)),
    }


_UTILITY = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|START)\b", re.IGNORECASE)
_DATABASE_COLUMNS = (
    "xact_commit",
    "xact_rollback",
    "tup_returned",
    "tup_fetched",
    "tup_inserted",
    "tup_updated",
    "tup_deleted",
)


class PostgresCounters:
    """Statement counts (pg_stat_statements) and the database's statistics row
    (pg_stat_database) for the stack's database.

    The readings run on a connection to another database of the server (the admin URL),
    so they never count themselves: both views are filtered by the stack's database.
    """

    def __init__(self, admin_url: str, database: str) -> None:
        self.database = database
        self._conn = psycopg.connect(
            admin_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
        )
        self.statements_available, self.statements_note = self._enable_statements()

    def _enable_statements(self) -> tuple[bool, str]:
        row = self._conn.execute("SHOW shared_preload_libraries").fetchone()
        if row is None or "pg_stat_statements" not in str(row[0]):
            # Not loaded: leave the server as it is (no extension created in vain).
            return False, "pg_stat_statements unavailable (not in shared_preload_libraries)"
        try:
            self._conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            self._conn.execute("SELECT 1 FROM pg_stat_statements LIMIT 1")
        except psycopg.Error as exc:
            return False, f"pg_stat_statements unavailable ({str(exc).strip().splitlines()[0]})"
        return True, "pg_stat_statements"

    def reset_statements(self) -> None:
        if self.statements_available:
            self._conn.execute("SELECT pg_stat_statements_reset()")

    def statements(self) -> dict[str, float]:
        """Calls per normalised statement in the stack's database since the last reset."""
        if not self.statements_available:
            return {}
        rows = self._conn.execute(
            "SELECT s.query, sum(s.calls) FROM pg_stat_statements s "
            "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = %s GROUP BY s.query",
            (self.database,),
        ).fetchall()
        return {str(query): float(calls) for query, calls in rows}

    def database_stats(self) -> dict[str, float]:
        """The stack database's row of pg_stat_database (flushed by the backends at most
        once a second: read it a second after the work)."""
        row = self._conn.execute(
            "SELECT xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, "
            "tup_updated, tup_deleted FROM pg_stat_database WHERE datname = %s",
            (self.database,),
        ).fetchone()
        if row is None:
            return {}
        return {name: float(value) for name, value in zip(_DATABASE_COLUMNS, row, strict=True)}

    def close(self) -> None:
        self._conn.close()


def statement_summary(calls: dict[str, float]) -> dict[str, float]:
    """Total statements, and how many of them are transaction control (BEGIN, COMMIT...)."""
    control = sum(n for query, n in calls.items() if _UTILITY.match(query))
    return {"sql_statements": sum(calls.values()), "sql_transaction_control": control}
