"""The project's benchmark: `python -m benchmarks` (docs/performance.md)."""

from pathlib import Path

# The benchmarks time past dates of the sample as their runs lived them: with the production clock every one is a
# backfill that publishes nothing (docs/operations.md: "Backfills"), and publishing would go untimed.
from cucu_pipeline.defs.resources import REPLAYED

__all__ = ["REPLAYED", "SAMPLE_DATA"]

# The bundled sample exports the benchmarks copy: they run from a checkout, beside its data/ folder.
SAMPLE_DATA = Path(__file__).resolve().parents[1] / "data" / "raw"
