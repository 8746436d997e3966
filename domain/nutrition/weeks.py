"""A plan's weeks: the weekly adherence (to the athlete, the guardians and the plan's author,
Monday 08:00 in the athlete's zone, for the week before) and the printable week with its
shopping list.

Adherence counts each planned meal of the week's days as answered: as planned, changed,
skipped, or not answered. What was eaten is estimated from the answers: a meal eaten as planned
or changed counts at its planned amounts (a changed meal's real amounts are not asked), a
skipped or unanswered one counts nothing; the chart sets each day's estimate of energy and
protein against the targets.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain import policy
from domain.errors import NotFound
from domain.models import CheckinStatus, MealSlot
from domain.nutrition import queries
from domain.nutrition.days import day_kind
from domain.nutrition.foods import Food, FoodKind
from domain.nutrition.known_foods import foods_named
from domain.nutrition.plan_content import DailyPlans, DayKind, Targets
from domain.nutrition.plans import DayView, age_of, day_view
from domain.nutrition.totals import Totals
from domain.policy import Action, Actor, NutritionTarget
from domain.secrets_box import SecretBox
from domain.uow import Transaction, UnitOfWork

WEEKLY_AT = time(8, 0)  # Monday, in the athlete's zone
CATCH_UP = timedelta(hours=3)  # a run missed at 08:00 still sends it until 11:00
EATEN = frozenset({CheckinStatus.AS_PLANNED, CheckinStatus.CHANGED})


@dataclass(frozen=True)
class DayAdherence:
    """One day of the week: its kind, planned and estimated eaten totals, its answers."""

    on: date
    kind: DayKind
    planned: Totals
    eaten: Totals
    answers: dict[str, int]  # status (or "unanswered") → meals
    water_ml: int


@dataclass(frozen=True)
class WeekAdherence:
    """A plan's week as its weekly message tells it."""

    plan_id: uuid.UUID
    athlete_name: str
    first: date
    days: list[DayAdherence]
    targets: Targets | None

    def count(self, status: str) -> int:
        """Meals of the week with this answer (or "unanswered")."""
        return sum(day.answers.get(status, 0) for day in self.days)

    def planned_meals(self) -> int:
        """Meals planned over the week's days."""
        return sum(sum(day.answers.values()) for day in self.days)

    def kept_percent(self) -> int:
        """Meals eaten as planned, as a share of those planned."""
        planned = self.planned_meals()
        return round(100 * self.count(CheckinStatus.AS_PLANNED) / planned) if planned else 0


def week_start(on: date) -> date:
    """The Monday of a date's week."""
    return on - timedelta(days=on.weekday())


async def adherence(uow: UnitOfWork, *, plan_id: uuid.UUID, first: date) -> WeekAdherence | None:
    """A plan's week from Monday `first` (its days within the plan), for the weekly message."""
    async with uow as tx:
        plan = await queries.plan(tx, plan_id)
        if plan is None or plan.athlete_id is None or plan.start_date is None:
            return None
        assert plan.end_date is not None
        found = await queries.athlete(tx, plan.athlete_id)
        assert found is not None
        user = found[1]
        content = DailyPlans.from_stored(plan.daily_plans)
        foods = await foods_named(tx, content.food_ids())
        last = first + timedelta(days=6)
        answers = await queries.checkins(tx, plan.id, first, last)
        water = await queries.water(tx, plan.id, first, last)
        days = []
        for n in range(7):
            on = first + timedelta(days=n)
            if not plan.start_date <= on <= plan.end_date:
                continue
            kind = await day_kind(tx, plan.athlete_id, on, user.timezone or "UTC")
            view = day_view(kind, content.for_day(on, kind), foods)
            said = {MealSlot(a.meal): a.status for a in answers if a.day == on}
            days.append(_day(on, view, said, water.get(on, 0)))
    return WeekAdherence(plan.id, user.first_name, first, days, content.targets)


def _day(on: date, view: DayView, said: dict[MealSlot, str], water_ml: int) -> DayAdherence:
    counts: dict[str, int] = defaultdict(int)
    eaten = Totals()
    for meal in view.meals:
        status = said.get(meal.slot, "unanswered")
        counts[status] += 1
        if status in EATEN:
            eaten = eaten + meal.totals
    return DayAdherence(on, view.kind, view.totals, eaten, dict(counts), water_ml)


async def queue_weekly(uow: UnitOfWork, *, now: datetime) -> int:
    """Queue last week's adherence of every published plan whose athlete's Monday 08:00 has
    come (until CATCH_UP later), to the athlete, the guardians and the author; how many new."""
    queued = 0
    async with uow as tx:
        horizon = now.date()
        rows = await queries.plans_for_week(
            tx, horizon - timedelta(days=9), horizon - timedelta(days=1)
        )
        items = []
        for plan_id, athlete_id, author_id, user in rows:
            local = now.astimezone(ZoneInfo(user.timezone or "UTC"))
            at = datetime.combine(local.date(), WEEKLY_AT, tzinfo=local.tzinfo)
            if local.weekday() != 0 or not at <= local < at + CATCH_UP:
                continue
            first = week_start(local.date()) - timedelta(days=7)
            for recipient in await _week_recipients(tx, athlete_id, user, author_id):
                items.append(
                    {
                        "recipient_id": recipient,
                        "kind": queries.WEEK_KIND,
                        "dedup_key": f"{queries.WEEK_KIND}:{plan_id}:{first}:{recipient}",
                        "due_at": now,
                        "payload": {"plan_id": str(plan_id), "first": first.isoformat()},
                    }
                )
        if items:
            queued = await tx.outbox.enqueue_many(items)
        await tx.commit()
    return queued


async def _week_recipients(
    tx: Transaction, athlete_id: uuid.UUID, user: object, author_id: uuid.UUID | None
) -> list[uuid.UUID]:
    found: list[uuid.UUID] = []
    reachable = getattr(user, "telegram_user_id", None) or getattr(user, "telegram_chat_id", None)
    if reachable:
        found.append(user.id)  # type: ignore[attr-defined]
    for guardian in await queries.guardian_ids(tx, athlete_id):
        if guardian not in found:
            found.append(guardian)
    if author_id is not None and author_id not in found:
        found.append(author_id)
    return found


@dataclass(frozen=True)
class PrintableWeek:
    """Seven days of a plan from a date, and what to buy for them."""

    athlete_name: str
    first: date
    days: list[tuple[date, DayView]]
    targets: Targets | None
    shopping: dict[FoodKind, list[tuple[Food, Decimal]]]


async def printable_week(
    uow: UnitOfWork,
    *,
    actor: Actor,
    box: SecretBox | None,
    plan_id: uuid.UUID,
    first: date,
    today: date,
) -> PrintableWeek:
    """The plan's seven days from `first` (within the plan) and the shopping list for them,
    grouped by kind of food with the grams summed."""
    async with uow as tx:
        plan = await queries.plan(tx, plan_id)
        if plan is None or plan.start_date is None or plan.end_date is None:
            raise NotFound("plan")
        name = ""
        if plan.is_template:
            if plan.created_by != actor.user_id:
                raise NotFound("template")
        else:
            assert plan.athlete_id is not None
            found = await queries.athlete(tx, plan.athlete_id)
            assert found is not None
            name = found[1].first_name
            age = age_of(box, found[1].date_of_birth_encrypted, today)
            target = NutritionTarget(plan.athlete_id, age=age)
            policy.require(actor, Action.VIEW_NUTRITION_PLAN, target)
        # Seven days of the plan from `first`, or its last seven when fewer are left.
        first = max(plan.start_date, min(first, plan.end_date - timedelta(days=6)))
        content = DailyPlans.from_stored(plan.daily_plans)
        foods = await foods_named(tx, content.food_ids())
        days = []
        for n in range(7):
            on = first + timedelta(days=n)
            if on > plan.end_date:
                break
            kind = DayKind.REST
            if plan.athlete_id is not None:
                kind = await day_kind(tx, plan.athlete_id, on, found[1].timezone or "UTC")
            days.append((on, day_view(kind, content.for_day(on, kind), foods)))
    return PrintableWeek(name, first, days, content.targets, shopping_list(days))


def shopping_list(days: list[tuple[date, DayView]]) -> dict[FoodKind, list[tuple[Food, Decimal]]]:
    """Every food of these days with its grams summed, grouped by kind, by name within."""
    grams: dict[int, Decimal] = defaultdict(Decimal)
    foods: dict[int, Food] = {}
    for _on, view in days:
        for meal in view.meals:
            for line in meal.lines:
                grams[line.food.id] += line.grams
                foods[line.food.id] = line.food
    grouped: dict[FoodKind, list[tuple[Food, Decimal]]] = defaultdict(list)
    for food_id, total in grams.items():
        grouped[foods[food_id].kind].append((foods[food_id], total))
    return {
        kind: sorted(grouped[kind], key=lambda pair: pair[0].name_en)
        for kind in FoodKind
        if kind in grouped
    }
