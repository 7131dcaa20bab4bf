"""The bundled sample exports are what the package's generator makes: reproducible, and deliberately imperfect."""

from __future__ import annotations

import json

from cucu_pipeline.sample_data.__main__ import main
from cucu_pipeline.sample_data.generator import generate
from cucu_pipeline_tests.conftest import SAMPLE_RAW


def test_the_generator_is_deterministic():
    assert json.dumps(generate(60, 40, seed=3), default=str) == json.dumps(generate(60, 40, seed=3), default=str)
    assert json.dumps(generate(60, 40, seed=3), default=str) != json.dumps(generate(60, 40, seed=4), default=str)


def test_bundled_exports_are_regenerated_exactly_by_the_documented_command(tmp_path):
    main(["--out", str(tmp_path)])
    for name in ("users", "events", "orders", "messages"):
        assert (tmp_path / f"{name}.json").read_text() == (SAMPLE_RAW / f"{name}.json").read_text(), name
