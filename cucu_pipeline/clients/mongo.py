"""The `mongo` resource: member, event and order documents from MongoDB or from JSON exports of it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pymongo
from pydantic import PrivateAttr
from pymongo import MongoClient
from pymongo.errors import PyMongoError, ServerSelectionTimeoutError

from cucu_pipeline.core.parquet import frame_to_table, table_to_frame
from cucu_pipeline.sources.columnar import export_table
from cucu_pipeline.sources.documents import Document
from cucu_pipeline.sources.exports import ExportError, ExportRead, export_text
from cucu_pipeline.sources.tables import Normalized, normalize_documents, source_fields


class DocumentSource(dg.ConfigurableResource):
    """Where the MongoDB collections come from; assets depend on this interface only."""

    # The collections a run has read and validated, as Arrow tables (compact and off Python's heap: a million
    # members' frame holds gigabytes of objects) with their tallies; None outside a run.
    _tables: dict[str, tuple[pa.Table, Normalized]] | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Dagster sets up a fresh copy of the resource for every run (and every step process), so the tables a run
        # read are never seen by another run.
        self._tables = {}

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self._tables = None

    def read(self, collection: str, fields: list[str]) -> ExportRead:
        """The collection's documents (with at least `fields`), for `validated`."""
        raise NotImplementedError

    def validated(self, collection: str, model: type[Document]) -> Normalized:
        """The collection's documents, each validated by the model."""
        read = self.read(collection, source_fields(model))
        return normalize_documents(read.documents, model, malformed=read.malformed)

    def table(
        self, collection: str, model: type[Document], finish: Callable[[Normalized], Normalized] = lambda table: table
    ) -> Normalized:
        """The collection read, validated and finished (members get their E.164 phones) once per run: the raw asset,
        the outcomes and the weekly read of one run see one snapshot of it, and its documents are validated once (at
        100k members, reading and validating `users` takes seconds). A collection is read one way; each caller gets
        its own frame."""
        if self._tables is None:
            return finish(self.validated(collection, model))
        if collection not in self._tables:
            table = finish(self.validated(collection, model))
            # The tally keeps only the columns: a slice (`iloc[:0]`) would be a view keeping every row alive.
            tally = dataclasses.replace(table, frame=table.frame.iloc[:0].copy())
            self._tables[collection] = (frame_to_table(table.frame), tally)
            return table
        stored, tally = self._tables[collection]
        return dataclasses.replace(tally, frame=table_to_frame(stored), rejected=tally.rejected.copy())


class JsonExportSource(DocumentSource):
    """Local stand-in: `<data_dir>/raw/<collection>.json`, plain or Extended JSON, array or JSON Lines."""

    data_dir: str

    def validated(self, collection: str, model: type[Document]) -> Normalized:
        """Read a column at a time (`sources.columnar`): the same table as validating each document."""
        path = Path(self.data_dir) / "raw" / f"{collection}.json"
        try:
            return export_table(export_text(path), model, str(path))
        except (FileNotFoundError, ExportError) as error:  # no retry can fix a file: fail now, once, naming it
            raise dg.Failure(str(error), allow_retries=False) from None


class MongoSource(DocumentSource):
    """Production: one pymongo client per run, streaming each collection with a projection."""

    uri: str
    database: str
    batch_size: int = 1000
    timeout_ms: int = 5000
    # For each request (the find, then each batch), however slowly its bytes arrive: pymongo's `timeoutMS`.
    deadline_seconds: float = 60.0
    _client: MongoClient | None = PrivateAttr(default=None)

    def _connect(self) -> MongoClient:
        return MongoClient(
            self.uri,
            appname="cucu_pipeline",
            tz_aware=True,
            serverSelectionTimeoutMS=self.timeout_ms,
            connectTimeoutMS=self.timeout_ms,
            timeoutMS=self.deadline_seconds * 1000,
            retryReads=True,
        )

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        super().setup_for_execution(context)
        self._client = self._connect()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        super().teardown_after_execution(context)
        if self._client is not None:
            self._client.close()

    def read(self, collection: str, fields: list[str]) -> ExportRead:
        client = self._client or self._connect()
        projection = {name: 1 for name in fields}
        name = f"{self.database}.{collection}"
        try:
            # The deadline also bounds finding the server; an unreachable one should fail at MONGODB_TIMEOUT_MS.
            with pymongo.timeout(self.timeout_ms / 1000):
                client.admin.command("ping")
            cursor = client[self.database][collection].find({}, projection, batch_size=self.batch_size)
            return ExportRead(list(cursor), 0)
        except PyMongoError as error:
            # The URI may hold credentials: name the database and collection, never the URI (pymongo's own
            # message names hosts only). Unreachable, the step's retry policy tries again later; reachable but too
            # slow, asking again would wait as long again, so the step fails now.
            if error.timeout and not isinstance(error, ServerSelectionTimeoutError):
                message = f"MongoDB sent no full answer reading {name} within {self.deadline_seconds:g} s"
                raise dg.Failure(message, allow_retries=False) from None
            raise ConnectionError(
                f"Could not read MongoDB collection {name}: {type(error).__name__}: {error}"
            ) from None
        finally:
            if self._client is None:
                client.close()
