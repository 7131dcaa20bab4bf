"""Secrets stay secret: keys come from the environment and appear in no log, event, run config or error, even when
the services refuse them; `.env` is ignored by git; the local store binds values as parameters; no Airtable formula
is ever built from data."""

from __future__ import annotations

import subprocess
from urllib.parse import parse_qs, unquote, urlparse

import dagster as dg
import pytest
from dagster._serdes import serialize_value

from cucu_pipeline.clients.airtable import QUEUED_FORMULA, review_formula
from cucu_pipeline.clients.airtable_local import LocalMessageStore
from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline_tests.campaign.test_publishing import DAY, airtable, record
from cucu_pipeline_tests.clients.test_faults import small_data  # noqa: F401 (a fixture)
from cucu_pipeline_tests.conftest import REPO
from cucu_pipeline_tests.defs.test_campaign_assets import DATE
from cucu_pipeline_tests.fakes.airtable import FakeAirtable
from cucu_pipeline_tests.fakes.faults import FaultPlan
from cucu_pipeline_tests.fakes.messages_api import FakeMessagesAPI

AIRTABLE_SECRET, ANTHROPIC_SECRET = "patSECRETairtable0123456789", "test-anthropic-SECRET-0123456789"


def refused_everywhere(data_dir, monkeypatch, capfd) -> tuple[dg.ExecuteInProcessResult, str]:
    """A run whose keys both services refuse (401): Claude's refusal falls back to the template, Airtable's (after
    the two listings, at the first write) fails the run. Returns the result and everything it emitted."""
    claude = FakeMessagesAPI(faults=FaultPlan(rate=1.0, kinds=("401",)))
    table = FakeAirtable(faults=FaultPlan(rate=1.0, kinds=("401",), script=[None, None]))
    with claude.serve() as claude_url, table.serve() as airtable_url:
        environ = {
            "CUCU_DATA_DIR": str(data_dir),
            "ANTHROPIC_API_KEY": ANTHROPIC_SECRET,
            "ANTHROPIC_BASE_URL": claude_url,
            "AIRTABLE_API_KEY": AIRTABLE_SECRET,
            "AIRTABLE_BASE_ID": "appB",
            "AIRTABLE_TABLE": "Messages",
            "AIRTABLE_ENDPOINT_URL": airtable_url,
        }
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        with dg.DagsterInstance.ephemeral() as instance:
            result = dg.materialize(
                ASSETS, resources=build_resources(environ), partition_key=DATE, instance=instance, raise_on_error=False
            )
            run = instance.get_run_by_id(result.run_id)
            emitted = "\n".join(
                [serialize_value(entry) for entry in instance.all_logs(result.run_id)]
                + [repr(run.run_config), *capfd.readouterr()]
            )
    assert {f"Bearer {AIRTABLE_SECRET}"} == table.auth_headers  # the keys did reach the services
    assert claude.faults.injected["401"] >= 1
    return result, emitted


def test_refused_keys_appear_in_no_log_event_run_config_or_error(small_data, monkeypatch, capfd):  # noqa: F811
    result, emitted = refused_everywhere(small_data, monkeypatch, capfd)
    assert not result.success and "401 Client Error" in emitted and "AuthenticationError: 401" in emitted  # reported...
    assert AIRTABLE_SECRET not in emitted and ANTHROPIC_SECRET not in emitted  # ...without the keys


def test_dot_env_is_ignored_by_git():
    for name in (".env", "deploy/.env", ".env.production"):
        assert subprocess.run(["git", "check-ignore", "-q", name], cwd=REPO).returncode == 0, name


@pytest.mark.parametrize("hostile", ["x'); DROP TABLE messages; --", 'say "hi"', "Robert'); --", "?; ?", "%s %d"])
def test_the_local_store_binds_values_as_parameters(tmp_path, hostile):
    store = LocalMessageStore(data_dir=str(tmp_path))
    store.publish([record("u1", message=hostile, user_name=hostile)], DAY, 7)
    (stored,) = store.fetch_records()
    assert stored["fields"]["message"] == hostile and stored["fields"]["user_name"] == hostile


def test_formulas_carry_only_constants_and_the_date_never_a_record():
    """Reads filter with formulas pyairtable builds from constants and the campaign date; writes upsert on
    `message_key`. No record's data is ever interpolated into a formula."""
    table = FakeAirtable()
    with table.serve() as url:
        store = airtable(url)
        store.publish([record("u1", message="') OR TRUE() OR ('")], DAY, 7)
        store.fetch_queued()
        store.fetch_records()
    formulas = {parse_qs(urlparse(path).query).get("filterByFormula", [None])[0] for _, path in table.requests}
    assert formulas == {None, QUEUED_FORMULA, review_formula(DAY, 7)}
    assert not [path for _, path in table.requests if "TRUE" in unquote(path)]
