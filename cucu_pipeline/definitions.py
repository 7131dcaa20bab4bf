"""The one entry point Dagster loads: `cucu_pipeline.definitions:defs`."""

from __future__ import annotations

import gc
import os
from collections.abc import Mapping

import dagster as dg
import pandas as pd

from cucu_pipeline.defs import campaign, experiments, profiles, sources
from cucu_pipeline.defs.alerts import (
    campaign_checks_failed,
    campaign_run_failed,
    deadline_sensor,
    published_by_deadline,
)
from cucu_pipeline.defs.drift import DRIFT_CHECKS
from cucu_pipeline.defs.resources import MissingConfiguration, build_resources
from cucu_pipeline.defs.schedules import build_daily_schedule, daily_campaign_job

# Text columns are held in Arrow (pandas 3's `str` dtype on pyarrow): loading a stored value no longer converts
# every string to a Python object, and a million members' text fits in far less memory (docs/performance.md).
pd.set_option("mode.string_storage", "pyarrow")


def build_assets(environ: Mapping[str, str] = os.environ) -> list[dg.AssetsDefinition]:
    return [*sources.mongo_assets(environ), *dg.load_assets_from_modules([sources, profiles, campaign, experiments])]


def build_executor(environ: Mapping[str, str] = os.environ) -> dg.ExecutorDefinition:
    """In-process by default: steps are pandas transforms of seconds or less, and one process beats a process per
    step. With `CUCU_CELERY_BROKER` (e.g. `redis://host:6379/0`, also the result backend) every step is a task for
    the Celery workers started with `deploy/celery/celery.yaml`
    (docs/production.md: "When one machine is not enough")."""
    if not environ.get("CUCU_CELERY_BROKER"):
        return dg.in_process_executor
    try:  # imported where used: Celery loads in ~0.3 s, and only this executor needs it
        from dagster_celery import celery_executor
    except ImportError as error:
        install = 'pip install "cucu_pipeline[production]"'
        raise MissingConfiguration(
            f"CUCU_CELERY_BROKER is set but dagster-celery is not installed: {install}"
        ) from error

    broker = {"env": "CUCU_CELERY_BROKER"}  # an environment reference: a password in the URL never shows
    return celery_executor.configured({"broker": broker, "backend": broker}, name="celery_on_broker")


def build_defs(environ: Mapping[str, str] = os.environ) -> dg.Definitions:
    return dg.Definitions(
        assets=build_assets(environ),
        resources=build_resources(environ),
        jobs=[daily_campaign_job],
        asset_checks=[published_by_deadline, *DRIFT_CHECKS],
        schedules=[build_daily_schedule(environ)],
        sensors=[campaign_run_failed, campaign_checks_failed, deadline_sensor(environ)],
        executor=build_executor(environ),
    )


defs = build_defs()
# The graph's assets as loaded, for runs outside the code location (the benchmark, the tests).
ASSETS = list(defs.assets)
# What loading made (modules, classes, the definitions) lives as long as the process: frozen, the collector never
# walks it again, and the interpreter does not at exit, which was a fifth of the load time
# (https://docs.python.org/3/library/gc.html#gc.freeze). A step's parallel map or Holm's correction unfreezes it.
gc.freeze()
