"""Everything a run emits (its event log with every metadata value and preview, the console, captured compute logs)
holds no member's full phone number or email address."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import dagster as dg
import pytest
from dagster._serdes import serialize_value

from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline.sources.exports import read_export
from cucu_pipeline_tests.conftest import SAMPLE_RAW

pytestmark = pytest.mark.slow  # whole-graph runs through the CLI, the daemon, a browser or a service


def contacts(raw: Path) -> set[str]:
    """Every email and phone of the sample members, the phones also as their last ten digits."""
    found = set()
    for user in read_export(raw / "users.json").documents:
        if not isinstance(user, dict):
            continue
        for value in (user.get("email"), user.get("phone")):
            if isinstance(value, str) and len(value.strip()) >= 7:
                found.add(value.strip().lower())
        digits = re.sub(r"\D", "", str(user.get("phone") or ""))
        if len(digits) >= 10:
            found.add(digits[-10:])
    return found


def emitted_text(instance: dg.DagsterInstance, run_id: str, folder: Path, console: str) -> str:
    events = "\n".join(serialize_value(entry) for entry in instance.all_logs(run_id))
    compute_logs = "\n".join(
        path.read_text(errors="replace")
        for path in folder.rglob("*")
        if path.is_file() and path.suffix in {".out", ".err", ".complete", ".log"}
    )
    return scanned("\n".join([events, compute_logs, console]))


# A number as it may be written ("(415) 203-0905", "+1 415.203.0905").
_NUMBER = re.compile(r"\d[\d().\- ]*\d")


def scanned(text: str) -> str:
    """The text lower-cased, then each number in it with its digits joined, so a formatted phone is found too. Only
    within a number: joining every digit of the text made chance matches with timestamps and counts."""
    return text.lower() + "\n" + " ".join(re.sub(r"\D", "", number) for number in _NUMBER.findall(text))


def test_the_scan_finds_a_formatted_phone_but_joins_no_two_numbers():
    assert "4152030905" in scanned('{"note": "call +1 (415) 203-0905"}')
    assert "4152030905" in scanned("415.203.0905")
    assert "4152030905" not in scanned('{"count": 415, "seconds": 2030905}')


@pytest.fixture
def run_everything(tmp_path, capfd):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_RAW, data / "raw")
    home = tmp_path / "home"
    home.mkdir()
    with dg.DagsterInstance.local_temp(str(home)) as instance:
        result = dg.materialize(
            ASSETS,
            resources=build_resources({"CUCU_DATA_DIR": str(data), "CUCU_MODE": "local"}),
            partition_key="2025-06-15",
            instance=instance,
        )
        captured = capfd.readouterr()
        yield contacts(data / "raw"), emitted_text(instance, result.run_id, home, captured.out + captured.err), result


def test_no_full_phone_or_email_in_anything_a_run_emits(run_everything):
    known, emitted, result = run_everything
    assert result.success and len(known) > 100
    assert "\\u2022\\u2022\\u2022" in emitted and "preview" in emitted  # masked previews (JSON-escaped) were scanned
    leaked = sorted(contact for contact in known if contact in emitted)
    assert leaked == [], f"{len(leaked)} contacts appear in logs or metadata, e.g. {leaked[:3]}"
