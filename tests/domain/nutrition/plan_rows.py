"""What the nutrition plans' domain tests share: foods of the bundled table by id, a family and
a coach who coaches both children, and actors read from the database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import update

from domain.actors import actor_for_user
from domain.models import Athlete, User
from domain.nutrition.plan_content import Targets
from domain.nutrition.plans import NewPlan
from domain.nutrition.restrictions import Restrictions
from domain.policy import Actor
from domain.uow import UnitOfWork
from tests.factories import BookingWorld, booking_world, session_at

# Ids of the bundled table (USDA SR28 numbers): stable across builds.
OATS = 20038  # gluten
BANANA = 9040
WHOLE_MILK = 1077  # milk
CHICKEN = 5062
WHITE_RICE = 20044
PEANUT_BUTTER = 16398  # peanuts
TARGETS = Targets(energy_kcal=2400, protein_g=150, carbohydrate_g=300, fat_g=80, water_ml=2500)
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


@dataclass
class Family:
    """Cora coaches Kim (Pia's child) and Lea (Omar's child)."""

    world: BookingWorld
    coach: Actor
    parent: Actor


async def family(uow: UnitOfWork, *, weights: tuple[str, str] = ("40", "60")) -> Family:
    """Both children booked with Cora (in the past), weighed; the actors read back."""
    world = await booking_world(uow)
    async with uow as tx:
        pairs = zip((world.child, world.other_child), weights, strict=True)
        for n, (athlete, kg) in enumerate(pairs):
            await tx.session.execute(
                update(Athlete).where(Athlete.id == athlete.id).values(weight_kg=Decimal(kg))
            )
            tx.session.add(
                session_at(world.coach, athlete, NOW - timedelta(days=20 + n), status="completed")
            )
        await tx.commit()
    async with uow as tx:
        coach = await actor_for_user(tx, await tx.session.get(User, world.coach_user.id))
        parent = await actor_for_user(tx, await tx.session.get(User, world.parent.id))
    return Family(world, coach, parent)


def new_plan(
    athlete_id: uuid.UUID,
    *,
    start: date = TODAY,
    days: int = 7,
    restrictions: Restrictions | None = None,
) -> NewPlan:
    """A maintenance plan from `start` for `days` days with the usual targets."""
    return NewPlan(
        athlete_id=athlete_id,
        plan_type="maintenance",
        start=start,
        end=start + timedelta(days=days - 1),
        goals=["stay strong"],
        targets=TARGETS,
        restrictions=restrictions or Restrictions(),
    )
