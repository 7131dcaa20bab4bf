"""Only what Dagster registers: assets, checks, resources binding, partitions, schedules, columns and metadata."""
