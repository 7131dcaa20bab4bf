"""Who is invited to which event: the campaigns and their priority (campaigns.py), audience and diet rules
(audience.py, diet.py), members and events as the scorer's arrays (features.py), its short lists (scoring.py), seat
caps and their allocation (allocation.py), and one event per member (matches.py)."""
