"""The code location: what it registers, how the environment picks clients, and the CLI on a folder of exports."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import dagster as dg
import pytest

from cucu_pipeline.clients.airtable import AirtableMessageStore
from cucu_pipeline.clients.airtable_local import LocalMessageStore
from cucu_pipeline.clients.claude import ClaudeWriter, TemplateWriter
from cucu_pipeline.clients.mongo import JsonExportSource, MongoSource
from cucu_pipeline.definitions import ASSETS, build_defs, defs
from cucu_pipeline.defs.resources import MissingConfiguration, build_resources
from cucu_pipeline_tests.conftest import REPO, SAMPLE_RAW
from cucu_pipeline_tests.services import executable, mongodb_uri_with_password

ASSET_KEYS = {
    "raw_users",
    "raw_events",
    "raw_orders",
    "raw_messages",
    "people",
    "message_history",
    "person_standing",
    "qualified_users",
    "qualified_events",
    "enriched_users",
    "enriched_events",
    "event_matches",
    "arm_allocation",
    "matched_messages",
    "published_messages",
    "campaign_outcomes",
    "campaign_performance",
}


def test_defs_register_every_asset_partitioned_by_campaign_date():
    specs = {spec.key.to_user_string(): spec for spec in defs.resolve_all_asset_specs()}
    assert set(specs) == ASSET_KEYS
    partitions = {type(spec.partitions_def).__name__ for spec in specs.values()}
    assert partitions == {"DailyPartitionsDefinition"}
    assert all(spec.description for spec in specs.values())
    assert specs["raw_users"].group_name == "sources" and specs["enriched_users"].group_name == "profiles"
    assert specs["matched_messages"].group_name == "campaign"
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert {"length_and_segments", "one_booking_link", "facts_match_event", "one_message_per_member"} <= checks


def test_the_ui_shows_kinds_owners_and_described_columns_for_every_asset():
    specs = {spec.key.to_user_string(): spec for spec in defs.resolve_all_asset_specs()}
    assert all("pandas" in spec.kinds and spec.owners == ["team:growth"] for spec in specs.values())
    assert {"mongodb"} < specs["raw_users"].kinds and {"airtable"} < specs["raw_messages"].kinds
    assert {"anthropic"} < specs["matched_messages"].kinds and {"airtable"} < specs["published_messages"].kinds
    for spec in specs.values():
        columns = spec.metadata["dagster/column_schema"].schema.columns
        assert len(columns) >= 4 and all(column.description for column in columns), spec.key


def test_local_mode_needs_no_credentials(tmp_path):
    resources = build_resources({"CUCU_DATA_DIR": str(tmp_path)})
    assert isinstance(resources["mongo"], JsonExportSource) and resources["mongo"].data_dir == str(tmp_path)
    assert isinstance(resources["airtable"], LocalMessageStore)
    assert isinstance(resources["claude"], TemplateWriter)
    assert resources["campaign_rules"].cooldown_days == 7 and resources["campaign_rules"].send_hour == 10


def test_rules_come_from_the_environment():
    rules = build_resources(
        {
            "CUCU_COOLDOWN_DAYS": "14",
            "CUCU_SEND_HOUR": "9",
            "CUCU_EVENT_HORIZON_DAYS": "21",
            "CUCU_TEAM_MEMBERS": "user_1, ops@cuculi.com",
            "CUCU_BOOKING_URL": "https://cuculi.com/e/{event_id}",
            "CUCU_SMS_SEGMENT_USD": "0.0079",
        }
    )["campaign_rules"]
    assert (rules.cooldown_days, rules.send_hour, rules.event_horizon_days) == (14, 9, 21)
    assert rules.team_members == ["user_1", "ops@cuculi.com"]
    assert (rules.booking_url, rules.sms_segment_usd) == ("https://cuculi.com/e/{event_id}", 0.0079)
    defaults = build_resources({})["campaign_rules"]
    assert (defaults.booking_url, defaults.sms_segment_usd) == ("https://cucu.li/bookings/{event_id}", 0.0083)


@pytest.mark.parametrize("url", ["https://cucu.li/bookings", "http://cucu.li/bookings/{event_id}"])
def test_a_booking_link_without_the_event_or_https_stops_at_start_up(url):
    with pytest.raises(ValueError, match="booking link"):
        build_resources({"CUCU_BOOKING_URL": url})


@pytest.mark.slow
def test_texts_carry_the_configured_booking_link(sample_data_dir):
    environ = {"CUCU_DATA_DIR": str(sample_data_dir), "CUCU_BOOKING_URL": "https://cuculi.com/e/{event_id}"}
    result = dg.materialize(ASSETS, resources=build_resources(environ), partition_key="2025-06-15")
    texts = result.output_for_node("matched_messages")
    texts = texts[texts["status"].isin(["ready", "fallback"])]
    assert len(texts) > 300 and all(check.passed for check in result.get_asset_check_evaluations())
    assert all(
        f" https://cuculi.com/e/{event} " in f"{text} " for text, event in zip(texts["message"], texts["event_id"])
    )


PRODUCTION = {
    "MONGODB_URI": "mongodb://db:27017",
    "MONGODB_DATABASE": "cuculi",
    "AIRTABLE_API_KEY": "pat.x",
    "AIRTABLE_BASE_ID": "appX",
    "AIRTABLE_TABLE": "Messages",
    "ANTHROPIC_API_KEY": "sk-test",
}


def test_production_clients_when_their_keys_are_set():
    environ = {**PRODUCTION, "AIRTABLE_ENDPOINT_URL": "http://127.0.0.1:9", "ANTHROPIC_MODEL": "claude-haiku-4-5"}
    resources = build_resources(environ)
    assert isinstance(resources["mongo"], MongoSource) and isinstance(resources["airtable"], AirtableMessageStore)
    assert isinstance(resources["claude"], ClaudeWriter) and resources["claude"].model == "claude-haiku-4-5"
    assert resources["airtable"].endpoint_url == "http://127.0.0.1:9"
    assert isinstance(build_resources({**environ, "CUCU_MODE": "local"})["mongo"], JsonExportSource)


def test_one_deadline_and_one_retry_after_cap_for_every_outside_system():
    environ = {**PRODUCTION, "CUCU_REQUEST_DEADLINE_SECONDS": "45", "CUCU_RETRY_AFTER_CAP_SECONDS": "20"}
    resources = build_resources(environ)
    assert [resources[key].deadline_seconds for key in ("mongo", "airtable", "claude")] == [45, 45, 45]
    assert [resources[key].retry_after_cap_seconds for key in ("airtable", "claude")] == [20, 20]
    assert resources["claude"].client()._client.deadline_seconds == 45  # the SDK's HTTP client applies it


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"AIRTABLE_API_KEY": "pat.x", "AIRTABLE_TABLE": "Messages"}, "AIRTABLE_BASE_ID"),
        ({"MONGODB_URI": "mongodb://db:27017"}, "MONGODB_DATABASE"),
        ({"CUCU_MODE": "production"}, "MONGODB_URI, MONGODB_DATABASE"),
        (
            {
                "CUCU_MODE": "production",
                "MONGODB_URI": "mongodb://db",
                "MONGODB_DATABASE": "c",
                "AIRTABLE_API_KEY": "p",
                "AIRTABLE_BASE_ID": "a",
                "AIRTABLE_TABLE": "t",
            },
            "ANTHROPIC_API_KEY",
        ),
    ],
)
def test_production_mode_with_a_variable_missing_stops_at_start_up_naming_it(environ, named):
    with pytest.raises(MissingConfiguration, match=named):
        build_defs(environ)


def test_secrets_are_environment_references_never_values():
    uri = mongodb_uri_with_password("reader", "not-a-password", "db")
    resources = build_resources(
        {
            "MONGODB_URI": uri,
            "MONGODB_DATABASE": "c",
            "AIRTABLE_API_KEY": "pat.x",
            "AIRTABLE_BASE_ID": "appX",
            "AIRTABLE_TABLE": "Messages",
        }
    )
    assert uri not in repr(resources) and "not-a-password" not in repr(resources) and "pat.x" not in repr(resources)


# What `pip install -e .` leaves out: the `production` extra (dagster-celery, dagster-postgres, redis) and Celery.
PRODUCTION_EXTRA = ("dagster_celery", "dagster_postgres", "celery", "kombu", "redis")


@pytest.mark.slow
def test_a_core_install_materializes_the_graph_with_dg_launch_from_any_folder_of_exports(tmp_path):
    """The README's first command, on a core install: every module of the production extra is unimportable in the
    CLI's process (a `sitecustomize` the interpreter runs first), and `dg launch` materializes every asset."""
    shutil.copytree(SAMPLE_RAW, tmp_path / "exports" / "raw")
    core_only = tmp_path / "core_only"
    core_only.mkdir()
    (core_only / "sitecustomize.py").write_text(
        f"import sys\nsys.modules.update(dict.fromkeys({PRODUCTION_EXTRA!r}))\n"
    )
    environ = {
        **os.environ,
        "PYTHONPATH": str(core_only),
        "CUCU_DATA_DIR": str(tmp_path / "exports"),
        "DAGSTER_HOME": str(tmp_path / "home"),
    }
    (tmp_path / "home").mkdir()
    run = subprocess.run(
        [executable("dg"), "launch", "--job", "daily_campaign", "--partition", "2024-02-10"],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "RUN_SUCCESS" in run.stderr and "Warning" not in run.stderr, run.stderr[-3000:]
    # Nothing a team would take for trouble: the weekly read's dates never stored are one line at info.
    assert "Couldn't load partition" not in run.stderr and " - WARNING - " not in run.stderr, run.stderr[-3000:]
    assert "28 pooled dates: " in run.stderr
    assert (tmp_path / "exports" / "airtable.sqlite").exists()
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "from cucu_pipeline.definitions import defs;"
            "print(len(defs.load_asset_value('enriched_users', partition_key='2024-02-10')))",
        ],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert loaded.returncode == 0 and int(loaded.stdout.strip().splitlines()[-1]) > 100, loaded.stderr[-2000:]


def test_dagster_yaml_is_a_valid_instance_config_for_one_machine(tmp_path, monkeypatch):
    shutil.copy(REPO / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.chdir(tmp_path)  # its paths are relative to the folder Dagster runs in
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    concurrency = instance.get_concurrency_config()
    assert concurrency.pool_config.default_pool_limit == 1  # one claude step and one airtable step at a time
    assert concurrency.run_queue_config.max_concurrent_runs == 4
    assert instance.storage_directory() == "data/.dagster/storage"
    assert not instance.nux_enabled  # no newsletter prompt over the UI (a browser test once clicked into it)


HEAVY = ("anthropic", "scipy.stats", "statsmodels", "matplotlib", "dagster_celery", "celery", "tldextract")


def _probe(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.strip()


def test_the_collector_runs_at_the_bulk_thresholds_from_the_first_import_and_loading_freezes_what_it_made():
    """Dagster and pandas load at the package's thresholds; what loading made is frozen, so neither a collection nor
    the exit walks it again."""
    from cucu_pipeline import GC_THRESHOLDS

    before = "import gc, sys, cucu_pipeline; print(gc.get_threshold(), 'dagster' in sys.modules)"
    assert _probe(before) == f"{GC_THRESHOLDS} False"
    frozen = "import gc, cucu_pipeline.definitions; print(gc.get_threshold(), gc.get_freeze_count() > 100_000)"
    assert _probe(frozen) == f"{GC_THRESHOLDS} True"


def test_loading_the_definitions_imports_no_heavy_library_a_step_imports_where_it_uses_it():
    """Every CLI command, sensor tick and run process loads the definitions: the Claude SDK, the statistics, the
    chart, Celery and the public-suffix reader load only in the step (or the configuration) that needs them."""
    assert _probe(f"import sys, cucu_pipeline.definitions; print([m for m in {HEAVY!r} if m in sys.modules])") == "[]"
    executor = "d.build_executor({'CUCU_CELERY_BROKER': 'redis://x'})"
    loaded = _probe(f"import sys, cucu_pipeline.definitions as d; {executor}; print('dagster_celery' in sys.modules)")
    assert loaded == "True"


def test_the_celery_executor_without_its_extra_stops_at_start_up_naming_the_install():
    """As on a core install (`pip install -e .`): dagster-celery is made unimportable in the probe's process."""
    probe = (
        "import sys; sys.modules['dagster_celery'] = None; import cucu_pipeline.definitions as d\n"
        "try:\n    d.build_executor({'CUCU_CELERY_BROKER': 'redis://x'})\nexcept d.MissingConfiguration as e:\n"
        "    print(e)"
    )
    assert 'pip install "cucu_pipeline[production]"' in _probe(probe)


def test_only_the_preview_and_beta_apis_the_project_chose_are_silenced():
    """Loading the definitions prints nothing; a Preview, Beta or deprecation warning of any other API still shows."""
    others = (
        "import warnings, dagster as dg\n"
        "warnings.warn('another preview API', dg.PreviewWarning)\n"
        "warnings.warn('another beta API', dg.BetaWarning)\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-W", "always", "-c", "import cucu_pipeline.definitions\n" + others],
        capture_output=True,
        text=True,
        check=True,
    )
    shown = [line for line in loaded.stderr.splitlines() if "Warning:" in line]
    assert [line.split("Warning: ")[1] for line in shown if "dagster" not in line.split(":")[0]] == [
        "another preview API",
        "another beta API",
    ], loaded.stderr
