"""A hot statement sent through psycopg directly, on its unit of work's connection.

`AsyncConnection.execute` costs about 0.1 ms of CPU around psycopg's own work (the
execution context, the compiled-cache lookup, events, the result's wrapping): as much
again as a short statement's whole client side. For the statement each service runs
per synchronous simulation that is a visible share of the plumbing, so those few skip
it: `DirectStatement` is still SQLAlchemy's statement, compiled once by the
connection's dialect and fed the values its types' bind processors make (JSON through
the engine's serializer, arrays, casts), so the server receives what `execute` would
send, on the same pooled connection and in its transaction or autocommit mode. psycopg
errors come out wrapped as `execute` wraps them (`sqlalchemy.exc.DBAPIError`), so
callers see one kind of error whichever way a statement went.

Its parameters go in binary: psycopg dumps an array in text format element by element
in Python, quoting and escaping each (bytea twice as long, as hex), ~25 µs for four
chapters' texts or one event's payload; in binary it copies them (~2.5 µs), and the
server has no literal to parse. The statement's casts are the same in both formats.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import psycopg
from opentelemetry.trace import SpanKind
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import TextClause

from novel_platform import semconv, telemetry

_tracer = telemetry.tracer(__name__)

# A named placeholder of the psycopg dialect (`%(name)s`, not an escaped `%%`).
_TEXT_PLACEHOLDER = re.compile(r"(?<!%)%\((\w+)\)s")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    processors: tuple[tuple[str, Callable[[Any], Any] | None], ...]


class DirectStatement:
    """A text statement with typed bind parameters, run for its first row."""

    __slots__ = ("_compiled", "_name", "_statement")

    def __init__(self, statement: TextClause, name: str) -> None:
        """`name`: the span's, when tracing is on (what it does and to which table)."""
        self._statement = statement
        self._name = name
        self._compiled: tuple[Dialect, _Compiled] | None = None

    def _for(self, dialect: Dialect) -> _Compiled:
        if self._compiled is None or self._compiled[0] is not dialect:
            compiled = self._statement.compile(dialect=dialect)
            processors = tuple(
                (bind.key, bind.type.bind_processor(dialect)) for bind in compiled.binds.values()
            )
            binary = _TEXT_PLACEHOLDER.sub(r"%(\1)b", compiled.string)
            self._compiled = (dialect, _Compiled(binary, processors))
        return self._compiled[1]

    async def first(
        self, conn: AsyncConnection, params: Mapping[str, Any]
    ) -> tuple[Any, ...] | None:
        """The statement's first row (None when it returned none)."""
        compiled = self._for(conn.dialect)
        values = {
            key: params[key] if process is None else process(params[key])
            for key, process in compiled.processors
        }
        driver = (await conn.get_raw_connection()).driver_connection
        if not isinstance(driver, psycopg.AsyncConnection):
            raise TypeError(f"a psycopg connection was expected, not {type(driver)}")
        with telemetry.span(
            _tracer,
            self._name,
            kind=SpanKind.CLIENT,
            attributes={semconv.DB_SYSTEM: "postgresql", semconv.DB_STATEMENT: compiled.sql},
        ):
            try:
                cursor = await driver.execute(compiled.sql, values)
                row: tuple[Any, ...] | None = await cursor.fetchone()
            except psycopg.Error as exc:
                if driver.broken:
                    await conn.invalidate(exc)  # as `execute` does: the pool drops it
                raise sa_exc.DBAPIError.instance(compiled.sql, values, exc, psycopg.Error) from exc
        return row
