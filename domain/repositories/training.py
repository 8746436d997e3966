"""Training sessions, programs, nutrition plans, videos and payments."""

from __future__ import annotations

from domain.models import (
    NutritionPlan,
    Payment,
    TrainingProgram,
    TrainingSession,
    VideoAnalysis,
)
from domain.repositories.base import Repository


class SessionRepository(Repository[TrainingSession]):
    """Training sessions by id; queries over them are `domain.booking.queries.sessions`."""

    model = TrainingSession


class ProgramRepository(Repository[TrainingProgram]):
    """Coaches' training programs."""

    model = TrainingProgram


class NutritionPlanRepository(Repository[NutritionPlan]):
    """Athletes' nutrition plans."""

    model = NutritionPlan


class VideoRepository(Repository[VideoAnalysis]):
    """Uploaded videos and their analysis."""

    model = VideoAnalysis


class PaymentRepository(Repository[Payment]):
    """Payments for sessions and programs."""

    model = Payment
