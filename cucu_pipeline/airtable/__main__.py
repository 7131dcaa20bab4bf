"""`python -m cucu_pipeline.airtable setup` creates the Messages table, or adds the fields it lacks with their types,
through Airtable's metadata API; `python -m cucu_pipeline.airtable check` reports what is missing and changes nothing
(exit status 1 when something is). Both read the configured table (`AIRTABLE_API_KEY`, `AIRTABLE_BASE_ID`,
`AIRTABLE_TABLE`; the token needs the `schema.bases:read` scope, and `schema.bases:write` for `setup`)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping

import dagster as dg

from cucu_pipeline.clients.airtable import AirtableMessageStore
from cucu_pipeline.clients.airtable_schema import SETUP_COMMAND, missing_fields, mistyped_fields
from cucu_pipeline.defs.resources import build_resources


def report(store: AirtableMessageStore) -> tuple[str, bool]:
    """What the table lacks, in words, and whether it lacks anything."""
    fields = store.table_fields()
    where = f"{store.base_id}/{store.table_name}"
    if fields is None:
        return f"{where}: no such table; `{SETUP_COMMAND}` creates it with every field.", True
    missing, mistyped = missing_fields(fields), mistyped_fields(fields)
    lines = [f"{where}: missing {', '.join(missing)}; `{SETUP_COMMAND}` adds them." if missing else f"{where}: every "
             f"field the pipeline writes and reads is there ({len(fields)} fields)."]  # fmt: skip
    lines += [f"  {name} is {found}, the pipeline writes {expected}" for name, (found, expected) in mistyped.items()]
    return "\n".join(lines), bool(missing)


def main(argv: list[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["setup", "check"])
    command = parser.parse_args(argv).command
    configured = build_resources(environ)["airtable"]
    if not isinstance(configured, AirtableMessageStore):
        print("No Airtable configured (AIRTABLE_API_KEY unset): the local stand-in keeps every field.")
        return 0
    # Initialized as a run initializes it: the key resolved from the environment, torn down after.
    with dg.build_resources({"airtable": configured}) as resources:
        store = resources.airtable
        if command == "setup":
            created = store.set_up()
            print(f"created {', '.join(created)}" if created else "nothing to create")
        text, lacking = report(store)
    print(text)
    return int(lacking)


if __name__ == "__main__":
    sys.exit(main())
