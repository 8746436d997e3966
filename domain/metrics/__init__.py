"""Performance metrics: the catalogue of what can be logged, typed log lines and their units,
logging and undoing, personal bests, the latest values, progress over time, CSV export, a
coach's roster and the weekly summaries.
"""
