"""Words and buttons of nutrition plans: the list, the new-plan questions, a plan's card, a day's
meals with totals against the targets, the day as delivered with its check-in buttons, and the
weekly adherence's caption. Numbers and dates in the reader's language (Babel)."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t
from bot.i18n.formats import locale_of
from domain.models import CheckinStatus, MealSlot
from domain.nutrition.allergens import Allergen, Diet
from domain.nutrition.foods import Food
from domain.nutrition.plan_content import DayKind, Targets
from domain.nutrition.plans import BREAKFAST_TIMES, PLAN_TYPES, DayView, PlanView
from domain.nutrition.restrictions import Restrictions
from domain.nutrition.templates import Applied, Template
from domain.nutrition.totals import Totals
from handlers.nutrition.callbacks import (
    AddTo,
    BreakfastAt,
    FoodPick,
    Home,
    NewEnd,
    NewFor,
    NewPlan,
    NewStart,
    NewType,
    PlanAction,
    PlanPress,
    RemoveItem,
    Restrict,
    RestrictDone,
    Skip,
    TemplateFor,
    TemplateFrom,
    TemplateOpen,
    Templates,
)

Button = InlineKeyboardButton
MARKS = {
    CheckinStatus.AS_PLANNED: "✅",
    CheckinStatus.CHANGED: "✏️",
    CheckinStatus.SKIPPED: "⏭",
}
KIND_ICON = {DayKind.TRAINING: "🏋️", DayKind.REST: "🛋"}
# The card's buttons worded `nutrition.plan.button.<key>`, and the chart's two panels.
CARD_BUTTONS = ("publish", "reminders_on", "reminders_off", "print", "template")
STARTS = ("today", "tomorrow", "monday")


def yyyymmdd(on: date) -> int:
    """A date as callback data carries it."""
    return on.year * 10_000 + on.month * 100 + on.day


def from_yyyymmdd(value: int) -> date | None:
    """The date callback data carried (None: not a date)."""
    try:
        return date(value // 10_000, value // 100 % 100, value % 100)
    except ValueError:
        return None


def number(value: Decimal | int, lang: str | None) -> str:
    """A whole number as the reader writes it ("2,400", "2400")."""
    return format_decimal(Decimal(value).quantize(Decimal(1)), locale=locale_of(lang))


def day_text(on: date, lang: str | None) -> str:
    """A date with its weekday: "Mon 7 Dec 2026", "lun, 7 dic 2026"."""
    return format_date(on, "EEE d MMM y", locale=locale_of(lang))


def slot_word(slot: MealSlot | str, lang: str | None) -> str:
    return t(f"nutrition.plan.slot.{slot}", lang)


def kind_word(kind: DayKind, lang: str | None) -> str:
    return t(f"nutrition.plan.kind.{kind}", lang)


def type_word(plan_type: str | None, lang: str | None) -> str:
    return t(f"nutrition.plan.type.{plan_type or 'maintenance'}", lang)


def restriction_word(code: str, lang: str | None) -> str:
    return t(f"nutrition.plan.restriction.{code}", lang)


def _status_word(status: str, lang: str | None) -> str:
    return t(f"nutrition.plan.status.{status}", lang)


def _back(plan_id: object, lang: str | None) -> list[Button]:
    return [Button(t("nutrition.plan.button.back_plan", lang), callback_data=_open(plan_id))]


def _open(plan_id: object) -> str:
    return PlanPress(PlanAction.OPEN, plan_id).pack()  # type: ignore[arg-type]


# The list and the new-plan questions.


def plans_list(
    plans: list[tuple[PlanView | object, str]], lang: str | None, *, can_write: bool, coach: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """/nutrition: the plans one may see, a New button, and a coach's templates."""
    rows = [
        [Button(label, callback_data=_open(plan_id))]
        for plan_id, label in plans  # type: ignore[misc]
    ]
    if can_write:
        rows.append([Button(t("nutrition.plan.button.new", lang), callback_data=NewPlan().pack())])
    if coach:
        rows.append(
            [Button(t("nutrition.plan.button.templates", lang), callback_data=Templates().pack())]
        )
    key = "nutrition.plan.list" if plans else "nutrition.plan.list_empty"
    return t(key, lang), InlineKeyboardMarkup(rows)


def plan_label(
    name: str, plan_type: str | None, start: date, end: date, status: str, lang: str | None
) -> str:
    """A plan's button in the list."""
    return t(
        "nutrition.plan.label",
        lang,
        name=name,
        type=type_word(plan_type, lang),
        start=format_date(start, "d MMM", locale=locale_of(lang)),
        end=format_date(end, "d MMM", locale=locale_of(lang)),
        status=_status_word(status, lang),
    )


def whom(athletes: list[tuple[object, str]], lang: str | None) -> tuple[str, InlineKeyboardMarkup]:
    """For whom is the new plan."""
    rows = [[Button(name, callback_data=NewFor(a_id).pack())] for a_id, name in athletes]  # type: ignore[arg-type]
    return t("nutrition.plan.ask.whom", lang), InlineKeyboardMarkup(rows)


def types(lang: str | None) -> tuple[str, InlineKeyboardMarkup]:
    """Which type of plan."""
    rows = [[Button(type_word(p, lang), callback_data=NewType(p).pack())] for p in PLAN_TYPES]
    return t("nutrition.plan.ask.type", lang), InlineKeyboardMarkup(rows)


def starts(today: date, lang: str | None) -> tuple[str, InlineKeyboardMarkup]:
    """From when: today, tomorrow, next Monday, or a typed date."""
    monday = today + timedelta(days=7 - today.weekday())
    choices = [("today", today), ("tomorrow", today + timedelta(days=1)), ("monday", monday)]
    rows = [
        [
            Button(
                t(f"nutrition.plan.start.{key}", lang, date=day_text(on, lang)),
                callback_data=NewStart(yyyymmdd(on)).pack(),
            )
        ]
        for key, on in choices
    ]
    return t("nutrition.plan.ask.start", lang), InlineKeyboardMarkup(rows)


def ends(start: date, lang: str | None) -> tuple[str, InlineKeyboardMarkup]:
    """Until when: one, two or four weeks, or a typed date."""
    rows = [
        [
            Button(
                t("nutrition.plan.end.weeks", lang, weeks=weeks, date=day_text(on, lang)),
                callback_data=NewEnd(yyyymmdd(on)).pack(),
            )
        ]
        for weeks, on in ((w, start + timedelta(days=7 * w - 1)) for w in (1, 2, 4))
    ]
    return t("nutrition.plan.ask.end", lang, start=day_text(start, lang)), InlineKeyboardMarkup(
        rows
    )


def skippable(key: str, lang: str | None) -> tuple[str, InlineKeyboardMarkup]:
    """A question with a Skip button."""
    skip = Button(t("nutrition.plan.button.skip", lang), callback_data=Skip().pack())
    return t(key, lang), InlineKeyboardMarkup([[skip]])


def restrictions_keyboard(
    chosen: set[str], other: str | None, lang: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """The 14 allergens and the diets as toggles, then Done; typed text is the free part."""
    codes = [a.value for a in Allergen] + [d.value for d in Diet]
    buttons = [
        Button(
            ("✅ " if code in chosen else "") + restriction_word(code, lang),
            callback_data=Restrict(code).pack(),
        )
        for code in codes
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [Button(t("nutrition.plan.button.done", lang), callback_data=RestrictDone().pack())]
    )
    text = t("nutrition.plan.ask.restrictions", lang)
    if other:
        text += "\n" + t("nutrition.plan.restrictions.other", lang, other=other)
    return text, InlineKeyboardMarkup(rows)


# A plan's card and its days.


def totals_line(totals: Totals, targets: Targets | None, lang: str | None) -> str:
    """Energy and macros, against the targets when there are any."""
    if targets is None:
        return t(
            "nutrition.plan.totals",
            lang,
            kcal=number(totals.energy_kcal, lang),
            protein=number(totals.protein_g, lang),
            carbs=number(totals.carbohydrate_g, lang),
            fat=number(totals.fat_g, lang),
        )
    return t(
        "nutrition.plan.totals_of",
        lang,
        kcal=number(totals.energy_kcal, lang),
        kcal_target=number(targets.energy_kcal, lang),
        protein=number(totals.protein_g, lang),
        protein_target=number(targets.protein_g, lang),
        carbs=number(totals.carbohydrate_g, lang),
        carbs_target=number(targets.carbohydrate_g, lang),
        fat=number(totals.fat_g, lang),
        fat_target=number(targets.fat_g, lang),
    )


def _restrictions_text(r: Restrictions, lang: str | None) -> str:
    words = [restriction_word(a, lang) for a in Allergen if a in r.allergens]
    words += [restriction_word(d, lang) for d in Diet if d in r.diets]
    if r.other:
        words.append(r.other)
    return ", ".join(words) or t("nutrition.plan.none", lang)


def reasons_text(reasons: list[str], lang: str | None) -> str:
    """Why a food is refused: the allergens it contains and the diets it breaks."""
    allergens = {a.value for a in Allergen}
    return ", ".join(
        t(
            "nutrition.plan.why.allergen" if code in allergens else "nutrition.plan.why.diet",
            lang,
            what=restriction_word(code, lang).lower(),
        )
        for code in reasons
    )


def plan_card(view: PlanView, lang: str | None) -> tuple[str, InlineKeyboardMarkup]:
    """A plan: whose, type, dates, goals, targets, restrictions, each day's totals, conflicts."""
    lines = [
        t(
            "nutrition.plan.card.title",
            lang,
            name=view.athlete_name or view.title or "",
            type=type_word(view.plan_type, lang),
            status=_status_word("template" if view.is_template else view.status, lang),
        ),
        t(
            "nutrition.plan.card.dates",
            lang,
            start=day_text(view.start, lang),
            end=day_text(view.end, lang),
        ),
    ]
    if view.goals:
        lines.append(t("nutrition.plan.card.goals", lang, goals=", ".join(view.goals)))
    if view.targets:
        lines.append(
            t(
                "nutrition.plan.card.targets",
                lang,
                kcal=number(view.targets.energy_kcal, lang),
                protein=number(view.targets.protein_g, lang),
                carbs=number(view.targets.carbohydrate_g, lang),
                fat=number(view.targets.fat_g, lang),
                water=number(view.targets.water_ml, lang),
            )
        )
    lines.append(
        t(
            "nutrition.plan.card.restrictions",
            lang,
            what=_restrictions_text(view.restrictions, lang),
        )
    )
    if not view.is_template:
        at = view.breakfast_time.strftime("%H:%M")
        lines.append(t("nutrition.plan.card.breakfast", lang, time=at))
    for kind, day in view.days.items():
        lines.append(
            f"{KIND_ICON[kind]} {kind_word(kind, lang)}: "
            + (
                totals_line(day.totals, view.targets, lang)
                if day.meals
                else t("nutrition.plan.empty_day", lang)
            )
        )
    for food, reasons in view.conflicts:
        lines.append(
            t(
                "nutrition.plan.card.conflict",
                lang,
                food=food.name(lang or "en"),
                why=reasons_text(reasons, lang),
            )
        )
    return "\n".join(lines), InlineKeyboardMarkup(_card_buttons(view, lang))


def _card_buttons(view: PlanView, lang: str | None) -> list[list[Button]]:
    rows = [
        [
            Button(
                f"{KIND_ICON[kind]} {kind_word(kind, lang)}",
                callback_data=PlanPress(PlanAction.DAY, view.id, kind).pack(),
            )
            for kind in DayKind
        ]
    ]
    if view.status == "draft" and view.may_write and not view.is_template:
        rows.append([_press("publish", PlanAction.PUBLISH, view, lang)])
    if not view.is_template:
        rows.append(
            [
                Button(
                    ("✅ " if at == view.breakfast_time else "⏰ ") + at.strftime("%H:%M"),
                    callback_data=BreakfastAt(view.id, at.hour * 100 + at.minute).pack(),
                )
                for at in BREAKFAST_TIMES
            ]
        )
    if view.status == "published":
        on = not view.meal_reminders
        action = PlanAction.REMINDERS_ON if on else PlanAction.REMINDERS_OFF
        rows.append([_press("reminders_on" if on else "reminders_off", action, view, lang)])
    rows.append([_press("print", PlanAction.PRINT, view, lang)])
    if view.may_template:
        rows.append([_press("template", PlanAction.TEMPLATE, view, lang)])
    rows.append([Button(t("nutrition.plan.button.plans", lang), callback_data=Home().pack())])
    return rows


def _press(key: str, action: PlanAction, view: PlanView, lang: str | None) -> Button:
    return Button(
        t(f"nutrition.plan.button.{key}", lang), callback_data=PlanPress(action, view.id).pack()
    )


def meals_text(
    day: DayView, lang: str | None, answers: dict[MealSlot, str] | None = None
) -> list[str]:
    """A line per meal (its answer's mark when answered), its items and its totals."""
    lines = []
    for meal in day.meals:
        mark = (
            MARKS.get(CheckinStatus((answers or {})[meal.slot]), "")
            if answers and meal.slot in answers
            else ""
        )
        items = ", ".join(
            t(
                "nutrition.plan.item",
                lang,
                food=line.food.name(lang or "en"),
                grams=number(line.grams, lang),
            )
            for line in meal.lines
        )
        lines.append(
            t(
                "nutrition.plan.meal",
                lang,
                slot=slot_word(meal.slot, lang),
                mark=f" {mark}" if mark else "",
                items=items,
                kcal=number(meal.totals.energy_kcal, lang),
                protein=number(meal.totals.protein_g, lang),
            )
        )
    return lines


def day_card(view: PlanView, kind: DayKind, lang: str | None) -> tuple[str, InlineKeyboardMarkup]:
    """One template of the plan being written: meals, totals against targets, add and remove."""
    day = view.days[kind]
    lines = [
        t(
            "nutrition.plan.day.title",
            lang,
            icon=KIND_ICON[kind],
            kind=kind_word(kind, lang),
            name=view.athlete_name or view.title or "",
        )
    ]
    lines += meals_text(day, lang) or [t("nutrition.plan.empty_day", lang)]
    lines.append(
        t("nutrition.plan.day.total", lang, totals=totals_line(day.totals, view.targets, lang))
    )
    rows: list[list[Button]] = []
    if view.may_write and view.status == "draft":
        adds = [
            Button("➕ " + slot_word(slot, lang), callback_data=AddTo(view.id, kind, slot).pack())
            for slot in MealSlot
        ]
        rows += [adds[i : i + 2] for i in range(0, len(adds), 2)]
        for meal in day.meals:
            for index, line in enumerate(meal.lines):
                label = t(
                    "nutrition.plan.button.remove",
                    lang,
                    food=line.food.name(lang or "en"),
                    grams=number(line.grams, lang),
                )
                rows.append(
                    [
                        Button(
                            label, callback_data=RemoveItem(view.id, kind, meal.slot, index).pack()
                        )
                    ]
                )
    rows.append(_back(view.id, lang))
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def food_results(
    typed: str, foods: list[Food], lang: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Foods near what was typed, as buttons (or a nudge to try another name)."""
    if not foods:
        return t("nutrition.plan.food.none", lang, typed=typed), None
    rows = [
        [Button(food.name(lang or "en"), callback_data=FoodPick(food.id).pack())] for food in foods
    ]
    # Nothing named with what was typed: the search offered the nearest names instead.
    named = any(_plain(typed) in _plain(f"{f.name_en} {f.name_es}") for f in foods)
    key = "nutrition.plan.food.pick" if named else "nutrition.plan.food.nearest"
    return t(key, lang, typed=typed), InlineKeyboardMarkup(rows)


def _plain(text: str) -> str:
    """Lower case without accents, to compare what was typed with names."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def overlap_question(
    plan_id: object, start: date, end: date, lang: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """Another published plan covers some days: replace it?"""
    rows = [
        [
            Button(
                t("nutrition.plan.button.replace", lang),
                callback_data=PlanPress(PlanAction.REPLACE, plan_id).pack(),  # type: ignore[arg-type]
            )
        ],
        _back(plan_id, lang),
    ]
    text = t("nutrition.plan.overlaps", lang, start=day_text(start, lang), end=day_text(end, lang))
    return text, InlineKeyboardMarkup(rows)


# Templates.


def templates_list(found: list[Template], lang: str | None) -> tuple[str, InlineKeyboardMarkup]:
    """A coach's templates."""
    rows = [
        [
            Button(
                t(
                    "nutrition.plan.template.label",
                    lang,
                    type=type_word(item.plan_type, lang),
                    kg=format_decimal(item.weight_kg.normalize(), locale=locale_of(lang)),
                    days=item.days,
                    title=item.title,
                ),
                callback_data=TemplateOpen(item.id).pack(),
            )
        ]
        for item in found
    ]
    rows.append([Button(t("nutrition.plan.button.plans", lang), callback_data=Home().pack())])
    key = "nutrition.plan.templates" if found else "nutrition.plan.templates_empty"
    return t(key, lang), InlineKeyboardMarkup(rows)


def template_athletes(
    template_id: object,
    athletes: list[tuple[object, str]],
    chosen: set[str],
    today: date,
    lang: str | None,
) -> tuple[str, InlineKeyboardMarkup]:
    """Toggle the athletes, then apply from a date."""
    rows = [
        [
            Button(
                ("✅ " if str(a_id) in chosen else "") + name,
                callback_data=TemplateFor(template_id, a_id).pack(),  # type: ignore[arg-type]
            )
        ]
        for a_id, name in athletes
    ]
    if chosen:
        monday = today + timedelta(days=7 - today.weekday())
        rows.append(
            [
                Button(
                    t(f"nutrition.plan.start.{key}", lang, date=day_text(on, lang)),
                    callback_data=TemplateFrom(template_id, yyyymmdd(on)).pack(),  # type: ignore[arg-type]
                )
                for key, on in (("tomorrow", today + timedelta(days=1)), ("monday", monday))
            ]
        )
    rows.append(
        [Button(t("nutrition.plan.button.templates", lang), callback_data=Templates().pack())]
    )
    return t("nutrition.plan.template.whom", lang), InlineKeyboardMarkup(rows)


def applied_text(results: list[Applied], lang: str | None) -> str:
    """What applying a template did, athlete by athlete."""
    return "\n".join(
        [t("nutrition.plan.template.applied", lang)]
        + [
            t(
                f"nutrition.plan.template.outcome.{r.outcome}",
                lang,
                name=r.name,
                percent=number((r.factor or Decimal(1)) * 100, lang),
            )
            for r in results
        ]
    )
