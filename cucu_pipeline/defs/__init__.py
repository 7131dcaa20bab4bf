"""Only what Dagster registers: assets, checks, resources binding, partitions, schedules, columns and metadata.

The Preview and Beta APIs this project uses on purpose are acknowledged here, once, before any of them is built: each
filter matches one API's own message, so any other Preview, Beta or deprecation warning still shows.
"""

import warnings

import dagster as dg

CHOSEN_PREVIEW_APIS = {
    # A check result per campaign date (defs/checks.py): Dagster 1.13 keeps partitioned checks in Preview, hence the
    # exact pin of dagster in pyproject.toml. https://docs.dagster.io/guides/test/asset-checks
    dg.PreviewWarning: r"Specifying a partitions_def on an AssetCheckSpec",
    # The weekly read pools 28 stored dates, the first ones before the partitions begin (defs/experiments.py).
    dg.BetaWarning: r"Parameter `allow_nonexistent_upstream_partitions` of initializer `TimeWindowPartitionMapping",
}
for category, message in CHOSEN_PREVIEW_APIS.items():
    warnings.filterwarnings("ignore", message=message, category=category)
