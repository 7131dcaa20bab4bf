"""The experiment: arms and their assignment, outcomes, and the statistics of lift."""
