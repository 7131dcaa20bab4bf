"""Plain Python for the campaign assets, grouped by what it does: `matching/` (who is invited to which event),
`writing/` (briefs, the writers, drafting and the quality gate), `checks/` (the SMS rules every text must pass) and
`publishing/` (the asset checks' gate, send windows, the Airtable records and the queue)."""
