"""Who is invited to which event: the campaigns and their priority (campaigns.py), audience and diet rules
(audience.py, diet.py), the scorer's short lists (scoring.py), seat caps and their allocation (allocation.py), and
one event per member (matches.py)."""
