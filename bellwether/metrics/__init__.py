"""Market-internals metrics as pure polars functions (``DataFrame -> DataFrame``).

Every function here takes frames and returns a frame; none touches Dagster or a database.
Definitions (formula, window, price basis, edge cases) are in each docstring and in
``docs/METRICS.md``. Windows count NYSE *sessions*, not rows: a symbol's bars are first
placed on the session calendar (:func:`bellwether.metrics.panel.session_panel`), so "5
sessions ago" is exact even when a bar is missing, and a window that contains a missing
bar is null rather than silently stretched.
"""
