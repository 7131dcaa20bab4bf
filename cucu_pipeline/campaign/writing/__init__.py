"""From a match to a checked text: briefs (briefs.py, composer.py), the deterministic writer and its phrasings
(templates.py, phrasings.py), drafting rounds and their outcomes (drafting.py, attempts.py), the quality gate
(judging.py) and what a date costs (costs.py)."""
