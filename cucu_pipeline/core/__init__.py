"""What every stage shares: dates, frame helpers, wording, privacy masks and the campaign settings."""
