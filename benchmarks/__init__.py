"""Benchmarks: each module has ``run(quick) -> list[Figure]``; ``python -m benchmarks`` runs all."""
