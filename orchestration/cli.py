"""The ``bellwether`` command line.

``bellwether demo``     run the main job over every bundled session, as ONE Dagster run, in
                        the project's Dagster instance, then print what landed.
``bellwether brief``    write the market brief of a session (``--date``): md, html, json.
``bellwether status``   print row counts, covered sessions and the latest landings (of the
                        published warehouse, with its state).
``bellwether sql``      an interactive DuckDB shell (the DuckDB CLI, a locked dependency) on
                        the published warehouse, read-only, with the ``bw`` macros;
                        ``bellwether sql --state N ...`` on published state N while it is kept.
``bellwether states``   the published states that can still be opened, and their files.
``bellwether publish``  publish the writer's file now (after runs made outside Dagster).
``bellwether factcheck`` check every figure of a market recap against the warehouse.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from bellwether import settings


def _summary_lines(wh) -> list[str]:
    from bellwether.sqlfiles import load_sql

    with wh.connect(read_only=True) as con:
        rows = con.sql(load_sql("catalog/table_summary")).fetchall()
        runs = con.sql(load_sql("catalog/latest_ingest_runs")).fetchall()
    from bellwether.publish import current_state

    state = current_state(wh.path)
    lines = [
        f"published warehouse {wh.path}: "
        + (
            f"{state.label()}, published {state.published_at:%Y-%m-%d %H:%M:%S %Z}"
            if state
            else "not a published state"
        ),
        "",
        f"{'table':32} {'rows':>10}  {'sessions':>8}  first       last",
    ]
    for table, n, sessions, first, last in rows:
        lines.append(f"{table:32} {n:>10,}  {sessions:>8}  {first or '-'!s:10}  {last or '-'}")
    with wh.connect(read_only=True) as con:
        quality = con.sql(load_sql("catalog/quality_summary")).fetchall()[0]
    sessions, errors, warnings_only, failing = quality
    lines.append("")
    lines.append(
        f"quality: {sessions} sessions checked, {errors} with blocking failures (withheld from marts), "
        f"{warnings_only} with warnings only; failing: {failing or 'none'}"
    )
    lines.append("  which sessions failed which check, and why: sql/queries/failed_checks.sql")
    lines.append("")
    lines.append("latest landings:")
    for source, first, last, received, requested, landed, rejected, failed, status in runs:
        lines.append(
            f"  {status:9} {source:8} {first}..{last}: {landed:,} bars for {received}/{requested} symbols, "
            f"{rejected} rejected" + (f", failed: {', '.join(failed)}" if failed else "")
        )
    return lines


def last_complete_session(summary: list[tuple]) -> date | None:
    """The latest session every mart has rows for (rows of ``catalog/table_summary``): the
    session whose brief has data in every section (the bundled sample's last sessions
    have index bars but no sector or breadth data)."""
    lasts = [row[4] for row in summary if str(row[0]).startswith("marts.")]
    if not lasts or any(last is None for last in lasts):
        return None
    return min(lasts)


def _demo_brief(job, instance, session: str) -> tuple[bool, Path]:
    """Materialize the brief of ``session`` (one run, progress printed); its HTML path."""
    from orchestration.dagster_progress import run_with_progress

    run = run_with_progress(job, instance, 1, partition_key=session)
    return run.success, settings.reports_dir() / f"{session}.html"


def cmd_demo(args: argparse.Namespace) -> int:
    import dagster as dg

    from bellwether.calendar import SessionRangeError, sessions_in_range
    from bellwether.sqlfiles import load_sql
    from bellwether.warehouse import Warehouse
    from orchestration.dagster_progress import run_with_progress
    from orchestration.dagster_storage import enable_event_batching
    from orchestration.definitions import defs
    from orchestration.schedules import RANGE_END_TAG, RANGE_START_TAG

    try:  # a reversed or absurd range is refused before Dagster plans a run for it
        sessions = sessions_in_range(args.start, args.end)
    except SessionRangeError as exc:
        print(f"bellwether demo: {exc}", file=sys.stderr)
        return 2
    enable_event_batching()  # a range's events in batches (orchestration/dagster_storage.py)
    first, last = sessions[0].isoformat(), sessions[-1].isoformat()
    print(
        f"Bellwether demo: landing {first}..{last} ({len(sessions)} sessions) from the bundled "
        f"sample ({settings.SAMPLE_DIR})"
    )
    print(
        f"writer's file: {settings.warehouse_path()}   published: {settings.published_path()}   "
        f"dagster instance: {dg.DagsterInstance.get().root_directory}"
    )
    print("Dagster's own logs are in the instance: make ui, then the run's page.", flush=True)
    job = defs.resolve_job_def("bellwether_warehouse")
    with dg.DagsterInstance.get() as instance:
        result = run_with_progress(
            job, instance, len(sessions),
            tags={
                RANGE_START_TAG: first,
                RANGE_END_TAG: last,
                "bellwether/trigger": "demo",
            },
        )  # fmt: skip
    published = Warehouse(settings.published_path())
    briefs: list[tuple[str, str, bool, Path]] = []
    if result.success:
        with published.connect(read_only=True) as con:
            complete = last_complete_session(con.sql(load_sql("catalog/table_summary")).fetchall())
        brief_job = defs.resolve_job_def("bellwether_daily").get_subset(
            asset_selection={dg.AssetKey(["reports", "market_brief"])}
        )
        wanted = [("the last session", last)]
        if complete is not None and complete.isoformat() != last:
            wanted.append(("the last session with data in every section", complete.isoformat()))
        with dg.DagsterInstance.get() as instance:
            for label, session in wanted:
                print(f"market brief of {label}, {session}:", flush=True)
                ok, html = _demo_brief(brief_job, instance, session)
                briefs.append((label, session, ok, html))
    print()
    print("\n".join(_summary_lines(published)))
    print()
    print("Query it (runs never wait for you, you never wait for runs): make sql, or")
    print(
        f"  .venv/bin/python -c \"import duckdb; con = duckdb.connect('{settings.published_path()}', read_only=True);"
    )
    print("  print(con.sql('SELECT * FROM marts.streaks ORDER BY session_date DESC LIMIT 5'))\"")
    print("Browse it in the UI: make ui  (http://127.0.0.1:3000)")
    if briefs:
        print()
        for label, session, ok, html in briefs:
            state = f"{html} (and .md, .json)" if ok else "FAILED (see the run in the UI)"
            print(f"market brief of {label} ({session}): {state}")
        label, session, ok, html = briefs[-1]
        md = html.with_suffix(".md")
        if ok and md.exists():
            print()
            print(md.read_text().rstrip())
    return 0 if result.success and all(ok for *_, ok, _ in briefs) else 1


def cmd_brief(args: argparse.Namespace) -> int:
    from bellwether.brief.build import build_brief
    from bellwether.universe import default_universe
    from bellwether.warehouse import Warehouse

    brief, paths = build_brief(
        Warehouse(settings.published_path()), args.date, default_universe(), args.out
    )
    print(f"market brief for {brief.session} ({brief.status}, {len(brief.figures)} figures):")
    for kind, path in paths.items():
        print(f"  {kind:4} {path}")
    return 0 if brief.status != "missing" else 1


def cmd_status(args: argparse.Namespace) -> int:
    from bellwether.warehouse import Warehouse

    print("\n".join(_summary_lines(Warehouse(settings.published_path()))))
    return 0


def duckdb_cli() -> Path:
    """The DuckDB CLI installed with the project (PyPI ``duckdb-cli``, locked in uv.lock)."""
    import shutil

    here = Path(sys.executable).parent / "duckdb"
    found = here if here.exists() else shutil.which("duckdb")
    if not found:
        raise FileNotFoundError("the DuckDB CLI is not installed: run `make install`")
    return Path(found)


SQL_USAGE = """usage: bellwether sql [--state N] [DuckDB CLI arguments ...]

The DuckDB CLI (locked in uv.lock) on the published warehouse {path}, read-only, with the
bw macros; every argument after `sql` goes to the DuckDB CLI as it is (for example
-c "SELECT ...", -csv), and `.venv/bin/duckdb -help` lists them. --state N opens the kept
published state N instead (`bellwether states` lists them)."""


def cmd_sql(args: argparse.Namespace) -> int:
    import os

    published = settings.published_path()
    if list(args.args)[:1] in (["-h"], ["--help"]):  # ours, whether or not a file exists yet
        print(SQL_USAGE.format(path=published))
        return 0
    if not published.exists():
        print(
            f"bellwether sql: {published} does not exist yet; run `make demo` first",
            file=sys.stderr,
        )
        return 1
    rest = list(args.args)
    if rest[:1] == ["--state"]:  # a kept published state (the one a brief names)
        from bellwether.publish import StateNotKept, kept_state_path

        try:
            published = kept_state_path(int(rest[1]), published)
        except (StateNotKept, IndexError, ValueError) as exc:
            print(f"bellwether sql --state: {exc}", file=sys.stderr)
            return 1
        rest = rest[2:]
    argv = [str(duckdb_cli()), "-readonly", str(published), *rest]
    os.execv(argv[0], argv)  # the shell replaces this process (Ctrl-D or .quit leaves)
    return 0  # pragma: no cover


def cmd_states(args: argparse.Namespace) -> int:
    from bellwether.publish import kept_states

    kept = kept_states()
    if not kept:
        print(f"no published state kept beside {settings.published_path()}")
    for state in kept:
        print(f"{state.label()}, published {state.published_at:%Y-%m-%d %H:%M:%S %Z}: {state.path}")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from bellwether.publish import publish
    from bellwether.warehouse import Warehouse

    state = publish(Warehouse(settings.warehouse_path()), args.run_id, [], full=args.full)
    print(f"published {state.label()} to {state.path} by {state.method} in {state.seconds} s")
    return 0


def cmd_compact(args: argparse.Namespace) -> int:
    from bellwether.compaction import compact, layout_table
    from bellwether.publish import publish
    from bellwether.warehouse import Warehouse

    wh = Warehouse(settings.warehouse_path())
    if not wh.path.exists():
        print(f"bellwether compact: no warehouse at {wh.path} yet", file=sys.stderr)
        return 2
    threshold = float("inf") if args.dry_run else args.threshold
    try:
        found, done = compact(
            wh, args.run_id, threshold=threshold, force=args.force and not args.dry_run,
            tables=args.table or None,
        )  # fmt: skip
    except ValueError as exc:
        print(f"bellwether compact: {exc}", file=sys.stderr)
        return 2
    print(layout_table(found, done))
    print(f"compacted {len(done)} of {len(found)} session tables")
    if done and not args.no_publish:
        state = publish(wh, args.run_id, [])
        print(f"published {state.label()} to {state.path} by {state.method} in {state.seconds} s")
    return 0


def cmd_factcheck(args: argparse.Namespace) -> int:
    from bellwether.factcheck.command import run

    return run(args)


def main(argv: list[str] | None = None) -> int:
    import orchestration.quiet  # noqa: F401  (the warnings nobody can act on, filtered once)

    parser = argparse.ArgumentParser(
        prog="bellwether", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo", help="run the main job over the bundled sessions (one Dagster run)"
    )
    demo.add_argument(
        "--start", default="2024-01-02", type=lambda s: date.fromisoformat(s).isoformat()
    )
    demo.add_argument(
        "--end", default="2026-06-29", type=lambda s: date.fromisoformat(s).isoformat()
    )
    demo.set_defaults(func=cmd_demo)
    brief = sub.add_parser("brief", help="write the market brief of a session (md, html, json)")
    brief.add_argument(
        "--date",
        required=True,
        type=date.fromisoformat,
        help="a session (or the day after which the last session is taken)",
    )
    brief.add_argument(
        "--out", type=Path, default=settings.reports_dir(), help="output folder (default reports/)"
    )
    brief.set_defaults(func=cmd_brief)
    status = sub.add_parser("status", help="row counts and the latest landings")
    status.set_defaults(func=cmd_status)
    from bellwether.factcheck.command import add_arguments as factcheck_arguments

    factcheck = sub.add_parser(
        "factcheck", help="check a market recap's figures (table, --json, --html)"
    )
    factcheck_arguments(factcheck)
    factcheck.set_defaults(func=cmd_factcheck)
    sql = sub.add_parser(
        "sql", help="DuckDB shell on the published warehouse (read-only, bw macros loaded)"
    )
    sql.add_argument(
        "args", nargs=argparse.REMAINDER, help="passed to the DuckDB CLI (e.g. -c 'SELECT 1')"
    )
    sql.set_defaults(func=cmd_sql)
    states = sub.add_parser("states", help="the published states that can still be opened")
    states.set_defaults(func=cmd_states)
    pub = sub.add_parser("publish", help="publish the writer's file now")
    pub.add_argument("--full", action="store_true", help="copy everything, not the changes")
    pub.add_argument("--run-id", default=None, help="run to record with the state")
    pub.set_defaults(func=cmd_publish)
    from bellwether.compaction import COMPACT_AT

    comp = sub.add_parser(
        "compact",
        help="rewrite in session order the tables whose one-session reads scan too many "
        "row groups, then publish (bellwether.compaction)",
    )
    comp.add_argument(
        "--threshold", type=float, default=COMPACT_AT,
        help=f"scan factor from which a table is compacted (default {COMPACT_AT})",
    )  # fmt: skip
    comp.add_argument("--force", action="store_true", help="compact every table measured")
    comp.add_argument("--dry-run", action="store_true", help="measure only")
    comp.add_argument(
        "--table", action="append", help="schema.table (repeatable; default every session table)"
    )
    comp.add_argument("--no-publish", action="store_true", help="do not publish afterwards")
    comp.add_argument("--run-id", default=None, help="run to record with the compactions")
    comp.set_defaults(func=cmd_compact)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sql"]:  # everything after `sql` goes to the DuckDB CLI as it is
        return cmd_sql(argparse.Namespace(args=argv[1:]))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
