"""The single place where resource keys are bound, and where the environment picks production or local clients.

Each outside system is in production mode when its key variable is set (or `CUCU_MODE=production` asks for all of
them), and local otherwise; `CUCU_MODE=local` forces the stand-ins. A production system with a variable missing
stops at start-up with a message naming it. Secrets are passed as `EnvVar`s, so Dagster never displays them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import dagster as dg
from upath import UPath

from cucu_pipeline.clients.airtable import AirtableMessageStore, MessageStore
from cucu_pipeline.clients.airtable_local import LocalMessageStore
from cucu_pipeline.clients.claude import ClaudeWriter, TemplateWriter
from cucu_pipeline.clients.mongo import JsonExportSource, MongoSource
from cucu_pipeline.clients.slack import SLACK_API_URL, LoggedAlerts, SlackAlerts
from cucu_pipeline.core.settings import DEFAULT_BOOKING_URL, CampaignRules
from cucu_pipeline.defs.storage import ParquetStorage, storage_url
from cucu_pipeline.experiments.arms import DEFAULT_EXPERIMENT
from cucu_pipeline.quality.rubric import DEFAULT_THRESHOLD


class MissingConfiguration(RuntimeError):
    pass


class CampaignRulesResource(dg.ConfigurableResource, CampaignRules):
    """The `campaign_rules` resource: the campaign settings, shown with their values in the UI."""


class InstanceBatchLedger:
    """Message Batch ids in the Dagster instance's key-value store (PostgreSQL in production), seen by every run."""

    def __init__(self, instance: dg.DagsterInstance):
        self.instance = instance

    def get(self, key: str) -> str | None:
        return self.instance.run_storage.get_cursor_values({key}).get(key)

    def set(self, key: str, value: str) -> None:
        self.instance.run_storage.set_cursor_values({key: value})


def _production(environ: Mapping[str, str], key_variable: str) -> bool:
    mode = environ.get("CUCU_MODE", "").strip().lower()
    if mode not in ("", "local", "production"):
        raise MissingConfiguration(f"CUCU_MODE must be 'local' or 'production', not {mode!r}")
    return mode == "production" or (mode == "" and bool(environ.get(key_variable)))


def _require(environ: Mapping[str, str], system: str, *names: str) -> None:
    missing = [name for name in names if not environ.get(name)]
    if missing:
        raise MissingConfiguration(f"{system} is in production mode but {', '.join(missing)} is not set")


def data_dir(environ: Mapping[str, str]) -> str:
    return str(Path(environ.get("CUCU_DATA_DIR") or "data").resolve())


DEFAULT_SEND_CLOCK = "now"  # production: a run publishes at the time it runs (docs/operations.md: "Backfills")
# Past dates replayed as they were lived, each publishing on its own morning: the sample's week-after-week tools and
# the benchmarks (with the production clock every past date is a backfill that queues nothing).
REPLAYED = {"CUCU_SEND_CLOCK": "campaign_date"}


def campaign_rules(environ: Mapping[str, str]) -> CampaignRulesResource:
    team = environ.get("CUCU_TEAM_MEMBERS", "")
    return CampaignRulesResource(
        send_hour=int(environ.get("CUCU_SEND_HOUR", 10)),
        cooldown_days=int(environ.get("CUCU_COOLDOWN_DAYS", 7)),
        backoff_factor=float(environ.get("CUCU_BACKOFF_FACTOR", 2)),
        max_cooldown_days=int(environ.get("CUCU_MAX_COOLDOWN_DAYS", 56)),
        reinvite_after_days=int(environ.get("CUCU_REINVITE_AFTER_DAYS", 60)),
        max_texts_per_window=int(environ.get("CUCU_MAX_TEXTS_PER_WINDOW", 4)),
        text_cap_window_days=int(environ.get("CUCU_TEXT_CAP_WINDOW_DAYS", 30)),
        event_horizon_days=int(environ.get("CUCU_EVENT_HORIZON_DAYS", 30)),
        invites_per_seat=float(environ.get("CUCU_INVITES_PER_SEAT", 5)),
        invite_memory_days=int(environ.get("CUCU_INVITE_MEMORY_DAYS", 7)),
        team_members=[member.strip() for member in team.split(",") if member.strip()],
        brand=environ.get("CUCU_BRAND", "Cuculi:"),
        allow_emoji=environ.get("CUCU_ALLOW_EMOJI", "").lower() in ("1", "true", "yes"),
        booking_url=environ.get("CUCU_BOOKING_URL") or DEFAULT_BOOKING_URL,
        sms_segment_usd=float(environ.get("CUCU_SMS_SEGMENT_USD", 0.0083)),
        experiment=environ.get("CUCU_EXPERIMENT") or DEFAULT_EXPERIMENT,
        holdout_percent=float(environ.get("CUCU_HOLDOUT_PERCENT", 10)),
        learning=environ.get("CUCU_LEARNING", "on").strip().lower() not in ("off", "0", "false", "no"),
        learning_floor=float(environ.get("CUCU_LEARNING_FLOOR", 0.1)),
        attribution_days=int(environ.get("CUCU_ATTRIBUTION_DAYS", 7)),
        quality_threshold=float(environ.get("CUCU_QUALITY_THRESHOLD", DEFAULT_THRESHOLD)),
        send_clock=environ.get("CUCU_SEND_CLOCK", DEFAULT_SEND_CLOCK),
        weekly_read_day=environ.get("CUCU_WEEKLY_READ_DAY", "Monday"),
        quality_max_below_share=float(environ.get("CUCU_QUALITY_MAX_BELOW_SHARE", 0.1)),
        quality_max_review_share=float(environ.get("CUCU_QUALITY_MAX_REVIEW_SHARE", 0.2)),
    )


def _message_store(environ: Mapping[str, str], deadlines: dict[str, float]) -> MessageStore:
    """Airtable when `AIRTABLE_API_KEY` is set, mirrored in the asset storage (docs/airtable.md); else the local
    SQLite stand-in."""
    if not _production(environ, "AIRTABLE_API_KEY"):
        return LocalMessageStore(data_dir=data_dir(environ))
    _require(environ, "Airtable", "AIRTABLE_API_KEY", "AIRTABLE_BASE_ID", "AIRTABLE_TABLE")
    return AirtableMessageStore(
        api_key=dg.EnvVar("AIRTABLE_API_KEY"),
        base_id=environ["AIRTABLE_BASE_ID"],
        table_name=environ["AIRTABLE_TABLE"],
        endpoint_url=environ.get("AIRTABLE_ENDPOINT_URL") or "https://api.airtable.com",
        mirror_url=str(UPath(storage_url(environ, data_dir(environ))) / "airtable_mirror"),
        full_sync=environ.get("CUCU_AIRTABLE_FULL_SYNC", "").strip().lower() in ("1", "true", "yes"),
        retention_days=int(environ.get("CUCU_AIRTABLE_RETENTION_DAYS") or 0),
        **deadlines,
    )


def build_resources(
    environ: Mapping[str, str] = os.environ,
) -> dict[str, dg.ConfigurableResource | dg.ConfigurableIOManagerFactory]:
    deadlines = {
        "deadline_seconds": float(environ.get("CUCU_REQUEST_DEADLINE_SECONDS", 60)),
        "retry_after_cap_seconds": float(environ.get("CUCU_RETRY_AFTER_CAP_SECONDS", 60)),
    }
    if _production(environ, "MONGODB_URI"):
        _require(environ, "MongoDB", "MONGODB_URI", "MONGODB_DATABASE")
        mongo = MongoSource(
            uri=dg.EnvVar("MONGODB_URI"),
            database=environ["MONGODB_DATABASE"],
            timeout_ms=int(environ.get("MONGODB_TIMEOUT_MS", 5000)),
            deadline_seconds=deadlines["deadline_seconds"],
        )
    else:
        mongo = JsonExportSource(data_dir=data_dir(environ))
    airtable = _message_store(environ, deadlines)
    if _production(environ, "ANTHROPIC_API_KEY"):
        _require(environ, "Claude", "ANTHROPIC_API_KEY")
        claude = ClaudeWriter(
            api_key=dg.EnvVar("ANTHROPIC_API_KEY"),
            model=environ.get("ANTHROPIC_MODEL") or "claude-sonnet-4-6",
            judge_model=environ.get("CUCU_JUDGE_MODEL") or "claude-haiku-4-5",
            base_url=environ.get("ANTHROPIC_BASE_URL") or None,
            max_concurrency=int(environ.get("CUCU_CLAUDE_CONCURRENCY", 8)),
            batch_above_members=int(environ.get("CUCU_CLAUDE_BATCH_ABOVE", 2000)),
            **deadlines,
        )
    else:
        claude = TemplateWriter()
    if _production(environ, "SLACK_BOT_TOKEN"):
        _require(environ, "Slack", "SLACK_BOT_TOKEN", "CUCU_ALERT_CHANNEL")
        alerts = SlackAlerts(
            token=dg.EnvVar("SLACK_BOT_TOKEN"),
            channel=environ["CUCU_ALERT_CHANNEL"],
            api_url=environ.get("SLACK_API_URL") or SLACK_API_URL,
        )
    else:
        alerts = LoggedAlerts()
    return {
        "mongo": mongo,
        "airtable": airtable,
        "claude": claude,
        "campaign_rules": campaign_rules(environ),
        "alerts": alerts,
        "io_manager": ParquetStorage(base_url=storage_url(environ, data_dir(environ))),
    }
