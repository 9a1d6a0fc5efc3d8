"""Dagster assets: thin wiring that loads, calls the pure core, writes and attaches metadata."""
