"""``bellwether factcheck RECAP.md [--date D] [--json] [--html PATH]``."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from bellwether import settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("recap", type=Path, help="the recap, text or Markdown ('-' reads stdin)")
    parser.add_argument(
        "--date",
        type=date.fromisoformat,
        default=None,
        help="the recap's session (default: the first date with a year in the text)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--markdown", action="store_true", help="print the verdict table as Markdown"
    )
    parser.add_argument("--html", type=Path, default=None, help="also write an HTML report here")


def run(args: argparse.Namespace) -> int:
    from bellwether.factcheck.api import RecapDateError, factcheck
    from bellwether.factcheck.render import to_html, to_json, to_markdown, to_table
    from bellwether.universe import default_universe
    from bellwether.warehouse import Warehouse

    try:
        text = (
            sys.stdin.read() if str(args.recap) == "-" else args.recap.read_text(encoding="utf-8")
        )
    except OSError as exc:
        print(f"bellwether factcheck: cannot read {args.recap}: {exc}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:
        print(
            f"bellwether factcheck: {args.recap} is not UTF-8 text ({exc.reason} at byte "
            f"{exc.start}); save the recap as UTF-8 text or Markdown",
            file=sys.stderr,
        )
        return 2
    try:
        report = factcheck(
            Warehouse(settings.published_path()), text, args.date, default_universe()
        )
    except (RecapDateError, FileNotFoundError) as exc:
        print(f"bellwether factcheck: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(to_json(report))
    else:
        print(to_markdown(report) if args.markdown else to_table(report), end="")
    if args.html is not None:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(to_html(report, title=args.recap.name))
        if not args.json:
            print(f"HTML report: {args.html}")
    return 0
