"""What may leave for Airtable and how: the asset checks' gate (message_checks.py), send windows
(send_windows.py), the Airtable records and the cooldown re-check (records.py), withdrawing stale texts (queue.py)."""
