"""From a match to a checked text, as stages over a date's texts (drafting.py): reasons and briefs (composer.py,
briefs.py), drafts and regenerations checked by the hard rules (hard_rules.py, attempts.py), the template writer and
its copy library (templates.py, library.py, copy/), the quality gate (judging.py) and what a date costs (costs.py)."""
