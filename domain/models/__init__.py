"""SportsCenter's tables: the spec's nine plus the audit trail and notifications outbox."""

from domain.models.base import Base
from domain.models.money import HOLDING_THE_SESSION, Payment, PaymentStatus
from domain.models.operations import AuditEntry, Notification, NotificationKind
from domain.models.people import (
    LAST_ADMIN_CONSTRAINT,
    Admin,
    Athlete,
    AthleteLink,
    Coach,
    ErasureRequest,
    Invitation,
    InvitationKind,
    LinkRelation,
    MentorRequest,
    MentorRequestStatus,
    Role,
    User,
    UserStatus,
)
from domain.models.programs import (
    MATERIAL_MAX_BYTES,
    MATERIALS_PREFIX,
    EnrolmentHow,
    EnrolmentStatus,
    MaterialKind,
    ProgramEnrolment,
    ProgramMaterial,
    ProgramVersion,
    ProgramWorkoutLog,
    WorkoutStatus,
)
from domain.models.progress import (
    METRICS_TABLE,
    MetricArchive,
    MetricType,
    PerformanceMetric,
    VideoAnalysis,
    VideoReviewMessage,
    VideoStatus,
)
from domain.models.training import (
    NO_OVERLAP_CONSTRAINT,
    NutritionPlan,
    ProgramStatus,
    SessionParticipant,
    SessionPaymentStatus,
    SessionRating,
    SessionStatus,
    TrainingProgram,
    TrainingSession,
)

# Tables carrying updated_at, kept current by the set_updated_at trigger.
TABLES_WITH_UPDATED_AT = tuple(
    table.name for table in Base.metadata.sorted_tables if "updated_at" in table.c
)

__all__ = [
    "HOLDING_THE_SESSION",
    "LAST_ADMIN_CONSTRAINT",
    "MATERIALS_PREFIX",
    "MATERIAL_MAX_BYTES",
    "METRICS_TABLE",
    "NO_OVERLAP_CONSTRAINT",
    "TABLES_WITH_UPDATED_AT",
    "Admin",
    "Athlete",
    "AthleteLink",
    "AuditEntry",
    "Base",
    "Coach",
    "EnrolmentHow",
    "EnrolmentStatus",
    "ErasureRequest",
    "Invitation",
    "InvitationKind",
    "LinkRelation",
    "MaterialKind",
    "MentorRequest",
    "MentorRequestStatus",
    "MetricArchive",
    "MetricType",
    "Notification",
    "NotificationKind",
    "NutritionPlan",
    "Payment",
    "PaymentStatus",
    "PerformanceMetric",
    "ProgramEnrolment",
    "ProgramMaterial",
    "ProgramStatus",
    "ProgramVersion",
    "ProgramWorkoutLog",
    "Role",
    "SessionParticipant",
    "SessionPaymentStatus",
    "SessionRating",
    "SessionStatus",
    "TrainingProgram",
    "TrainingSession",
    "User",
    "UserStatus",
    "VideoAnalysis",
    "VideoReviewMessage",
    "VideoStatus",
    "WorkoutStatus",
]
