"""The cycle collector pauses while a step builds a collection's objects, and comes back as it was."""

from __future__ import annotations

import gc

import dagster as dg
import pytest

from cucu_pipeline.clients.mongo import JsonExportSource
from cucu_pipeline.core.bulk import cycle_collection_paused
from cucu_pipeline.sources.documents import OrderDocument
from cucu_pipeline.sources.tables import Normalized, normalize_documents


def test_the_collector_is_paused_inside_and_back_after_even_when_the_block_fails():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cycle_collection_paused():
        assert not gc.isenabled()
        with cycle_collection_paused():  # nested: the inner exit leaves the outer pause in place
            pass
        assert not gc.isenabled()
        raise RuntimeError("a document broke the read")
    assert gc.isenabled()


def test_a_collector_someone_else_disabled_stays_disabled():
    gc.disable()
    try:
        with cycle_collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_reading_and_validating_a_collection_runs_with_the_collector_paused(sample_data_dir):
    seen = []

    def validate(read) -> Normalized:
        seen.append(gc.isenabled())
        return normalize_documents(read.documents, OrderDocument)

    source = JsonExportSource(data_dir=str(sample_data_dir))
    with dg.build_resources({"mongo": source}) as resources:
        orders = resources.mongo.table("orders", ["_id"], validate)
    assert seen == [False] and orders.kept > 0 and gc.isenabled()
