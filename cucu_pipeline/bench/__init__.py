"""The project's benchmark: `python -m cucu_pipeline.bench` (see README, "Performance")."""
