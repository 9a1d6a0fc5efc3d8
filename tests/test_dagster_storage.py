"""The project's Dagster storage gives a pool's slot to one claimant at a time.

Two runs started together (a backfill and a double-fired schedule) can both have their
``duckdb_writer`` step assigned the pool's one slot; both then claim it at once. Dagster
1.13's SQLite storage selects the free slot and updates it by id in two statements, so both
claims are granted (``bench/dagster_slot_race.py`` shows it); the project's storage claims
in one statement that requires the slot still free. The interleaving is made deterministic:
each claimant waits before its slot update until the other has reached its own.
"""

from __future__ import annotations

from bench.dagster_slot_race import POOL, RUNS, STEP, claims_at_once
from orchestration.dagster_storage import BatchingSqliteEventLogStorage


def test_two_claims_reaching_the_one_free_slot_together_grant_it_once(tmp_path):
    granted, held = claims_at_once("project", str(tmp_path))
    assert sorted(granted) == [False, True]
    assert held == 1


def test_the_refused_claimant_gets_the_slot_once_the_holder_frees_it(tmp_path):
    granted, _ = claims_at_once("project", str(tmp_path))
    holder, waiter = (RUNS[0], RUNS[1]) if granted[0] else (RUNS[1], RUNS[0])
    st = BatchingSqliteEventLogStorage(str(tmp_path))
    assert not st.claim_concurrency_slot(POOL, waiter, STEP).is_claimed  # still held
    st.free_concurrency_slot_for_step(holder, STEP)
    assert st.claim_concurrency_slot(POOL, waiter, STEP).is_claimed
    info = st.get_concurrency_info(POOL)
    assert info.slot_count == 1
    assert [(s.run_id, s.step_key) for s in info.claimed_slots] == [(waiter, STEP)]
