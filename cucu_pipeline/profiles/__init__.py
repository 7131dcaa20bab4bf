"""Plain Python for the profile assets: eligibility, message history and consent, member and event profiles,
summaries."""
