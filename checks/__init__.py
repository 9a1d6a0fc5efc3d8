"""Data-quality gates: pure check functions, the Great Expectations suite, storage and the gate.

Every check yields one row per (session, asset, check) in the frame format of
:data:`checks.results.RESULT_SCHEMA`; rows are stored in ``dq.check_results``.
Definitions and thresholds: ``docs/QUALITY.md``.
"""
