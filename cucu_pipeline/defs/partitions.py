"""The one partitioning of the project: a campaign date per Pacific calendar day."""

import dagster as dg

from cucu_pipeline.core.dates import PACIFIC_TZ_NAME

# end_offset=1 makes *today* a partition: the morning run texts for today's date, not yesterday's.
campaign_dates = dg.DailyPartitionsDefinition(start_date="2022-01-01", timezone=PACIFIC_TZ_NAME, end_offset=1)
