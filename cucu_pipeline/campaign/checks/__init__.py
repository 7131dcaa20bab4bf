"""The SMS rules every text must pass, as plain functions: what it is checked against (context.py), encoding and
segments (segments.py), forbidden content and links (content_rules.py), the when phrase (when.py), claims checked
for meaning (claims.py), and every rule on one text (sms_rules.py)."""
