"""One module per outside system, each production client beside its local stand-in: MongoDB, Airtable, Claude."""
