"""Watching the campaign: the alert text and the drift between dates (docs/production.md: "Alerts", "Drift checks")."""
