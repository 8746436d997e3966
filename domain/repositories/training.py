"""Training sessions and payments, by id."""

from __future__ import annotations

from domain.models import (
    Payment,
    TrainingSession,
)
from domain.repositories.base import Repository


class SessionRepository(Repository[TrainingSession]):
    """Training sessions by id; queries over them are `domain.booking.queries.sessions`."""

    model = TrainingSession


class PaymentRepository(Repository[Payment]):
    """Payments for sessions and programs."""

    model = Payment
