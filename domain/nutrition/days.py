"""A plan's days: which template each follows, their delivery, and the athlete's answers.

A day is a training day when the athlete has a booked session that local day (requested,
scheduled or held: not cancelled; booking's query) or a program workout (programs' query), else
a rest day; it is decided when the day is sent, so a session booked the evening before counts.

Delivery, as program days: `queue_due_days` (a job, every minute) queues in one statement each
day whose local breakfast time has come, for the athlete and every guardian, with a dedup key
per plan, day and recipient (no duplicates, several senders); a day missed while the bot was
down is still sent up to STALE later (no loss). Meal reminders, a plan's option, likewise.

Check-ins: per meal as planned / changed / skipped (a second answer replaces the first), an
optional photo kept in storage under `nutrition/meals/{athlete's userId}/{planId}/`, and water
added a glass at a time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain import policy
from domain.adapters.storage import MediaStorage
from domain.booking.queries.sessions import athletes_session_ids
from domain.errors import DomainError, NotFound
from domain.models import MAX_WATER_ML, MEAL_PHOTOS_PREFIX, CheckinStatus, MealSlot
from domain.models import NutritionPlanStatus as Status
from domain.nutrition import queries
from domain.nutrition.known_foods import foods_named
from domain.nutrition.plan_content import DailyPlans, DayKind, Targets
from domain.nutrition.plans import DayView, age_of, day_view
from domain.policy import Action, Actor, NutritionTarget
from domain.programs.content import ProgramContent
from domain.programs.following.queries import enrolments_with_content
from domain.secrets_box import SecretBox
from domain.uow import Transaction, UnitOfWork

LOOKAHEAD = timedelta(minutes=2)
STALE = timedelta(hours=20)
GLASS_ML = (250, 500)
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": ("jpg", "image/jpeg"), b"\x89PNG": ("png", "image/png")}


class NotThatDay(DomainError):
    """A day outside the plan, still ahead, or a meal the day does not have."""

    message_key = "nutrition.error.not_that_day"


class NotAPhoto(DomainError):
    """A file that is not a JPEG or PNG picture, or too large."""

    message_key = "nutrition.error.not_a_photo"


async def queue_due_days(uow: UnitOfWork, *, now: datetime) -> int:
    """Queue every plan day and meal reminder due by now (and LOOKAHEAD); how many were new."""
    async with uow as tx:
        queued = await queries.queue_days(tx, horizon=now + LOOKAHEAD, stale=STALE)
        queued += await queries.queue_meals(tx, horizon=now + LOOKAHEAD, stale=STALE)
        await tx.commit()
    return queued


async def day_kind(tx: Transaction, athlete_id: uuid.UUID, on: date, zone: str) -> DayKind:
    """Training day (a live session that local day, or a program workout), else rest day."""
    tz = ZoneInfo(zone)
    start = datetime.combine(on, time(0), tzinfo=tz)
    if await athletes_session_ids(tx, [athlete_id], start, start + timedelta(days=1)):
        return DayKind.TRAINING
    for enrolment, _title, content in await enrolments_with_content(tx, athlete_id):
        if enrolment.paused_at is not None:
            continue
        n = (on - enrolment.start_date).days
        if n < 0:
            continue
        week = ProgramContent.from_stored(content).week(n // 7 + 1)
        if week is not None and week.day(n % 7 + 1) is not None:
            return DayKind.TRAINING
    return DayKind.REST


@dataclass(frozen=True)
class PlanDay:
    """One day of a plan as sent: whose, which kind, its meals against the targets, answers."""

    plan_id: uuid.UUID
    athlete_id: uuid.UUID
    athlete_user_id: uuid.UUID
    athlete_name: str
    on: date
    day: DayView
    targets: Targets | None
    answers: dict[MealSlot, str]
    water_ml: int


async def plan_day(uow: UnitOfWork, *, plan_id: uuid.UUID, on: date) -> PlanDay | None:
    """The plan's day as it reads now; None when the plan was replaced or the day is not its."""
    async with uow as tx:
        return await _plan_day(tx, plan_id, on)


async def _plan_day(tx: Transaction, plan_id: uuid.UUID, on: date) -> PlanDay | None:
    found = await queries.plan_with_athlete(tx, plan_id)
    if found is None:
        return None
    plan, _athlete, user = found
    if plan.status != Status.PUBLISHED or plan.athlete_id is None:
        return None
    if not (plan.start_date and plan.end_date and plan.start_date <= on <= plan.end_date):
        return None
    kind = await day_kind(tx, plan.athlete_id, on, user.timezone or "UTC")
    content = DailyPlans.from_stored(plan.daily_plans)
    meals = content.for_day(on, kind)
    foods = await foods_named(tx, {item.food_id for item in meals.items()})
    answers, water = await queries.answers_and_water(tx, plan.id, on)
    return PlanDay(
        plan.id,
        plan.athlete_id,
        user.id,
        user.first_name,
        on,
        day_view(kind, meals, foods),
        content.targets,
        {MealSlot(meal): status for meal, status in answers.items()},
        water,
    )


async def _answerable(
    tx: Transaction,
    actor: Actor,
    box: SecretBox | None,
    plan_id: uuid.UUID,
    on: date,
    today: date,
) -> PlanDay:
    plan = await queries.plan(tx, plan_id)
    if plan is None or plan.athlete_id is None:
        raise NotFound("plan")
    found = await queries.athlete(tx, plan.athlete_id)
    assert found is not None
    target = NutritionTarget(plan.athlete_id, age_of(box, found[1].date_of_birth_encrypted, today))
    policy.require(actor, Action.CHECK_IN_MEAL, target)
    day = await _plan_day(tx, plan_id, on)
    if day is None or on > today:
        raise NotThatDay("not a day of the plan to answer")
    return day


async def check_in(
    uow: UnitOfWork,
    *,
    actor: Actor,
    box: SecretBox | None,
    plan_id: uuid.UUID,
    on: date,
    meal: MealSlot,
    status: CheckinStatus,
    today: date,
    now: datetime,
) -> PlanDay:
    """Record how a meal went (a second answer replaces the first); the day as it now reads."""
    async with uow as tx:
        day = await _answerable(tx, actor, box, plan_id, on, today)
        if meal not in [m.slot for m in day.day.meals]:
            raise NotThatDay("no such meal that day")
        await queries.record_checkin(
            tx,
            plan_id=plan_id,
            day=on,
            meal=meal,
            status=status,
            logged_by=actor.user_id,
            now=now,
        )
        await tx.commit()
    return PlanDay(**{**day.__dict__, "answers": {**day.answers, meal: status.value}})


async def add_water(
    uow: UnitOfWork,
    *,
    actor: Actor,
    box: SecretBox | None,
    plan_id: uuid.UUID,
    on: date,
    ml: int,
    today: date,
    now: datetime,
) -> int:
    """Add a glass of water to the day; the day's total in ml."""
    if ml not in GLASS_ML:
        raise NotThatDay("not a glass the buttons offer")
    async with uow as tx:
        await _answerable(tx, actor, box, plan_id, on, today)
        total = await queries.add_water(
            tx, plan_id=plan_id, day=on, ml=ml, now=now, most=MAX_WATER_ML
        )
        await tx.commit()
    return total


def photo_kind(head: bytes) -> tuple[str, str]:
    """The extension and content type of a JPEG or PNG, from its first bytes."""
    for magic, kind in PHOTO_TYPES.items():
        if head.startswith(magic):
            return kind
    raise NotAPhoto("not a JPEG or PNG")


def photo_key(athlete_user_id: uuid.UUID, plan_id: uuid.UUID, on: date, meal: str, ext: str) -> str:
    """Where a meal's photo is kept (the spec's layout: under the athlete's own user)."""
    return f"{MEAL_PHOTOS_PREFIX}{athlete_user_id}/{plan_id}/{on.isoformat()}-{meal}.{ext}"


async def keep_photo(
    uow: UnitOfWork,
    *,
    actor: Actor,
    box: SecretBox | None,
    storage: MediaStorage,
    plan_id: uuid.UUID,
    on: date,
    meal: MealSlot,
    content: bytes,
    today: date,
) -> str:
    """Store a photo of an answered meal and keep its key on the check-in."""
    if len(content) > MAX_PHOTO_BYTES:
        raise NotAPhoto("too large")
    ext, mime = photo_kind(content[:8])
    async with uow as tx:
        day = await _answerable(tx, actor, box, plan_id, on, today)
    key = photo_key(day.athlete_user_id, plan_id, on, meal, ext)
    await storage.put(key, content, content_type=mime)
    async with uow as tx:
        try:
            await queries.set_photo(tx, plan_id=plan_id, day=on, meal=meal, key=key)
        except LookupError:
            raise NotThatDay("the meal is not answered yet") from None
        await tx.commit()
    return key
