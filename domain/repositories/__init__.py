"""The kernel's data access, handed out by an open Transaction: any row by id, the acting
user's row, audit entries, outbox rows, advisory locks. A capability's own queries are
`domain/<capability>/queries`."""

from domain.repositories.actors import ActorRows
from domain.repositories.base import Repository
from domain.repositories.metrics import MetricRepository
from domain.repositories.operations import AuditLog, Outbox
from domain.repositories.people import (
    AdminRepository,
    AthleteRepository,
    CoachRepository,
    UserRepository,
)
from domain.repositories.training import (
    PaymentRepository,
    SessionRepository,
)

__all__ = [
    "ActorRows",
    "AdminRepository",
    "AthleteRepository",
    "AuditLog",
    "CoachRepository",
    "MetricRepository",
    "Outbox",
    "PaymentRepository",
    "Repository",
    "SessionRepository",
    "UserRepository",
]
