"""A coach's templates: a plan saved without its athlete (its amounts written for the athlete's
body weight), applied to several athletes they coach at once, every amount and target scaled by
each athlete's weight over the template's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain import policy
from domain.errors import DomainError, NotFound
from domain.models import NutritionPlan, NutritionPlanStatus
from domain.nutrition import queries
from domain.nutrition.plan_content import DailyPlans
from domain.nutrition.plans import (
    MAX_TEXT,
    OverlapsPlan,
    PlanInConflict,
    age_of,
    publish_in,
    require_dates,
)
from domain.policy import Action, Actor, CoachTarget, NutritionTarget
from domain.secrets_box import SecretBox
from domain.uow import UnitOfWork

MAX_ATHLETES = 50


class NoWeight(DomainError):
    """The plan's athlete has no body weight in their profile: nothing to scale by."""

    message_key = "nutrition.error.no_weight"


class Outcome(StrEnum):
    """What applying a template did for one athlete."""

    PUBLISHED = "published"
    OVERLAPS = "overlaps"  # a published plan covers some of the days: left as a draft
    NO_WEIGHT = "no_weight"  # no body weight to scale by: nothing made
    CONFLICT = "conflict"  # a food breaks the athlete's... restrictions: left as a draft


@dataclass(frozen=True)
class Applied:
    """One athlete's result of applying a template."""

    athlete_id: uuid.UUID
    name: str
    outcome: Outcome
    factor: Decimal | None = None


def _require_author(actor: Actor) -> uuid.UUID:
    if actor.coach_id is None:
        raise NotFound("coach profile")
    policy.require(actor, Action.AUTHOR_NUTRITION_TEMPLATE, CoachTarget(actor.coach_id))
    return actor.coach_id


async def save_as_template(
    uow: UnitOfWork, *, actor: Actor, box: SecretBox | None, plan_id: uuid.UUID, today: date
) -> uuid.UUID:
    """Save a plan the coach may see as one of their templates, for its athlete's weight."""
    _require_author(actor)
    async with uow as tx:
        plan = await queries.plan(tx, plan_id)
        if plan is None or plan.athlete_id is None:
            raise NotFound("plan")
        found = await queries.athlete(tx, plan.athlete_id)
        assert found is not None
        athlete, user = found
        age = age_of(box, user.date_of_birth_encrypted, today)
        policy.require(actor, Action.VIEW_NUTRITION_PLAN, NutritionTarget(plan.athlete_id, age=age))
        if not athlete.weight_kg:
            raise NoWeight("no weight", name=user.first_name)
        template = NutritionPlan(
            id=uuid.uuid4(),
            athlete_id=None,
            is_template=True,
            created_by=actor.user_id,
            title=f"{user.first_name}, {plan.start_date}"[:MAX_TEXT],
            template_weight_kg=athlete.weight_kg,
            plan_type=plan.plan_type,
            start_date=plan.start_date,
            end_date=plan.end_date,
            daily_plans=plan.daily_plans,
            dietary_restrictions=plan.dietary_restrictions,
            goals=plan.goals,
            status=NutritionPlanStatus.DRAFT.value,
        )
        tx.session.add(template)
        await tx.commit()
    return template.id


@dataclass(frozen=True)
class Template:
    """A coach's template as listed: its type, the weight it was written for, its length."""

    id: uuid.UUID
    plan_type: str | None
    weight_kg: Decimal
    days: int
    title: str


async def templates(uow: UnitOfWork, *, actor: Actor) -> list[Template]:
    """The coach's templates."""
    _require_author(actor)
    async with uow as tx:
        found = await queries.templates_of(tx, actor.user_id)
    return [
        Template(
            t.id,
            t.plan_type,
            t.template_weight_kg or Decimal(0),
            (t.end_date - t.start_date).days + 1 if t.start_date and t.end_date else 0,
            t.title or "",
        )
        for t in found
    ]


async def apply(
    uow: UnitOfWork,
    *,
    actor: Actor,
    box: SecretBox | None,
    template_id: uuid.UUID,
    athlete_ids: list[uuid.UUID],
    start: date,
    today: date,
    now: datetime,
) -> list[Applied]:
    """A plan from the template for each athlete (the coach's), from `start` for as many days
    as the template spans, scaled by body weight, published unless it cannot be."""
    _require_author(actor)
    async with uow as tx:
        template = await queries.plan(tx, template_id)
        if template is None or not template.is_template or template.created_by != actor.user_id:
            raise NotFound("template")
        assert template.start_date and template.end_date and template.template_weight_kg
        end = start + (template.end_date - template.start_date)
        require_dates(start, end)
        content = DailyPlans.from_stored(template.daily_plans)
        results = []
        for athlete, user in await queries.athletes(tx, athlete_ids[:MAX_ATHLETES]):
            age = age_of(box, user.date_of_birth_encrypted, today)
            target = NutritionTarget(athlete.id, age=age)
            policy.require(actor, Action.WRITE_NUTRITION_PLAN, target)
            if not athlete.weight_kg:
                results.append(Applied(athlete.id, user.first_name, Outcome.NO_WEIGHT))
                continue
            factor = Decimal(athlete.weight_kg) / Decimal(template.template_weight_kg)
            plan = NutritionPlan(
                id=uuid.uuid4(),
                athlete_id=athlete.id,
                created_by=actor.user_id,
                plan_type=template.plan_type,
                start_date=start,
                end_date=end,
                daily_plans=content.scaled(factor).stored(),
                dietary_restrictions=template.dietary_restrictions,
                goals=template.goals,
                status=NutritionPlanStatus.DRAFT.value,
            )
            tx.session.add(plan)
            await tx.flush()
            outcome = Outcome.PUBLISHED
            try:
                async with tx.session.begin_nested():
                    await publish_in(tx, plan, now=now, replace=False)
            except OverlapsPlan:
                outcome = Outcome.OVERLAPS
            except PlanInConflict:
                outcome = Outcome.CONFLICT
            results.append(Applied(athlete.id, user.first_name, outcome, factor))
        await tx.commit()
    return results
