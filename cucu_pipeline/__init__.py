"""Cuculi's daily SMS campaign pipeline; Dagster loads `cucu_pipeline.definitions:defs`."""

import gc

# Validating, building and unpickling 100k-row tables allocates millions of dicts and lists; at the default threshold
# (700) the cyclic collector walks the whole heap hundreds of times a run. These tables make no reference cycles worth
# collecting early: young collections every 50,000 allocations took raw -> enriched from 19 s to 15 s at 100k members.
# Set on the package's first import, so loading Dagster, pandas and the definitions runs at them too.
GC_THRESHOLDS = (50_000, 20, 100)
gc.set_threshold(*GC_THRESHOLDS)
