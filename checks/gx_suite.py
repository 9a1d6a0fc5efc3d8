"""The declarative expectation suite for ``raw/daily_bars`` in Great Expectations (GX Core 1.x).

GX is used directly (``dagster-ge`` requires GX < 1). It has no polars source, so the
session range is handed over as a pandas frame via Arrow (``Int64`` volume kept nullable
integer, dates kept as dates). The context, datasource, batch definition and suite are
created once per process (GX costs seconds to import), and the whole range is validated
in ONE validation (about 10 ms per expectation whatever the row count); failing rows are
named by ``(ticker, session_date)`` and split per session here.

The price expectations are built from :data:`bellwether.bars.PRICE_RULES`, the rules
landing rejects by, so both judge the same rules. The OHLC rules carry a relative
tolerance that no built-in expectation has, so the derived slack columns of
:data:`bellwether.bars.SLACKS` are validated instead (``low_slack = min(open, close) *
(1 + 1e-6) - low``, ``high_slack = high - max(open, close) * (1 - 1e-6)``, ``range_slack =
high * (1 + 1e-6) - low``, each >= 0).

Checks produced (per session):

* ``gx_schema`` (error, session): the column list and types are exactly the table's;
* ``gx_unique_key`` (error, session): ``(ticker, session_date)`` is unique;
* ``gx_price_sanity`` (error, row): ``ticker`` and ``session_date`` present, and every
  rule of :data:`~bellwether.bars.PRICE_RULES`: prices present and > 0, OHLC ordering
  within tolerance, volume >= 0 (null allowed where the source publishes none).

The validation result is stored and rendered into Data Docs HTML under
``data/gx_docs`` (``BELLWETHER_GX_DOCS``); :func:`validate_bars` returns the page's path.
"""

from __future__ import annotations

import threading
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from bellwether import settings
from bellwether.bars import PRICE_RULES, SLACKS, with_slacks
from checks.results import Outcome, name_rows

SUITE_NAME = "raw_daily_bars"
SITE_NAME = "bellwether"
COLUMNS = ["ticker", "session_date", "open", "high", "low", "close", "adj_close", "volume"]
DERIVED = list(SLACKS)
KEY = ["ticker", "session_date"]
PRICE_SANITY = "gx_price_sanity"
SCHEMA = "gx_schema"
UNIQUE = "gx_unique_key"


def docs_dir() -> Path:
    """Where Data Docs HTML is written: ``$BELLWETHER_GX_DOCS`` or ``data/gx_docs``."""
    return settings.gx_docs_dir()


def _suite(gx, gxe):
    return gx.ExpectationSuite(
        name=SUITE_NAME,
        expectations=[
            gxe.ExpectTableColumnsToMatchOrderedList(
                column_list=COLUMNS + DERIVED, meta={"check": SCHEMA}
            ),
            gxe.ExpectColumnValuesToBeOfType(
                column="session_date", type_="date", meta={"check": SCHEMA}
            ),
            *[
                gxe.ExpectColumnTypeToBe(column=c, type_="float64", meta={"check": SCHEMA})
                for c in COLUMNS[2:7]
            ],
            gxe.ExpectColumnTypeToBe(column="volume", type_="Int64", meta={"check": SCHEMA}),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=KEY, meta={"check": UNIQUE}),
            *[
                gxe.ExpectColumnValuesToNotBeNull(column=c, meta={"check": PRICE_SANITY})
                for c in [*KEY, *(r.column for r in PRICE_RULES if not r.nullable)]
            ],
            *[
                gxe.ExpectColumnValuesToBeBetween(
                    column=r.column,
                    min_value=0,
                    strict_min=r.strict,
                    meta={"check": PRICE_SANITY, "rule": r.message},
                )
                for r in PRICE_RULES
            ],
        ],
    )


@dataclass
class _GX:
    context: object
    batch_definition: object
    suite: object


#: Held while the GX context is built: the first caller builds it, later ones wait for it.
_GX_LOCK = threading.Lock()
_GX_BUILT: _GX | None = None
# GX's own deprecation notices are not the user's to act on (set once, here: a filter set
# inside the preloading thread would swap the process's filters under the main thread)
warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"great_expectations(\.|$)")


def preload() -> None:
    """Import GX and build its context in a background thread, unless already built.

    Importing GX costs about 5 s of a run on a 2-core machine (it imports scipy, altair,
    every expectation class), once per process; a run starts this before it fetches and
    lands the bars, so the import overlaps the download and the DuckDB writes (which
    release the GIL) instead of adding to the run. :func:`validate_bars` waits for it; if
    the build fails there, :func:`validate_bars` builds again and raises the error."""
    if _GX_BUILT is None and not _GX_LOCK.locked():
        threading.Thread(target=_gx, name="gx-preload", daemon=True).start()


def _gx() -> _GX:
    """The GX context, batch definition and suite: created once per process."""
    global _GX_BUILT
    with _GX_LOCK:
        if _GX_BUILT is None:
            _GX_BUILT = _build_gx()
        return _GX_BUILT


def _build_gx() -> _GX:
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")  # an explicit mode: never a cloud or home config
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    site = {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(docs_dir()),
        },
        # GX's views with their templates compiled once per process (checks/gx_views.py)
        "site_section_builders": {
            "validations": {
                "view": {"module_name": "checks.gx_views", "class_name": "CachedJinjaPageView"}
            }
        },
        "site_index_builder": {
            "class_name": "DefaultSiteIndexBuilder",
            "view": {"module_name": "checks.gx_views", "class_name": "CachedJinjaIndexPageView"},
        },
    }
    context.add_data_docs_site(SITE_NAME, site)
    if "local_site" in context.list_data_docs_sites():
        context.delete_data_docs_site("local_site")
    source = context.data_sources.add_or_update_pandas("bellwether")
    batch_definition = source.add_dataframe_asset(
        "raw_daily_bars"
    ).add_batch_definition_whole_dataframe("range")
    suite = context.suites.add_or_update(_suite(gx, gxe))
    return _GX(context, batch_definition, suite)


def to_validation_frame(bars: pl.DataFrame):
    """polars -> Arrow -> pandas, with the derived OHLC slack columns."""
    import pandas as pd
    import pyarrow as pa

    if {"open", "high", "low", "close"} <= set(bars.columns):
        bars = with_slacks(bars)
    return bars.to_arrow().to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)


@dataclass
class GXValidation:
    """Per-session outcomes of one GX validation, and its Data Docs page."""

    outcomes: list[Outcome]
    success: bool
    docs_page: str | None


def _describe(r) -> str:
    k = r.expectation_config.kwargs
    target = k.get("column") or ",".join(k.get("column_list") or [])
    return f"{r.expectation_config.type}({target})"


def validate_bars(
    bars: pl.DataFrame,
    sessions: Sequence[date],
    *,
    run_name: str = "bellwether",
    publish: bool = True,
) -> GXValidation:
    """Validate ``bars`` (the session range of ``raw.daily_bars``) against the suite."""
    g = _gx()
    frame = to_validation_frame(bars.select([c for c in COLUMNS if c in bars.columns]))
    batch = g.batch_definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(
        g.suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": KEY}
    )
    table_level: dict[str, list[str]] = defaultdict(list)
    row_level: dict[str, dict[date, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in result.results:
        check = (r.expectation_config.meta or {}).get("check", SCHEMA)
        if r.success:
            continue
        rows = (r.result or {}).get("unexpected_index_list")
        if rows:
            for row in rows:
                d = row["session_date"]
                d = d.date() if isinstance(d, datetime) else d
                row_level[check][d].append(f"{row['ticker']} ({_describe(r)})")
        else:
            observed = (r.result or {}).get("observed_value")
            table_level[check].append(f"{_describe(r)} observed {observed!r}")
    outcomes = []
    for s in sessions:
        for check, scope in ((SCHEMA, "session"), (UNIQUE, "session"), (PRICE_SANITY, "row")):
            problems = table_level.get(check, []) + row_level.get(check, {}).get(s, [])
            tickers = sorted({p.split(" ", 1)[0] for p in row_level.get(check, {}).get(s, [])})
            outcomes.append(
                Outcome(
                    s, check, not problems,
                    "all expectations met" if not problems else f"{len(problems)} failure(s): {name_rows(problems)}",
                    scope=scope, observed=str(len(problems)), expected="0", failing_tickers=tickers,
                )
            )  # fmt: skip
    page = _publish(g, result, run_name) if publish else None
    return GXValidation(outcomes, bool(result.success), page)


def _publish(g: _GX, result, run_name: str) -> str | None:
    """Store the result and render its Data Docs page; returns the page's path."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    vrid = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=SUITE_NAME),
        run_id=RunIdentifier(run_name=run_name, run_time=datetime.now(UTC)),
        batch_identifier=result.batch_id,
    )
    g.context.validation_results_store.set(vrid, result)
    g.context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=[vrid])
    url = g.context.get_docs_sites_urls(resource_identifier=vrid, site_names=[SITE_NAME])[0][
        "site_url"
    ]
    return url.removeprefix("file://") if url else None
