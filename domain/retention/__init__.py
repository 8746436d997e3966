"""Retention: raw videos to colder storage, old renditions deleted, old metric months archived."""

from domain.retention.metric_archives import (
    MetricArchiveMissing,
    archive_metric_months,
    restore_metric_month,
)
from domain.retention.run import RetentionPeriods, RetentionReport, apply_retention

__all__ = [
    "MetricArchiveMissing",
    "RetentionPeriods",
    "RetentionReport",
    "apply_retention",
    "archive_metric_months",
    "restore_metric_month",
]
