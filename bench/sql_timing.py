"""Where a benchmark case's time goes in DuckDB, statement by statement.

``python -m bench.sql_timing SPEC OUT``
    runs one case of :mod:`bench.cases` (``SPEC``: its JSON spec, as the harness writes
    it) with every DuckDB statement timed by the ``sql/`` file it comes from (statements
    not loaded from a file are named by their first words), and every commit, close and
    open of a connection timed too (DuckDB checkpoints on those). Writes
    ``{name: [calls, seconds]}`` to ``OUT`` (JSON) and prints the slowest.

``python -m bench.sql_timing compare A B``
    two such outputs side by side (for example the daily run on the 1- and 25-year
    histories), sorted by what grew most.

A named query (``sql/queries``, run by :func:`bellwether.queries.run_query`) is named
``queries/<name>``. A statement executed by ``con.sql(...)`` is timed when its rows are fetched (``.pl()``,
``.fetchall()``, ...), where DuckDB runs it. The timing wraps DuckDB's Python methods
(``DuckDBPyConnection.execute``/``sql``/``commit``/``close``, ``duckdb.connect``) for
this process only; a commit or close slower than 50 ms is also listed with the last
statement run before it. In the ``bare`` modes of the ``daily`` case only what the
case's clock measures is counted (the set-up before it, such as putting a history on its
last session's basis, is not). Used for docs/BENCHMARKS.md section 17.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

#: name -> [calls, seconds]
TIMES: dict[str, list] = defaultdict(lambda: [0, 0.0])
#: (what, seconds, the statement before it) of each commit or close over 50 ms
SLOW: list[tuple[str, float, str | None]] = []
_LAST: list[str | None] = [None]
_MARK = "/*sql_timing:"


def _name(query: object) -> str:
    text = query if isinstance(query, str) else str(query)
    if text.startswith(_MARK):
        return text[len(_MARK) : text.index("*/")]
    return "adhoc: " + " ".join(text.split())[:60]


def _add(name: str, seconds: float, calls: int = 1) -> None:
    row = TIMES[name]
    row[0] += calls
    row[1] += seconds


@contextmanager
def _timer(name: str, calls: int = 1) -> Iterator[None]:
    """Add the block's wall time to ``name`` (and ``calls`` calls)."""
    t0 = time.perf_counter()
    try:
        yield
    finally:
        _add(name, time.perf_counter() - t0, calls)


class _TimedRelation:
    """A relation whose fetches are timed under the statement's name."""

    FETCHES = frozenset({"pl", "fetchall", "fetchone", "df", "arrow", "to_arrow_table"})

    def __init__(self, relation: duckdb.DuckDBPyRelation, name: str) -> None:
        self._relation, self._name = relation, name

    def __getattr__(self, attr: str):
        value = getattr(self._relation, attr)
        if attr not in self.FETCHES:
            return value

        def timed(*args, **kwargs):
            with _timer(self._name):
                return value(*args, **kwargs)

        return timed


def install() -> None:
    """Wrap DuckDB's and :func:`bellwether.sqlfiles.load_sql`'s entry points (this
    process only)."""
    import bellwether.sqlfiles as sqlfiles

    load = sqlfiles.load_sql

    def load_sql(name: str, *args, **kwargs) -> str:
        return f"{_MARK}{name}*/ " + load(name, *args, **kwargs)

    sqlfiles.load_sql = load_sql
    import bellwether.queries as queries  # the named queries are read by file, not load_sql

    get_query = queries.get_query

    def marked_query(name: str):
        query = get_query(name)
        return dataclasses.replace(query, sql=f"{_MARK}queries/{name}*/ " + query.sql)

    queries.get_query = marked_query
    con_type = duckdb.DuckDBPyConnection
    execute, sql, commit, close = con_type.execute, con_type.sql, con_type.commit, con_type.close
    connect = duckdb.connect

    def timed_execute(self, query, *args, **kwargs):
        _LAST[0] = name = _name(query)
        with _timer(name):
            return execute(self, query, *args, **kwargs)

    def timed_sql(self, query, *args, **kwargs):  # binding only: the run is in the fetch
        _LAST[0] = name = _name(query)
        with _timer(name, calls=0):
            return _TimedRelation(sql(self, query, *args, **kwargs), name)

    def timed(what: str, method):
        def run(self):
            t0 = time.perf_counter()
            try:
                return method(self)
            finally:
                seconds = time.perf_counter() - t0
                _add(f"<{what}>", seconds)
                if seconds > 0.05:
                    SLOW.append((what, round(seconds, 3), _LAST[0]))

        return run

    def timed_connect(*args, **kwargs):
        with _timer("<open>"):
            return connect(*args, **kwargs)

    con_type.execute, con_type.sql = timed_execute, timed_sql
    con_type.commit, con_type.close = timed("commit", commit), timed("close", close)
    duckdb.connect = timed_connect


def _print(times: dict[str, list], top: int = 40) -> None:
    total = sum(v[1] for v in times.values())
    print(f"{'seconds':>8} {'calls':>6}  statement (total {total:.2f} s)")
    for name, (calls, seconds) in sorted(times.items(), key=lambda kv: -kv[1][1])[:top]:
        print(f"{seconds:8.3f} {calls:6d}  {name}")


def compare(a: Path, b: Path, top: int = 30) -> None:
    """Print two outputs side by side, what grew most first."""
    x, y = json.loads(a.read_text()), json.loads(b.read_text())
    names = sorted(
        set(x) | set(y), key=lambda n: y.get(n, [0, 0])[1] - x.get(n, [0, 0])[1], reverse=True
    )
    print(f"{'growth':>7} {'A s':>7} {'B s':>7} {'A n':>5} {'B n':>5}  statement")
    for n in names[:top]:
        (na, sa), (nb, sb) = x.get(n, [0, 0.0]), y.get(n, [0, 0.0])
        print(f"{sb - sa:7.3f} {sa:7.3f} {sb:7.3f} {na:5d} {nb:5d}  {n}")
    print(
        f"total: A {sum(v[1] for v in x.values()):.2f} s, B {sum(v[1] for v in y.values()):.2f} s"
    )


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "compare":
        compare(Path(argv[1]), Path(argv[2]))
        return 0
    if len(argv) != 2:
        print(__doc__)
        return 2
    install()
    from bench import cases

    pipeline = cases.bare_pipeline

    def clocked(*args, **kwargs):  # the bare modes' clocked part: the set-up's not counted
        TIMES.clear()
        SLOW.clear()
        return pipeline(*args, **kwargs)

    cases.bare_pipeline = clocked
    status = cases.main([argv[0]])
    Path(argv[1]).write_text(json.dumps(dict(TIMES), indent=0))
    result = json.loads(Path(json.loads(Path(argv[0]).read_text())["result_path"]).read_text())
    print(f"case ok: {result['ok']}, seconds: {result['seconds']}")
    _print(dict(TIMES))
    for what, seconds, before in SLOW:
        print(f"slow {what}: {seconds} s (after {before})")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
