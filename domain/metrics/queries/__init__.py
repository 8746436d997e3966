"""Every SQL statement of the metrics capability: results (`results`), metric types (`types`),
the monthly partitions (`partitions`) and a week of many athletes at once (`athlete_weeks`)."""
