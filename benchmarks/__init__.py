"""The project's benchmark: `python -m benchmarks` (docs/performance.md)."""

from pathlib import Path

# The bundled sample exports the benchmarks copy: they run from a checkout, beside its data/ folder.
SAMPLE_DATA = Path(__file__).resolve().parents[1] / "data" / "raw"
