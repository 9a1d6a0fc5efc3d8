"""Run history: the state that makes "longest since" a lookup of one session.

The streaks mart (``up_streak``/``down_streak``) and the relative-performance mart
(``outperf_streak``/``underperf_streak``) store, per row, the length of the current run of
each *kind*. The questions "when was a run at least this long last seen", "when did this
run start" and "since when is this ticker stored" are answered over the whole stored
history. Two state tables keep those answers incremental:

* **run ends** (:func:`run_ends`): one row per (key, kind, ``run_end``) where ``run_end``
  is a stored row with a run of that kind (length > 0) whose next NYSE session has no
  stored row of the key or a stored row whose length is not one more: the end of a run,
  with ``run_length`` its length there. The last stored row of a key counts as an end
  only once the next session has been built without continuing it.
* **since rows** (:func:`since_rows`): one row per stored row of the mart, with the
  row's *active kind* (the kind whose length is > 0, NULL when none; the kinds of a mart
  exclude each other) and for it, over the stored rows of the key:

  - ``run_start``: the last session on or before this one whose length of that kind is 1;
  - ``longest_since``: the last session before this one whose length of that kind is at
    least ``run_length``, ``longest_since_length`` its length there;
  - ``last_longer_session`` / ``last_longer_length``: the same for a strictly longer
    length;
  - ``history_start``: the key's first stored session (over the whole stored history).

The last session with length >= L before D is always a run end (a row whose next
session continues the run has a later row with a larger length, before D unless D itself
continues it, which would make D's length larger than L), so the since columns need only
the run ends before the first computed session (``seed_ends``: for each key, kind and
length, the last session it ended a run) plus the rows computed.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from bellwether.calendar import sessions_between

RUN_END_COLUMNS = ["kind", "run_end", "run_length"]
SINCE_COLUMNS = [
    "history_start",
    "kind",
    "run_length",
    "run_start",
    "longest_since",
    "longest_since_length",
    "last_longer_session",
    "last_longer_length",
]


def _with_session_idx(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` with ``_idx``, the calendar ordinal of ``session_date``, over a calendar
    that reaches one session past the last row."""
    first, last = rows["session_date"].min(), rows["session_date"].max()
    sessions = sessions_between(first, last + timedelta(days=10))
    cal = pl.DataFrame(
        {"session_date": sessions, "_idx": range(len(sessions))},
        schema={"session_date": pl.Date, "_idx": pl.Int64},
    )
    placed = rows.join(cal, on="session_date", how="left")
    if placed["_idx"].null_count():
        raise ValueError("rows on sessions outside the calendar given")
    return placed


def active_kind(rows: pl.DataFrame, kinds: dict[str, str]) -> pl.Expr:
    """The kind whose length column is > 0 (NULL when none)."""
    expr = pl.lit(None, dtype=pl.String)
    for kind, col in reversed(kinds.items()):
        expr = pl.when(pl.col(col) > 0).then(pl.lit(kind)).otherwise(expr)
    return expr


def run_ends(rows: pl.DataFrame, by: list[str], kinds: dict[str, str]) -> pl.DataFrame:
    """The run ends among ``rows`` (``by``, ``session_date`` and one length column per
    kind, ``kinds``: kind -> column), judged on the rows given: a row with a length > 0
    whose next NYSE session has no row in ``rows`` or a row whose length is not one more.
    (So the last row given of a key with a run is an end: pass the rows up to the session
    after the last row whose status is wanted.) Output: ``by``, ``kind``, ``run_end``,
    ``run_length``."""
    schema = {
        **{c: rows.schema[c] for c in by},
        "kind": pl.String,
        "run_end": pl.Date,
        "run_length": pl.Int32,
    }
    if rows.is_empty():
        return pl.DataFrame(schema=schema)
    placed = _with_session_idx(rows).sort([*by, "_idx"])
    nxt = pl.col("_idx").shift(-1).over(by)
    out = []
    for kind, col in kinds.items():
        follows = (nxt == pl.col("_idx") + 1) & (pl.col(col).shift(-1).over(by) == pl.col(col) + 1)
        is_end = (pl.col(col) > 0) & ~follows.fill_null(False)
        out.append(
            placed.filter(is_end).select(
                *by,
                pl.lit(kind).alias("kind"),
                pl.col("session_date").alias("run_end"),
                pl.col(col).cast(pl.Int32).alias("run_length"),
            )
        )
    return pl.concat(out).cast(schema).sort([*by, "kind", "run_end"])  # type: ignore[arg-type]


def last_end_per_length(ends: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """For each key, kind and length, the last session a run of that length ended."""
    return ends.group_by([*by, "kind", "run_length"]).agg(pl.col("run_end").max())


def asked_lengths(rows: pl.DataFrame, by: list[str], kinds: dict[str, str]) -> pl.DataFrame:
    """Per key and kind, the longest run length :func:`since_rows` asks the earlier run ends
    about for ``rows``: one more than the longest run of that kind in them (its
    ``last_longer`` question). ``by``, ``kind``, ``needed``; a key and kind without a run
    in ``rows`` asks nothing and has no row."""
    schema = {**{c: pl.String for c in by}, "kind": pl.String, "needed": pl.Int32}
    parts = [
        rows.filter(pl.col(col) > 0)
        .group_by(by)
        .agg((pl.col(col).max().cast(pl.Int32) + 1).alias("needed"))
        .select(*by, pl.lit(kind).alias("kind"), "needed")
        .cast(schema)  # type: ignore[arg-type]
        for kind, col in kinds.items()
    ]
    return pl.concat([pl.DataFrame(schema=schema), *parts])


def beyond_recent(recent_ends: pl.DataFrame, needs: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """The keys and kinds of ``needs`` (:func:`asked_lengths`) that ask about a run longer
    than their longest recent run (``recent_ends``: ``by``, ``kind``, ``run_length``,
    ``run_end``), with that ``longest`` (0 when they have no recent run): only they can
    need an older run end (the last run at least L long is a recent one whenever a recent
    run is), and only one longer than ``longest``. ``by``, ``kind``, ``longest``."""
    reach = recent_ends.group_by([*by, "kind"]).agg(
        pl.col("run_length").max().cast(pl.Int32).alias("longest")
    )
    return (
        needs.join(reach, on=[*by, "kind"], how="left")
        .with_columns(pl.col("longest").fill_null(0))
        .filter(pl.col("needed") > pl.col("longest"))
        .select(*by, "kind", "longest")
    )


def since_rows(
    rows: pl.DataFrame,
    by: list[str],
    kinds: dict[str, str],
    ends: pl.DataFrame,
    seed_run_start: pl.DataFrame | None = None,
    seed_history_start: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The since columns (module doc) for every row of ``rows``.

    ``rows``: ``by``, ``session_date`` and the kinds' length columns, every stored row of
    each key from the first one to compute (earlier rows are summarised by the seeds);
    ``ends``: ``by``, ``kind``, ``run_end``, ``run_length``: the ends among ``rows`` and,
    before the first row, at least the last end per (key, kind, length)
    (:func:`last_end_per_length`); each row looks only at the ends before it; ``seed_run_start``: ``by``, ``kind``,
    ``run_start`` — the last session before the first row with length 1 of that kind,
    for runs that continue into ``rows``; ``seed_history_start``: ``by``,
    ``history_start`` for keys stored before the first row (otherwise a key's first row).
    Output: ``by``, ``session_date`` and :data:`SINCE_COLUMNS`.
    """
    length = pl.lit(None, dtype=pl.Int32)
    for col in reversed(list(kinds.values())):
        length = pl.when(pl.col(col) > 0).then(pl.col(col).cast(pl.Int32)).otherwise(length)
    base = rows.sort([*by, "session_date"]).with_columns(
        active_kind(rows, kinds).alias("kind"), length.alias("run_length")
    )
    both = sum(((pl.col(c) > 0).cast(pl.Int32) for c in kinds.values()), pl.lit(0))
    if base.filter(both > 1).height:
        raise ValueError(f"rows with more than one active kind of {sorted(kinds)}")

    # history_start: the seed, else the key's first row here
    first_here = base.group_by(by).agg(pl.col("session_date").min().alias("_first"))
    if seed_history_start is not None and seed_history_start.height:
        first_here = (
            first_here.join(seed_history_start, on=by, how="left")
            .with_columns(pl.min_horizontal("history_start", "_first").alias("_first"))
            .drop("history_start")
        )
    base = base.join(first_here.rename({"_first": "history_start"}), on=by, how="left")

    # run_start: last session with length 1 of the active kind, on or before the row
    starts = []
    for kind, col in kinds.items():
        one = pl.when(pl.col(col) == 1).then(pl.col("session_date"))
        starts.append(one.forward_fill().over(by).alias(f"_start_{kind}"))
    base = base.with_columns(starts)
    if seed_run_start is not None and seed_run_start.height:
        for kind in kinds:
            seed = seed_run_start.filter(pl.col("kind") == kind).select(
                *by, pl.col("run_start").alias(f"_seed_{kind}")
            )
            base = (
                base.join(seed, on=by, how="left")
                .with_columns(pl.col(f"_start_{kind}").fill_null(pl.col(f"_seed_{kind}")))
                .drop(f"_seed_{kind}")
            )
    run_start = pl.lit(None, dtype=pl.Date)
    for kind in reversed(list(kinds)):
        run_start = (
            pl.when(pl.col("kind") == kind).then(pl.col(f"_start_{kind}")).otherwise(run_start)
        )
    base = base.with_columns(run_start.alias("run_start")).drop([f"_start_{k}" for k in kinds])

    # longest_since / last_longer: the last end before the row with length >= L (> L)
    ends = ends.sort("run_end")
    answers = []
    active = base.filter(pl.col("kind").is_not_null()).select(
        *by, "session_date", "kind", "run_length"
    )
    for threshold in sorted(set(active["run_length"].to_list())):
        asked = active.filter(pl.col("run_length") == threshold).sort("session_date")
        found = {}
        for name, at_least in (("longest_since", threshold), ("last_longer", threshold + 1)):
            candidates = ends.filter(pl.col("run_length") >= at_least).select(
                *by,
                "kind",
                pl.col("run_end").alias(name),
                pl.col("run_end").alias("_on"),
                pl.col("run_length").alias(f"{name}_length"),
            )
            found[name] = asked.join_asof(
                candidates.sort("_on"),
                left_on="session_date",
                right_on="_on",
                by=[*by, "kind"],
                strategy="backward",
                allow_exact_matches=False,
                check_sortedness=False,
            ).drop("_on")
        answers.append(
            found["longest_since"].join(
                found["last_longer"].select(
                    *by, "session_date", "last_longer", "last_longer_length"
                ),
                on=[*by, "session_date"],
                how="left",
            )
        )
    schema = {
        "longest_since": pl.Date,
        "longest_since_length": pl.Int32,
        "last_longer": pl.Date,
        "last_longer_length": pl.Int32,
    }
    if answers:
        found_all = pl.concat(answers).select(*by, "session_date", *schema).cast(schema)  # type: ignore[arg-type]
    else:
        found_all = pl.DataFrame(
            schema={**{c: base.schema[c] for c in by}, "session_date": pl.Date, **schema}
        )
    return (
        base.join(found_all, on=[*by, "session_date"], how="left")
        .rename({"last_longer": "last_longer_session"})
        .select(*by, "session_date", *SINCE_COLUMNS)
        .sort([*by, "session_date"])
    )
