"""Why this member would want this table: the true, specific reasons of a member-event pair, with their evidence as
of the campaign date (docs/quality.md: "Reasons"). The tables the team may edit (occasions, event words, features,
the ranking per campaign) are the CSV files beside these modules."""
