"""Source assets: the MongoDB collections and the Airtable Messages table, validated into typed tables."""

import os

import dagster as dg
import pandas as pd

from cucu_pipeline.defs.columns import column_schema
from cucu_pipeline.defs.metadata import funnel, preview
from cucu_pipeline.defs.partitions import campaign_dates
from cucu_pipeline.lib.airtable import MessageStore
from cucu_pipeline.lib.documents import (
    EventDocument,
    MessageRecord,
    Normalized,
    OrderDocument,
    UserDocument,
    normalize_documents,
    normalize_users,
    source_fields,
)
from cucu_pipeline.lib.mongo import DocumentSource

_SOURCE = dict(partitions_def=campaign_dates, group_name="sources", owners=["team:growth"])
# MongoDB unreachable: each attempt fails after the client's server-selection timeout (5 s) with a message naming the
# collection; Dagster tries the step three more times, 15, 30 and 60 s later, before the run fails.
MONGO_RETRY = dg.RetryPolicy(
    max_retries=3, delay=float(os.environ.get("CUCU_SOURCE_RETRY_DELAY_SECONDS", 15)), backoff=dg.Backoff.EXPONENTIAL
)
_MONGO = dict(**_SOURCE, kinds={"mongodb", "pandas"}, retry_policy=MONGO_RETRY)


def _read(mongo: DocumentSource, collection: str, model) -> Normalized:
    read = mongo.read(collection, source_fields(model))
    return normalize_documents(read.documents, model, malformed=read.malformed)


def _output(table: Normalized, preview_columns: list[str]) -> dg.Output:
    metadata = {**funnel(table.loaded, table.kept, table.rejected), "preview": preview(table.frame, preview_columns)}
    return dg.Output(table.frame, metadata=metadata)


@dg.asset(**_MONGO, metadata=column_schema("raw_users"))
def raw_users(mongo: DocumentSource) -> dg.Output[pd.DataFrame]:
    """Members from MongoDB `users`, one row per valid member; `phone_e164` is the phone in E.164 when it is a valid
    US number."""
    read = mongo.read("users", source_fields(UserDocument))
    table = normalize_users(read.documents, malformed=read.malformed)
    return _output(table, ["id", "first_name", "email", "phone_e164", "role", "created_at", "interests"])


@dg.asset(**_MONGO, metadata=column_schema("raw_events"))
def raw_events(mongo: DocumentSource) -> dg.Output[pd.DataFrame]:
    """Events from MongoDB `events`; participant lists are trimmed, lower-cased, de-duplicated emails."""
    table = _read(mongo, "events", EventDocument)
    return _output(table, ["id", "name", "start_date", "type", "event_status", "max_participants", "venue_name"])


@dg.asset(**_MONGO, metadata=column_schema("raw_orders"))
def raw_orders(mongo: DocumentSource) -> dg.Output[pd.DataFrame]:
    """Orders from MongoDB `orders`."""
    table = _read(mongo, "orders", OrderDocument)
    return _output(table, ["id", "user_id", "event_id", "amount", "date", "status"])


@dg.asset(**_SOURCE, kinds={"airtable", "pandas"}, metadata=column_schema("raw_messages"))
def raw_messages(airtable: MessageStore) -> dg.Output[pd.DataFrame]:
    """The Airtable Messages table: past and queued texts, one row per record."""
    table = normalize_documents(airtable.fetch_records(), MessageRecord)
    return _output(table, ["record_id", "campaign_date", "user_id", "user_email", "campaign", "status", "sent_date"])
