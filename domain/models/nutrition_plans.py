"""What athletes answer to their nutrition plans: a check-in per meal and the day's water."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, UuidPk, one_of

# Meal photos sit under the athlete's own user, as videos do (docs/schema.md, Object storage).
MEAL_PHOTOS_PREFIX = "nutrition/meals/"
MAX_WATER_ML = 20_000


class MealSlot(StrEnum):
    """The meals of a day, in the order they are eaten."""

    BREAKFAST = "breakfast"
    BEFORE_TRAINING = "before_training"
    LUNCH = "lunch"
    SNACKS = "snacks"
    AFTER_TRAINING = "after_training"
    DINNER = "dinner"


class CheckinStatus(StrEnum):
    """How a planned meal went."""

    AS_PLANNED = "as_planned"
    CHANGED = "changed"
    SKIPPED = "skipped"


class NutritionCheckin(Base):
    """An athlete's answer to one meal of one day of a plan (a second answer replaces it)."""

    __tablename__ = "nutrition_checkins"
    __table_args__ = (
        UniqueConstraint("plan_id", "day", "meal"),
        CheckConstraint(one_of("meal", MealSlot), name="meal"),
        CheckConstraint(one_of("status", CheckinStatus), name="status"),
        CheckConstraint(f"photo_key LIKE '{MEAL_PHOTOS_PREFIX}%'", name="photo_key"),
    )

    id: Mapped[UuidPk]
    plan_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("nutrition_plans.id", ondelete="CASCADE")
    )
    day: Mapped[date] = mapped_column(Date)
    meal: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    photo_key: Mapped[str | None] = mapped_column(Text)
    logged_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    logged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class NutritionWater(Base):
    """The water an athlete drank on one day of a plan, in ml (each tap adds to it)."""

    __tablename__ = "nutrition_water"
    __table_args__ = (
        UniqueConstraint("plan_id", "day"),
        CheckConstraint(f"water_ml BETWEEN 0 AND {MAX_WATER_ML}", name="water_ml"),
    )

    id: Mapped[UuidPk]
    plan_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("nutrition_plans.id", ondelete="CASCADE")
    )
    day: Mapped[date] = mapped_column(Date)
    water_ml: Mapped[int] = mapped_column(Integer)
    logged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
