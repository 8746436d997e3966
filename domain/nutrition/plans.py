"""Writing a nutrition plan: for whom, its type, dates, goals, targets and restrictions, then the
meals of a training day and a rest day, food by food, with the totals against the targets; a
food that breaks a restriction is refused with the reason, and a plan in conflict is never
published. Publishing over another published plan's days replaces it, only once confirmed.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.exc import IntegrityError

from domain import policy
from domain.errors import DomainError, NotFound
from domain.models import MealSlot, NutritionPlan, NutritionPlanStatus
from domain.nutrition import queries
from domain.nutrition.allergens import Allergen, Diet
from domain.nutrition.foods import Food, search_foods
from domain.nutrition.known_foods import foods_named
from domain.nutrition.plan_content import DailyPlans, DayKind, DayMeals, Item, Targets
from domain.nutrition.restrictions import Restrictions, conflicts
from domain.nutrition.totals import Amount, AmountRefused, Totals, totals_of
from domain.people.birth_dates import age_on
from domain.policy import Action, Actor, AthleteTarget, NutritionTarget
from domain.secrets_box import SecretBox, UndecryptableField
from domain.uow import Transaction, UnitOfWork

log = logging.getLogger(__name__)
PLAN_TYPES = ("maintenance", "competition_week", "making_weight", "recovery")
MAX_DAYS = 366
MAX_GOALS = 10
MAX_TEXT = 200
OTHER = "other:"  # a free-text restriction, as kept in dietary_restrictions


class EndBeforeStart(DomainError):
    """The plan's last day comes before its first."""

    message_key = "nutrition.error.end_before_start"


class TooLong(DomainError):
    """A plan longer than a year."""

    message_key = "nutrition.error.too_long"


class NotADraft(DomainError):
    """A published or replaced plan is not edited: a new plan replaces it."""

    message_key = "nutrition.error.not_draft"


class FoodRefused(DomainError):
    """The food contains a declared allergen or breaks a declared diet."""

    message_key = "nutrition.error.food_refused"

    def __init__(self, food: Food, reasons: list[str]) -> None:
        super().__init__("food breaks a restriction")
        self.food, self.reasons = food, reasons


class PlanInConflict(DomainError):
    """Some of the plan's foods break its restrictions: it cannot be published."""

    message_key = "nutrition.error.plan_in_conflict"


class NothingPlanned(DomainError):
    """Neither the training day nor the rest day has any meal yet."""

    message_key = "nutrition.error.nothing_planned"


class OverlapsPlan(DomainError):
    """Another published plan covers some of these days: replace it only once confirmed."""

    message_key = "nutrition.error.overlaps"

    def __init__(self, start: date, end: date) -> None:
        super().__init__("overlaps a published plan")
        self.start, self.end = start, end


@dataclass(frozen=True)
class Line:
    """One item of a meal: its food and whole grams."""

    food: Food
    grams: int


@dataclass(frozen=True)
class MealView:
    """A meal with its items and their sum."""

    slot: MealSlot
    lines: list[Line]
    totals: Totals


@dataclass(frozen=True)
class DayView:
    """A day's meals, in order, and the day's totals."""

    kind: DayKind
    meals: list[MealView]
    totals: Totals


@dataclass(frozen=True)
class PlanView:
    """A plan as the chat shows it."""

    id: uuid.UUID
    athlete_id: uuid.UUID | None
    athlete_name: str
    status: str
    is_template: bool
    title: str | None
    plan_type: str | None
    start: date
    end: date
    goals: list[str]
    restrictions: Restrictions
    targets: Targets | None
    days: dict[DayKind, DayView]
    conflicts: list[tuple[Food, list[str]]]
    meal_reminders: bool
    breakfast_time: time = time(7, 0)
    may_write: bool = False
    may_template: bool = False
    author_id: uuid.UUID | None = None


def restrictions_of(stored: list[str] | None) -> Restrictions:
    """The restrictions `dietary_restrictions` holds: allergen and diet codes, free text."""
    values = stored or []
    allergens = {Allergen(v) for v in values if v in Allergen.__members__.values()}
    diets = {Diet(v) for v in values if v in Diet.__members__.values()}
    other = " ".join(v.removeprefix(OTHER) for v in values if v.startswith(OTHER)) or None
    return Restrictions(allergens=frozenset(allergens), diets=frozenset(diets), other=other)


def stored_restrictions(restrictions: Restrictions) -> list[str]:
    """What `dietary_restrictions` keeps of them (codes in a fixed order, then the text)."""
    codes = [a.value for a in Allergen if a in restrictions.allergens]
    codes += [d.value for d in Diet if d in restrictions.diets]
    other = (restrictions.other or "").strip()
    return codes + ([OTHER + other[:MAX_TEXT]] if other else [])


def reasons_against(food: Food, restrictions: Restrictions) -> list[str]:
    """The codes of the allergens and diets a food breaks (empty: it may be planned)."""
    return [str(c.allergen or c.diet) for c in conflicts(food, restrictions)]


def age_of(box: SecretBox | None, token: str | None, today: date) -> int | None:
    """An age from an encrypted date of birth (None: unknown or unreadable)."""
    if token is None or box is None:
        return None
    try:
        return age_on(box.decrypt_date(token), today)
    except UndecryptableField:
        log.warning("an athlete's date of birth cannot be read: age treated as unknown")
        return None


async def target_of(
    tx: Transaction, box: SecretBox | None, athlete_id: uuid.UUID, today: date
) -> NutritionTarget:
    """The athlete as the nutrition rules see them (with their age)."""
    found = await queries.athlete(tx, athlete_id)
    if found is None:
        raise NotFound("athlete")
    _athlete, user = found
    return NutritionTarget(athlete_id, age=age_of(box, user.date_of_birth_encrypted, today))


async def writable_athletes(
    uow: UnitOfWork, *, actor: Actor, box: SecretBox | None, today: date
) -> list[tuple[uuid.UUID, str]]:
    """The athletes the actor may write a plan for (themself from 16, children, coached)."""
    async with uow as tx:
        return await _writable_athletes(tx, actor, box, today)


async def _writable_athletes(
    tx: Transaction, actor: Actor, box: SecretBox | None, today: date
) -> list[tuple[uuid.UUID, str]]:
    own = {actor.own_athlete_id} if actor.own_athlete_id else set()
    candidates = own | actor.guarded_athlete_ids | actor.coached_athlete_ids
    allowed = []
    for athlete, user in await queries.athletes(tx, candidates):
        target = NutritionTarget(athlete.id, age_of(box, user.date_of_birth_encrypted, today))
        if policy.may(actor, Action.WRITE_NUTRITION_PLAN, target):
            allowed.append((athlete.id, user.first_name))
    return sorted(allowed, key=lambda pair: pair[0] != actor.own_athlete_id)


def require_dates(start: date, end: date) -> None:
    """EndBeforeStart or TooLong unless [start, end] is a plan's span."""
    if end < start:
        raise EndBeforeStart("end before start", start=start.isoformat(), end=end.isoformat())
    if (end - start).days + 1 > MAX_DAYS:
        raise TooLong("longer than a year")


@dataclass(frozen=True)
class NewPlan:
    """What the new-plan questions gathered."""

    athlete_id: uuid.UUID
    plan_type: str
    start: date
    end: date
    goals: list[str]
    targets: Targets | None
    restrictions: Restrictions


async def create(
    uow: UnitOfWork, *, actor: Actor, box: SecretBox | None, new: NewPlan, today: date
) -> uuid.UUID:
    """Save a new draft plan for an athlete the actor may write plans for."""
    require_dates(new.start, new.end)
    if new.plan_type not in PLAN_TYPES:
        raise NotFound("plan type")
    async with uow as tx:
        target = await target_of(tx, box, new.athlete_id, today)
        policy.require(actor, Action.WRITE_NUTRITION_PLAN, target)
        plan = NutritionPlan(
            id=uuid.uuid4(),
            athlete_id=new.athlete_id,
            created_by=actor.user_id,
            plan_type=new.plan_type,
            start_date=new.start,
            end_date=new.end,
            daily_plans=DailyPlans(targets=new.targets).stored(),
            dietary_restrictions=stored_restrictions(new.restrictions),
            goals=[g[:MAX_TEXT] for g in new.goals[:MAX_GOALS]],
            status=NutritionPlanStatus.DRAFT.value,
        )
        tx.session.add(plan)
        await tx.commit()
    return plan.id


async def _readable(
    tx: Transaction, actor: Actor, box: SecretBox | None, plan_id: uuid.UUID, today: date
) -> tuple[NutritionPlan, bool]:
    """The plan if the actor may see it, and whether they may write it."""
    plan = await queries.plan(tx, plan_id)
    if plan is None:
        raise NotFound("plan")
    if plan.is_template:
        if plan.created_by != actor.user_id:
            raise NotFound("template")
        return plan, True
    assert plan.athlete_id is not None
    target = await target_of(tx, box, plan.athlete_id, today)
    policy.require(actor, Action.VIEW_NUTRITION_PLAN, target)
    return plan, policy.may(actor, Action.WRITE_NUTRITION_PLAN, target)


async def _writable(
    tx: Transaction, actor: Actor, box: SecretBox | None, plan_id: uuid.UUID, today: date
) -> NutritionPlan:
    plan = await queries.plan(tx, plan_id, lock=True)
    if plan is None:
        raise NotFound("plan")
    if plan.is_template:
        if plan.created_by != actor.user_id:
            raise NotFound("template")
        return plan
    assert plan.athlete_id is not None
    policy.require(
        actor, Action.WRITE_NUTRITION_PLAN, await target_of(tx, box, plan.athlete_id, today)
    )
    if plan.status != NutritionPlanStatus.DRAFT:
        raise NotADraft("not a draft")
    return plan


async def view(
    uow: UnitOfWork, *, actor: Actor, box: SecretBox | None, plan_id: uuid.UUID, today: date
) -> PlanView:
    """A plan with its meals, totals, targets and conflicts, for whoever may see it."""
    async with uow as tx:
        plan, may_write = await _readable(tx, actor, box, plan_id, today)
        found = await view_of(tx, plan)
    template = actor.coach_id is not None and policy.may(
        actor, Action.AUTHOR_NUTRITION_TEMPLATE, policy.CoachTarget(actor.coach_id)
    )
    return _with(found, may_write=may_write, may_template=template and not plan.is_template)


def _with(found: PlanView, **changes: object) -> PlanView:
    return PlanView(**{**found.__dict__, **changes})  # type: ignore[arg-type]


async def view_of(tx: Transaction, plan: NutritionPlan) -> PlanView:
    """A stored plan read with its foods (no access check: the caller's)."""
    content = DailyPlans.from_stored(plan.daily_plans)
    foods = await foods_named(tx, content.food_ids())
    restrictions = restrictions_of(plan.dietary_restrictions)
    name = ""
    if plan.athlete_id is not None:
        found = await queries.athlete(tx, plan.athlete_id)
        name = found[1].first_name if found else ""
    clashes = []
    for food_id in sorted(content.food_ids()):
        food = foods.get(food_id)
        reasons = reasons_against(food, restrictions) if food else []
        if food and reasons:
            clashes.append((food, reasons))
    return PlanView(
        id=plan.id,
        athlete_id=plan.athlete_id,
        athlete_name=name,
        status=plan.status,
        is_template=plan.is_template,
        title=plan.title,
        plan_type=plan.plan_type,
        start=plan.start_date or date.min,
        end=plan.end_date or date.min,
        goals=list(plan.goals or []),
        restrictions=restrictions,
        targets=content.targets,
        days={kind: day_view(kind, content.template(kind), foods) for kind in DayKind},
        conflicts=clashes,
        meal_reminders=plan.meal_reminders,
        breakfast_time=plan.breakfast_time,
        author_id=plan.created_by,
    )


def day_view(kind: DayKind, meals: DayMeals, foods: dict[int, Food]) -> DayView:
    """A day's meals with the totals of each meal and the day (unknown foods left out)."""
    views = []
    for slot in meals.slots():
        lines = [
            Line(foods[item.food_id], item.grams)
            for item in meals.meals[slot]
            if item.food_id in foods
        ]
        totals = totals_of(Amount(line.food, Decimal(line.grams)) for line in lines)
        views.append(MealView(slot, lines, totals))
    return DayView(kind, views, _sum(meal.totals for meal in views))


def _sum(parts: Iterable[Totals]) -> Totals:
    total = Totals()
    for part in parts:
        total = total + part
    return total


async def add_item(
    uow: UnitOfWork,
    *,
    actor: Actor,
    box: SecretBox | None,
    plan_id: uuid.UUID,
    kind: DayKind,
    slot: MealSlot,
    food_id: int,
    grams: Decimal,
    today: date,
) -> PlanView:
    """Add an amount of a food to a meal of the training or rest day; a food that breaks the
    plan's restrictions is refused with the reason, an absurd amount is refused."""
    async with uow as tx:
        plan = await _writable(tx, actor, box, plan_id, today)
        food = (await foods_named(tx, [food_id])).get(food_id)
        if food is None:
            raise NotFound("food")
        Amount(food, grams)  # refuses what no meal could mean (the foods' rule)
        reasons = reasons_against(food, restrictions_of(plan.dietary_restrictions))
        if reasons:
            raise FoodRefused(food, reasons)
        content = DailyPlans.from_stored(plan.daily_plans)
        whole = int(grams.to_integral_value(ROUND_HALF_UP))
        if whole < 1:  # half a gram: nothing a plan can weigh
            raise AmountRefused("not_positive", grams=grams)
        item = Item(food_id=food_id, grams=whole)
        plan.daily_plans = content.with_template(
            kind, content.template(kind).with_item(slot, item)
        ).stored()
        found = await view_of(tx, plan)
        await tx.commit()
    return _with(found, may_write=True)


async def remove_item(
    uow: UnitOfWork,
    *,
    actor: Actor,
    box: SecretBox | None,
    plan_id: uuid.UUID,
    kind: DayKind,
    slot: MealSlot,
    index: int,
    today: date,
) -> PlanView:
    """Remove a meal's item (0-based) from the training or rest day of a draft."""
    async with uow as tx:
        plan = await _writable(tx, actor, box, plan_id, today)
        content = DailyPlans.from_stored(plan.daily_plans)
        plan.daily_plans = content.with_template(
            kind, content.template(kind).without_item(slot, index)
        ).stored()
        found = await view_of(tx, plan)
        await tx.commit()
    return _with(found, may_write=True)


@dataclass(frozen=True)
class Published:
    """A plan published, and the spans of the plans it replaced."""

    plan_id: uuid.UUID
    start: date
    end: date
    replaced: list[tuple[date, date]]


async def publish(
    uow: UnitOfWork,
    *,
    actor: Actor,
    box: SecretBox | None,
    plan_id: uuid.UUID,
    now: datetime,
    today: date,
    replace: bool = False,
) -> Published:
    """Publish a draft: refused while in conflict or empty; over another published plan's
    days only with `replace` (that plan then stands replaced)."""
    async with uow as tx:
        plan = await _writable(tx, actor, box, plan_id, today)
        if plan.is_template:
            raise NotADraft("a template is applied, not published")
        published = await publish_in(tx, plan, now=now, replace=replace)
        await tx.commit()
    return published


async def publish_in(
    tx: Transaction, plan: NutritionPlan, *, now: datetime, replace: bool
) -> Published:
    """Publish a draft within the caller's transaction (checks as `publish`)."""
    found = await view_of(tx, plan)
    if found.conflicts:
        raise PlanInConflict("foods break the restrictions")
    if not any(day.meals for day in found.days.values()):
        raise NothingPlanned("no meals")
    assert plan.athlete_id and plan.start_date and plan.end_date
    others = await queries.overlapping(
        tx, plan.athlete_id, plan.start_date, plan.end_date, but=plan.id
    )
    if others and not replace:
        first = others[0]
        raise OverlapsPlan(first.start_date or plan.start_date, first.end_date or plan.end_date)
    if others:
        await queries.mark_replaced(tx, [other.id for other in others])
    plan.status = NutritionPlanStatus.PUBLISHED.value
    plan.published_at = now
    try:
        await tx.flush()
    except IntegrityError:  # another plan was published for these days meanwhile
        raise OverlapsPlan(plan.start_date, plan.end_date) from None
    return Published(
        plan.id,
        plan.start_date,
        plan.end_date,
        [(o.start_date or plan.start_date, o.end_date or plan.end_date) for o in others],
    )


BREAKFAST_TIMES = (time(6, 0), time(7, 0), time(8, 0), time(9, 0))


async def set_delivery(
    uow: UnitOfWork,
    *,
    actor: Actor,
    box: SecretBox | None,
    plan_id: uuid.UUID,
    today: date,
    reminders: bool | None = None,
    breakfast: time | None = None,
) -> PlanView:
    """Change when the plan's days arrive or turn its meal reminders on or off (the athlete's
    side, or whoever may write the athlete's plans)."""
    if breakfast is not None and breakfast not in BREAKFAST_TIMES:
        raise NotFound("breakfast time")
    async with uow as tx:
        plan = await queries.plan(tx, plan_id, lock=True)
        if plan is None or plan.athlete_id is None:
            raise NotFound("plan")
        target = await target_of(tx, box, plan.athlete_id, today)
        may_write = policy.may(actor, Action.WRITE_NUTRITION_PLAN, target)
        if not may_write:
            policy.require(actor, Action.CHECK_IN_MEAL, target)
        if reminders is not None:
            plan.meal_reminders = reminders
            if not reminders:
                await queries.drop_unsent_meals(tx, plan.id)
        if breakfast is not None:
            plan.breakfast_time = breakfast
        found = await view_of(tx, plan)
        await tx.commit()
    return _with(found, may_write=may_write)


async def find_foods(uow: UnitOfWork, *, text: str, language: str) -> list[Food]:
    """Foods near a typed name, best first (the nearest names when nothing is close)."""
    async with uow as tx:
        return await search_foods(tx, text, language)


@dataclass(frozen=True)
class PlanList:
    """What /nutrition lists: the plans one may see (with each athlete's first name), and
    whether there is anyone one may write a new plan for."""

    plans: list[tuple[NutritionPlan, str]]
    may_write: bool


async def plan_list(
    uow: UnitOfWork, *, actor: Actor, box: SecretBox | None, today: date
) -> PlanList:
    """The drafts and published plans of the athletes whose plans the actor may see (their
    own, their children's, those they coach), and whether they may start a new one."""
    own = {actor.own_athlete_id} if actor.own_athlete_id else set()
    candidates = own | actor.guarded_athlete_ids | actor.coached_athlete_ids
    allowed = [
        a for a in candidates if policy.may(actor, Action.VIEW_NUTRITION_PLAN, AthleteTarget(a))
    ]
    async with uow as tx:
        rows = await queries.plans_of(tx, allowed)
        writable = await _writable_athletes(tx, actor, box, today)
    return PlanList([(plan, name) for plan, name in rows], bool(writable))
