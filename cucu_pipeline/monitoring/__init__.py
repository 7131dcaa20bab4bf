"""Watching the campaign: the alert text and the drift between dates (README: "Alerts", "Drift checks")."""
