"""Bellwether: a scheduled ETL warehouse for US equity market internals.

The core package holds everything that is not Dagster wiring: settings, the instrument
universe, the NYSE session calendar, bar validation, data sources, the DuckDB warehouse
and the landing logic. Dagster assets live in the top-level ``assets`` package, asset
checks in ``checks``, and the Definitions object in :mod:`orchestration.definitions`.
"""

__version__ = "0.1.0"
