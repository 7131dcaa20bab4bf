"""The project's benchmark: `python -m cucu_pipeline.bench` (docs/performance.md)."""
