"""Named analyst queries: the files in ``sql/queries``, listed and run with bound parameters.

Each ``sql/queries/<name>.sql`` answers one question and starts with a header comment::

    -- Question: What did market breadth look like on a date?
    --
    -- Parameters:
    --   $as_of     DATE     the day asked about; resolved to the last NYSE session on or before it
    --   $universe  VARCHAR  a breadth universe, e.g. 'sp500_sample'
    --
    -- Columns:
    --   session_date  DATE     the resolved session
    --   ...
    --
    -- Notes: ...

Parameters are DuckDB *named* parameters (``$as_of``), bound by name, never spliced into
the text; the header lists every one of them with its type. ``Columns`` lists the output
columns in order (they are the contract a report footnotes with the query's name).

Conventions shared by the queries: ``$as_of`` is resolved to the last NYSE session on or
before it (``bw.session_on_or_before``) and echoed as ``session_date``; ``$universe`` names
a universe of ``raw.universe_members`` (``indices``, ``broad_etfs``, ``sector_etfs``,
``market``, ``sp500_sample``); returns are fractions (0.01 = 1%). The ``bw.*`` macros they
use are documented in ``sql/macros``.

``run_query(con, "breadth_on_date", as_of="2025-12-05", universe="sp500_sample")`` returns
a polars DataFrame; an unknown name or a missing, extra or mistyped parameter raises
:class:`QueryError` before anything reaches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from bellwether.sqlfiles import load_sql, sql_files

QUERY_FOLDER = "queries"

_SECTION = re.compile(r"^(Question|Parameters|Columns|Notes):\s*(.*)$")
_ENTRY = re.compile(
    r"^ {2}(?P<name>\$?[a-z_][a-z0-9_]*)\s+(?P<type>[A-Z][A-Z0-9_]*(?:\[\])?)\s+(?P<doc>.+)$"
)
_USED_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class QueryError(ValueError):
    """A named query was asked for by a name or with parameters it does not have."""


class EmptyPeriodError(QueryError):
    """A period whose ``start_date`` is after its ``end_date``: no session is in it."""


class UnknownNameError(QueryError):
    """A named query answered nothing for a universe or instrument the warehouse does not
    know (a typo, a lower-case ticker): said instead of an empty answer."""


@dataclass(frozen=True)
class QueryField:
    """A parameter (name without ``$``) or an output column of a named query."""

    name: str
    type: str
    description: str


@dataclass(frozen=True)
class NamedQuery:
    """One ``sql/queries/<name>.sql`` file, with its parsed header."""

    name: str
    question: str
    params: tuple[QueryField, ...]
    columns: tuple[QueryField, ...]
    notes: str
    sql: str
    path: Path

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def used_params(self) -> set[str]:
        """``$name`` parameters that occur in the SQL body (comments stripped)."""
        body = "\n".join(line.split("--", 1)[0] for line in self.sql.splitlines())
        return set(_USED_PARAM.findall(body))


def _parse_header(name: str, text: str) -> tuple[str, list[QueryField], list[QueryField], str]:
    """Question, parameters, columns and notes from the leading ``--`` comment block."""
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        body = line[2:].removeprefix(" ")
        m = _SECTION.match(body)
        if m:
            current = m.group(1)
            sections[current] = [m.group(2)] if m.group(2) else []
        elif current is not None and body.strip():
            sections[current].append(body)
    if not sections.get("Question"):
        raise QueryError(f"sql/queries/{name}.sql has no '-- Question:' header")

    def fields(section: str, is_param: bool) -> list[QueryField]:
        out: list[QueryField] = []
        for raw in sections.get(section, []):
            m = _ENTRY.match(raw)
            if m is None:  # a continuation of the previous entry's description
                if not out:
                    raise QueryError(f"sql/queries/{name}.sql: cannot parse {section} line {raw!r}")
                prev = out[-1]
                out[-1] = QueryField(prev.name, prev.type, f"{prev.description} {raw.strip()}")
                continue
            field_name = m.group("name")
            if field_name.startswith("$") != is_param:
                raise QueryError(f"sql/queries/{name}.sql: bad {section} entry {raw!r}")
            out.append(QueryField(field_name.lstrip("$"), m.group("type"), m.group("doc").strip()))
        return out

    question = " ".join(s.strip() for s in sections["Question"])
    notes = " ".join(s.strip() for s in sections.get("Notes", []))
    return question, fields("Parameters", True), fields("Columns", False), notes


def _load(path: Path) -> NamedQuery:
    text = path.read_text()
    question, params, columns, notes = _parse_header(path.stem, text)
    return NamedQuery(path.stem, question, tuple(params), tuple(columns), notes, text, path)


def list_queries() -> list[NamedQuery]:
    """Every named query in ``sql/queries``, sorted by name."""
    return [_load(p) for p in sql_files(QUERY_FOLDER)]


def get_query(name: str) -> NamedQuery:
    """The named query ``name``; only the stems of files in ``sql/queries`` are accepted."""
    known = {p.stem: p for p in sql_files(QUERY_FOLDER)}
    if not isinstance(name, str) or not _NAME.match(name) or name not in known:
        raise QueryError(
            f"unknown query {name!r}; known queries: {', '.join(sorted(known)) or '(none)'}"
        )
    return _load(known[name])


def _coerce(query: NamedQuery, param: QueryField, value: object) -> object:
    """``value`` checked against the parameter's declared type.

    DATE takes a date or an ISO string (not a datetime), VARCHAR a string, INTEGER/BIGINT an
    int, DOUBLE an int or float, BOOLEAN a bool; None is refused for every type.
    """
    where = f"query {query.name!r} parameter {param.name!r}"
    if value is None:
        raise QueryError(f"{where} must not be None")
    if param.type == "DATE":
        if isinstance(value, datetime):
            raise QueryError(f"{where} must be a date, not a datetime: {value!r}")
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise QueryError(
                    f"{where} must be an ISO date (YYYY-MM-DD), got {value!r}"
                ) from None
        raise QueryError(f"{where} must be a date or an ISO date string, got {value!r}")
    if param.type == "VARCHAR" and not isinstance(value, str):
        raise QueryError(f"{where} must be a string, got {value!r}")
    if param.type in ("INTEGER", "BIGINT") and (
        isinstance(value, bool) or not isinstance(value, int)
    ):
        raise QueryError(f"{where} must be an integer, got {value!r}")
    if param.type == "DOUBLE" and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise QueryError(f"{where} must be a number, got {value!r}")
    if param.type == "BOOLEAN" and not isinstance(value, bool):
        raise QueryError(f"{where} must be true or false, got {value!r}")
    return value


def bind_params(query: NamedQuery, params: dict[str, object]) -> dict[str, object]:
    """The values to bind for ``query``: exactly its declared parameters, type-checked."""
    declared = set(query.param_names)
    missing = sorted(declared - params.keys())
    extra = sorted(params.keys() - declared)
    if missing or extra:
        problems = []
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        if extra:
            problems.append(f"unexpected {', '.join(extra)}")
        raise QueryError(
            f"query {query.name!r} takes parameters ({', '.join(query.param_names)}): "
            + "; ".join(problems)
        )
    values = {p.name: _coerce(query, p, params[p.name]) for p in query.params}
    _check_ranges(query, values)
    return values


def _check_ranges(query: NamedQuery, values: dict[str, object]) -> None:
    """The shared parameters' own rules: a period ``start_date..end_date`` in order, a
    window of ``sessions`` at least one session long."""
    start, end = values.get("start_date"), values.get("end_date")
    if isinstance(start, date) and isinstance(end, date) and start > end:
        raise EmptyPeriodError(f"query {query.name!r}: start_date {start} is after end_date {end}")
    sessions = values.get("sessions")
    if isinstance(sessions, int) and sessions < 1:
        raise QueryError(f"query {query.name!r}: sessions must be at least 1, got {sessions}")


def run_query(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pl.DataFrame:
    """Run the named query ``name`` with ``params`` bound by name; a polars DataFrame.

    Raises :class:`QueryError` for a name that is not a file in ``sql/queries``, for
    missing, unexpected or mistyped parameters and a window of fewer than one session;
    :class:`EmptyPeriodError` for a period whose start is after its end;
    :class:`UnknownNameError` when it answers nothing for
    a ``$universe``, ``$ticker`` or ``$benchmark`` the warehouse does not know.
    """
    query = get_query(name)
    values = bind_params(query, params)
    # Run as a relation and handed over as Arrow (polars reads it without a copy). Executing
    # it as a DB-API statement saves a second bind (0.2-1 ms here) but makes DuckDB copy the
    # rows and warn about it, and silencing that per call (`warnings.catch_warnings`) changes
    # the process's warning filters under other threads running queries; a filter installed
    # once does not survive a harness that resets the filters (pytest does).
    table = con.sql(query.sql, params=values or None).to_arrow_table()
    if table.num_rows == 0:
        _check_names(con, query, values)
    return pl.DataFrame(pl.from_arrow(table))


#: The polars type of each SQL type a query's header declares for a column.
POLARS_TYPES = {
    "DATE": pl.Date, "VARCHAR": pl.String, "INTEGER": pl.Int32, "BIGINT": pl.Int64,
    "DOUBLE": pl.Float64, "BOOLEAN": pl.Boolean, "TINYINT": pl.Int8,
}  # fmt: skip


def empty_answer(name: str) -> pl.DataFrame:
    """An answer of the named query ``name`` with no row: its header's columns and types."""
    return pl.DataFrame(
        schema={c.name: POLARS_TYPES.get(c.type, pl.String) for c in get_query(name).columns}
    )


def run_query_or_empty(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pl.DataFrame:
    """:func:`run_query`, with an empty answer (its columns, no row) for a universe or
    instrument the warehouse does not know and for a period that starts after it ends: for
    the project's own readers (the brief, the fact-checker, the UI's charts), which ask for
    the configured names whatever universe a warehouse was built with, and periods a recap
    names ("since" a later day), and say "no data" themselves."""
    try:
        return run_query(con, name, **params)
    except (UnknownNameError, EmptyPeriodError):
        return empty_answer(name)


#: The parameters that name a universe or an instrument, and which kind of name each takes.
NAMED_BY = {"universe": "universe", "ticker": "ticker", "benchmark": "ticker"}


def _check_names(con: duckdb.DuckDBPyConnection, query: NamedQuery, values: dict) -> None:
    """An empty answer whose ``$universe``, ``$ticker`` or ``$benchmark`` the warehouse does
    not know: :class:`UnknownNameError` naming it, with the known name it differs from only
    by case or a leading ``^`` (``gspc`` for ``^GSPC``), else the universes there are."""
    asked = {p: v for p, v in values.items() if p in NAMED_BY and isinstance(v, str)}
    if not asked:
        return
    known: dict[str, set[str]] = {"universe": set(), "ticker": set()}
    for kind, name in con.execute(load_sql("catalog/known_names")).fetchall():
        known[kind].add(name)
    for param, value in asked.items():
        names = known[NAMED_BY[param]]
        if value in names:
            continue
        close = sorted(n for n in names if n.lower().lstrip("^") == value.lower().lstrip("^"))
        if close:
            hint = f"did you mean {close[0]!r}?"
        elif param == "universe":
            hint = f"the universes are {', '.join(sorted(names))}"
        else:
            hint = "it is not in raw.instruments"
        raise UnknownNameError(f"query {query.name!r}: unknown {param} {value!r}; {hint}")
