"""Dagster asset checks (data-quality gates on every daily partition)."""
