"""Source assets: the MongoDB collections and the Airtable Messages table, validated into typed tables."""

from collections.abc import Mapping

import dagster as dg
import pandas as pd

from cucu_pipeline.clients.airtable import MessageStore
from cucu_pipeline.clients.mongo import DocumentSource
from cucu_pipeline.defs.columns import column_schema
from cucu_pipeline.defs.metadata import funnel, preview
from cucu_pipeline.defs.partitions import campaign_dates
from cucu_pipeline.sources.documents import EventDocument, OrderDocument, UserDocument
from cucu_pipeline.sources.tables import Normalized, with_phones

_SOURCE = dict(partitions_def=campaign_dates, group_name="sources", owners=["team:growth"])


_MODELS = {"users": UserDocument, "events": EventDocument, "orders": OrderDocument}


def _collection(mongo: DocumentSource, name: str) -> Normalized:
    """The collection as this run first read and validated it (`DocumentSource.table`); members also get their
    phone in E.164."""
    if name == "users":
        return mongo.table(name, UserDocument, with_phones)
    return mongo.table(name, _MODELS[name])


def read_users(mongo: DocumentSource) -> pd.DataFrame:
    """Every valid member, as they stand now (as the run first read them)."""
    return _collection(mongo, "users").frame


def read_orders(mongo: DocumentSource) -> pd.DataFrame:
    """Every valid order, as it stands now (as the run first read it)."""
    return _collection(mongo, "orders").frame


def read_records(airtable: MessageStore) -> pd.DataFrame:
    """Every valid record of the Airtable Messages table, as it stands now."""
    return airtable.records().frame


def _required(table: Normalized, collection: str) -> Normalized:
    """Members and events are never legitimately absent: a collection that is empty, or holds no valid document, is
    a broken source or export, and a green run that texts nobody would hide it."""
    if table.kept == 0:
        reasons = ", ".join(f"{count} {reason}" for reason, count in table.rejected.most_common())
        found = f"has all {table.loaded} documents rejected ({reasons})" if table.loaded else "is empty"
        raise dg.Failure(f"No {collection}: the {collection} collection (or its export) {found}", allow_retries=False)
    return table


def _output(table: Normalized, preview_columns: list[str]) -> dg.Output:
    metadata = {**funnel(table.loaded, table.kept, table.rejected), "preview": preview(table.frame, preview_columns)}
    return dg.Output(table.frame, metadata=metadata)


def raw_users(mongo: DocumentSource) -> dg.Output[pd.DataFrame]:
    """Members from MongoDB `users`, one row per valid member; `phone_e164` is the phone in E.164 when it is a valid
    US number."""
    table = _required(_collection(mongo, "users"), "users")
    return _output(table, ["id", "first_name", "email", "phone_e164", "role", "created_at", "interests"])


def raw_events(mongo: DocumentSource) -> dg.Output[pd.DataFrame]:
    """Events from MongoDB `events`; participant lists are trimmed, lower-cased, de-duplicated emails."""
    table = _required(_collection(mongo, "events"), "events")
    return _output(table, ["id", "name", "start_date", "type", "event_status", "max_participants", "venue_name"])


def raw_orders(mongo: DocumentSource) -> dg.Output[pd.DataFrame]:
    """Orders from MongoDB `orders`."""
    table = _collection(mongo, "orders")
    return _output(table, ["id", "user_id", "event_id", "amount", "date", "status"])


def mongo_assets(environ: Mapping[str, str]) -> list[dg.AssetsDefinition]:
    """The three MongoDB assets. When MongoDB is unreachable, each attempt fails after the client's server-selection
    timeout with a message naming the collection; Dagster tries the step three more times,
    `CUCU_SOURCE_RETRY_DELAY_SECONDS` (15), 30 and 60 s later, before the run fails. A MongoDB that answers too
    slowly (`CUCU_REQUEST_DEADLINE_SECONDS`) fails the step once: trying again would wait as long again."""
    retry = dg.RetryPolicy(
        max_retries=3,
        delay=float(environ.get("CUCU_SOURCE_RETRY_DELAY_SECONDS", 15)),
        backoff=dg.Backoff.EXPONENTIAL,
    )
    return [
        dg.asset(**_SOURCE, kinds={"mongodb", "pandas"}, retry_policy=retry, metadata=column_schema(read.__name__))(
            read
        )
        for read in (raw_users, raw_events, raw_orders)
    ]


@dg.asset(**_SOURCE, kinds={"airtable", "pandas"}, metadata=column_schema("raw_messages"))
def raw_messages(airtable: MessageStore) -> dg.Output[pd.DataFrame]:
    """The Airtable Messages table: past and queued texts, one row per record. `duplicate_message_keys` counts keys
    held by more than one row (a record copied by hand); publishing resolves those it writes. `airtable_requests`
    counts the requests the read sent."""
    sent_before = airtable.requests_made()
    table = airtable.records()
    output = _output(table, ["record_id", "campaign_date", "user_id", "user_email", "campaign", "status", "sent_date"])
    keys = table.frame["message_key"].dropna()
    metadata = {
        **output.metadata,
        "duplicate_message_keys": int(keys.duplicated().sum()),
        "airtable_requests": airtable.requests_made() - sent_before,
    }
    return dg.Output(output.value, metadata=metadata)
