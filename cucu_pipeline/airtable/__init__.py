"""Setting up the Airtable Messages table: `python -m cucu_pipeline.airtable setup | check` (docs/airtable.md)."""
