"""Words and buttons of a plan's day as delivered: its meals against the targets with the
answers so far, ✅ ✏️ ⏭ per meal and water by the glass; a meal's reminder; the week's
adherence under its chart."""

from __future__ import annotations

from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t
from domain.models import CheckinStatus, MealSlot
from domain.nutrition.days import GLASS_ML, PlanDay
from domain.nutrition.weeks import WeekAdherence
from handlers.nutrition.callbacks import (
    MealAnswer,
    Water,
)
from handlers.nutrition.render import (
    KIND_ICON,
    MARKS,
    day_text,
    kind_word,
    meals_text,
    number,
    slot_word,
    totals_line,
    yyyymmdd,
)

Button = InlineKeyboardButton


def delivered_day(found: PlanDay, lang: str | None, *, for_guardian: bool) -> str:
    """The day's plan as sent in the morning, with what has been answered so far."""
    key = "nutrition.plan.delivered.guardian" if for_guardian else "nutrition.plan.delivered.title"
    lines = [
        t(
            key,
            lang,
            name=found.athlete_name,
            date=day_text(found.on, lang),
            kind=kind_word(found.day.kind, lang),
            icon=KIND_ICON[found.day.kind],
        )
    ]
    lines += meals_text(found.day, lang, found.answers) or [t("nutrition.plan.empty_day", lang)]
    lines.append(
        t(
            "nutrition.plan.day.total",
            lang,
            totals=totals_line(found.day.totals, found.targets, lang),
        )
    )
    water_target = found.targets.water_ml if found.targets else 0
    lines.append(
        t(
            "nutrition.plan.water",
            lang,
            ml=number(found.water_ml, lang),
            target=number(water_target, lang),
        )
    )
    if found.day.meals:
        lines.append(t("nutrition.plan.delivered.legend", lang))
    return "\n".join(lines)


def checkin_markup(found: PlanDay, lang: str | None) -> InlineKeyboardMarkup:
    """Per meal ✅ as planned, ✏️ changed, ⏭ skipped; then water by the glass."""
    on = yyyymmdd(found.on)
    rows = [
        [
            Button(
                f"{mark} {slot_word(meal.slot, lang)}",
                callback_data=MealAnswer(status, found.plan_id, on, meal.slot).pack(),
            )
            for status, mark in MARKS.items()
        ]
        for meal in found.day.meals
    ]
    rows.append(
        [
            Button(
                t("nutrition.plan.button.water", lang, ml=number(ml, lang)),
                callback_data=Water(found.plan_id, on, ml).pack(),
            )
            for ml in GLASS_ML
        ]
    )
    return InlineKeyboardMarkup(rows)


def meal_reminder(found: PlanDay, slot: MealSlot, lang: str | None) -> str | None:
    """A meal's reminder (None: the day has no such meal)."""
    meal = next((m for m in found.day.meals if m.slot == slot), None)
    if meal is None:
        return None
    items = ", ".join(
        t(
            "nutrition.plan.item",
            lang,
            food=line.food.name(lang or "en"),
            grams=number(line.grams, lang),
        )
        for line in meal.lines
    )
    return t("nutrition.plan.reminder", lang, slot=slot_word(slot, lang), items=items)


def week_caption(week: WeekAdherence, lang: str | None) -> str:
    """The weekly adherence in words, under its chart."""
    days = len(week.days) or 1
    eaten_kcal = sum((d.eaten.energy_kcal for d in week.days), Decimal(0)) / days
    eaten_protein = sum((d.eaten.protein_g for d in week.days), Decimal(0)) / days
    water = sum(d.water_ml for d in week.days) / days
    lines = [
        t(
            "nutrition.plan.week.title",
            lang,
            name=week.athlete_name,
            date=day_text(week.first, lang),
            percent=week.kept_percent(),
        ),
        t(
            "nutrition.plan.week.answers",
            lang,
            planned=week.count(CheckinStatus.AS_PLANNED),
            changed=week.count(CheckinStatus.CHANGED),
            skipped=week.count(CheckinStatus.SKIPPED),
            unanswered=week.count("unanswered"),
        ),
    ]
    targets = week.targets
    lines.append(
        t(
            "nutrition.plan.week.averages",
            lang,
            kcal=number(eaten_kcal, lang),
            kcal_target=number(targets.energy_kcal, lang) if targets else "–",
            protein=number(eaten_protein, lang),
            protein_target=number(targets.protein_g, lang) if targets else "–",
            water=number(Decimal(water), lang),
            water_target=number(targets.water_ml, lang) if targets else "–",
        )
    )
    return "\n".join(lines)
