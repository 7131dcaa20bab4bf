"""The `mongo` resource: member, event and order documents from MongoDB or from JSON exports of it."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from cucu_pipeline.sources.exports import ExportError, ExportRead, read_export


class DocumentSource(dg.ConfigurableResource):
    """Where the MongoDB collections come from; assets depend on this interface only."""

    def read(self, collection: str, fields: list[str]) -> ExportRead:
        raise NotImplementedError


class JsonExportSource(DocumentSource):
    """Local stand-in: `<data_dir>/raw/<collection>.json`, plain or Extended JSON, array or JSON Lines."""

    data_dir: str

    def read(self, collection: str, fields: list[str]) -> ExportRead:
        try:
            return read_export(Path(self.data_dir) / "raw" / f"{collection}.json")
        except (FileNotFoundError, ExportError) as error:  # no retry can fix a file: fail now, once, naming it
            raise dg.Failure(str(error), allow_retries=False) from None


class MongoSource(DocumentSource):
    """Production: one pymongo client per run, streaming each collection with a projection."""

    uri: str
    database: str
    batch_size: int = 1000
    timeout_ms: int = 5000
    _client: MongoClient | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._client = MongoClient(
            self.uri,
            appname="cucu_pipeline",
            tz_aware=True,
            serverSelectionTimeoutMS=self.timeout_ms,
            connectTimeoutMS=self.timeout_ms,
            socketTimeoutMS=60_000,
            retryReads=True,
        )

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._client is not None:
            self._client.close()

    def read(self, collection: str, fields: list[str]) -> ExportRead:
        client = self._client or MongoClient(self.uri, tz_aware=True, serverSelectionTimeoutMS=self.timeout_ms)
        projection = {name: 1 for name in fields}
        try:
            cursor = client[self.database][collection].find({}, projection, batch_size=self.batch_size)
            return ExportRead(list(cursor), 0)
        except PyMongoError as error:
            # The URI may hold credentials: name the database and collection, never the URI (pymongo's own
            # message names hosts only).
            raise ConnectionError(
                f"Could not read MongoDB collection {self.database}.{collection}: {type(error).__name__}: {error}"
            ) from None
        finally:
            if self._client is None:
                client.close()
