"""SportsCenter's tables: the spec's nine plus the audit trail and notifications outbox."""

from domain.models.base import Base
from domain.models.money import Payment
from domain.models.operations import AuditEntry, Notification
from domain.models.people import ROLES, Athlete, AthleteLink, Coach, Invitation, User
from domain.models.progress import (
    METRICS_TABLE,
    VIDEO_STATUSES,
    MetricType,
    PerformanceMetric,
    VideoAnalysis,
    VideoReviewMessage,
)
from domain.models.training import (
    NO_OVERLAP_CONSTRAINT,
    PAYMENT_STATUSES,
    SESSION_STATUSES,
    NutritionPlan,
    SessionParticipant,
    TrainingProgram,
    TrainingSession,
)

# Tables carrying updated_at, kept current by the set_updated_at trigger.
TABLES_WITH_UPDATED_AT = tuple(
    table.name for table in Base.metadata.sorted_tables if "updated_at" in table.c
)

__all__ = [
    "METRICS_TABLE",
    "NO_OVERLAP_CONSTRAINT",
    "PAYMENT_STATUSES",
    "ROLES",
    "SESSION_STATUSES",
    "TABLES_WITH_UPDATED_AT",
    "VIDEO_STATUSES",
    "Athlete",
    "AthleteLink",
    "AuditEntry",
    "Base",
    "Coach",
    "Invitation",
    "MetricType",
    "Notification",
    "NutritionPlan",
    "Payment",
    "PerformanceMetric",
    "SessionParticipant",
    "TrainingProgram",
    "TrainingSession",
    "User",
    "VideoAnalysis",
    "VideoReviewMessage",
]
