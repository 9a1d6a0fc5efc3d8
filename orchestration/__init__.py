"""The Dagster wiring, in one place: the code location (``definitions``), its resources,
the session partitions, the schedules, the UI metadata, the column schemas shown in the UI,
and the ``bellwether`` command line.

Everything Dagster-specific outside ``assets/`` (the assets) and ``checks/dagster_results``
(the asset checks) lives here; the pure core in ``bellwether/`` imports none of it
(``make test`` checks this with import-linter, ``[tool.importlinter]`` in pyproject.toml).
"""
