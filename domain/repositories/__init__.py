"""Data access per aggregate; an open Transaction hands these to domain code."""

from domain.repositories.actors import ActorRows
from domain.repositories.base import Repository
from domain.repositories.metrics import MetricRepository
from domain.repositories.operations import AuditLog, Outbox
from domain.repositories.people import AthleteRepository, CoachRepository, UserRepository
from domain.repositories.training import (
    PaymentRepository,
    SessionRepository,
)

__all__ = [
    "ActorRows",
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
