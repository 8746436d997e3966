"""How following a program reads in chat: a program day with its buttons, enrolling, /training,
and a coach's adherence view, in the reader's language."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t
from bot.i18n.formats import money, month_name, weekday_name
from bot.local_time import coded
from domain.metrics.units import display
from domain.programs.content import Exercise
from domain.programs.following.adherence import ProgramAdherence
from domain.programs.following.days import Prescribed, Workout
from domain.programs.following.enrolments import (
    DELIVERY_TIMES,
    Assignable,
    EnrolChoices,
    Enrolled,
    Following,
)
from handlers.programs.following_callbacks import (
    AdherencePress,
    AssignProgram,
    AssignTo,
    DayAction,
    DayPress,
    EnrolFor,
    EnrolFrom,
    EnrolStart,
    ExercisePress,
    FollowAction,
    FollowPress,
    NotePress,
    VideoPress,
)

Markup = InlineKeyboardMarkup
Rows = list[list[InlineKeyboardButton]]
ONE_TAP_BUTTONS = 8  # exercises with a one-tap button; more would bury the answer buttons
_ANSWER_MARK = {"done": "✅", "partly": "🌓", "skipped": "⏭"}


def _button(label: str, press: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=press.pack())  # type: ignore[attr-defined]


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def enrol_button(program_id: uuid.UUID, lang: str | None) -> InlineKeyboardButton:
    """📝 Enrol, for a program's page (its keyboard is built by the catalogue)."""
    return _button(t("training.button.enrol", lang), EnrolStart(program_id))


def day_key(start: date) -> int:
    """A date as callback data: yyyymmdd."""
    return int(start.strftime("%Y%m%d"))


def short_date(day: date, lang: str | None) -> str:
    """ "Mon 7 Dec" in the reader's language."""
    return f"{weekday_name(day, lang)} {day.day} {month_name(day.month, lang)}"


def _seconds(seconds: int) -> str:
    return display(Decimal(seconds), "s")


def exercise_text(p: Prescribed, lang: str | None) -> str:
    """One exercise as the athlete does it today: amounts, the load in kg, rest, tempo, notes."""
    e: Exercise = p.exercise
    amounts = []
    if e.metres is not None:
        amounts.append(display(e.metres, "m"))
    if e.seconds is not None:
        amounts.append(_seconds(e.seconds))
    what = " ".join(amounts)
    if e.reps is not None:
        what = " ".join(filter(None, [f"{e.sets} × {e.reps}", what]))
    elif e.sets > 1:
        what = f"{e.sets} × {what}"
    parts = [what] if what else []
    load = e.load
    if load is not None and load.kind == "percent_of_best":
        percent = _number(load.percent)
        if p.kg is not None:
            parts.append(t("training.load.percent_kg", lang, kg=_number(p.kg), percent=percent))
        else:
            parts.append(t("training.load.percent_no_best", lang, percent=percent))
    elif p.kg is not None:
        parts.append(t("training.load.kg", lang, kg=_number(p.kg)))
    if e.rest_seconds:
        parts.append(t("training.rest", lang, time=_seconds(e.rest_seconds)))
    if e.tempo:
        parts.append(t("training.tempo", lang, tempo=e.tempo))
    line = f"• {e.name[:1].upper()}{e.name[1:]}"
    line += f": {' · '.join(parts)}" if parts else ""
    return line + (f"\n   {e.notes}" if e.notes else "")


def workout_text(w: Workout, lang: str | None, *, for_guardian: bool) -> str:
    """A program day: title, whose and when, the exercises, and its answer if given."""
    when = short_date(w.date, lang)
    head = t(
        "training.day.title",
        lang,
        program=w.program_title,
        week=w.week,
        weeks=w.weeks,
        day=w.day,
        date=when,
    )
    lines = [head]
    if for_guardian:
        lines.append(t("training.day.for", lang, name=w.athlete_name))
    lines.append("")
    lines.extend(exercise_text(p, lang) for p in w.exercises)
    if w.answer:
        lines += ["", t(f"training.day.answered.{w.answer}", lang)]
    return "\n".join(lines)


def workout_markup(w: Workout, lang: str | None) -> Markup:
    """Done / Partly / Skip, then a one-tap log button per exercise that gives a value."""
    key = (w.enrolment_id, w.week, w.day)
    rows: Rows = [
        [
            _button(t("training.button.done", lang), DayPress(DayAction.DONE, *key)),
            _button(t("training.button.partly", lang), DayPress(DayAction.PARTLY, *key)),
            _button(t("training.button.skip", lang), DayPress(DayAction.SKIP, *key)),
        ]
    ]
    rows.append(
        [
            _button(t("training.button.note", lang), NotePress(*key)),
            _button(t("training.button.video", lang), VideoPress(*key)),
        ]
    )
    tappable = [p for p in w.exercises if p.metric is not None and p.value is not None]
    for p in tappable[:ONE_TAP_BUTTONS]:
        value = display(p.value, p.metric.unit)  # type: ignore[arg-type, union-attr]
        if p.metric.unit == "kg" and p.exercise.reps:  # type: ignore[union-attr]
            value += f" × {p.exercise.reps}"
        name = f"{p.exercise.name[:1].upper()}{p.exercise.name[1:]}"
        label = t("training.button.log", lang, exercise=name, value=value)
        rows.append([_button(label, ExercisePress(*key, p.number))])
    return Markup(rows)


def enrol_whom(choices: EnrolChoices, lang: str | None) -> tuple[str, Markup]:
    """Whom to enrol: a button per athlete the person may enrol."""
    if not choices.athletes:
        return t("training.enrol.nobody", lang, program=choices.title), Markup([])
    rows: Rows = [
        [_button(name, EnrolFor(choices.program_id, athlete_id))]
        for athlete_id, name in choices.athletes
    ]
    return t("training.enrol.whom", lang, program=choices.title), Markup(rows)


def enrol_when(
    program_id: uuid.UUID,
    athlete_id: uuid.UUID,
    today: date,
    lang: str | None,
    *,
    assign: bool = False,
) -> tuple[str, Markup]:
    """The start date: today, tomorrow, next Monday."""
    monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    starts = [
        ("training.start.today", today),
        ("training.start.tomorrow", today + timedelta(days=1)),
        ("training.start.monday", monday),
    ]

    def press(start: date) -> object:
        if assign:
            return AssignTo(program_id, athlete_id, day_key(start))
        return EnrolFrom(program_id, athlete_id, day_key(start))

    rows: Rows = [
        [_button(t(key, lang, date=short_date(start, lang)), press(start))] for key, start in starts
    ]
    return t("training.enrol.when", lang), Markup(rows)


def enrolled(done: Enrolled, lang: str | None) -> str:
    """The confirmation of a free enrolment (or an assignment)."""
    return t(
        "training.enrol.done",
        lang,
        program=done.program_title,
        start=short_date(done.start_date, lang),
        time=done.delivery_time.strftime("%H:%M"),
        weeks=done.weeks,
    )


def price_text(choices: EnrolChoices, lang: str | None) -> str:
    """The program's price in its currency."""
    return money(choices.price or Decimal(0), choices.currency, lang)


def training_list(
    items: list[Following], names: dict[uuid.UUID, str], lang: str | None
) -> tuple[str, Markup]:
    """/training: the family's running programs, each with its settings as buttons."""
    if not items:
        return t("training.list.empty", lang), Markup([])
    lines = [t("training.list.title", lang)]
    rows: Rows = []
    for n, f in enumerate(items, start=1):
        state = t("training.list.paused", lang) if f.paused else ""
        lines.append(
            t(
                "training.list.line",
                lang,
                n=n,
                program=f.program_title,
                name=names.get(f.athlete_id, ""),
                start=short_date(f.start_date, lang),
                weeks=f.weeks,
                time=f.delivery_time.strftime("%H:%M"),
                copy=t(
                    "training.list.copy_on" if f.guardians_copy else "training.list.copy_off", lang
                ),
            )
            + state
        )
        pause = (
            _button(
                f"{n} ▶ " + t("training.button.resume", lang),
                FollowPress(FollowAction.RESUME, f.enrolment_id),
            )
            if f.paused
            else _button(
                f"{n} ⏸ " + t("training.button.pause", lang),
                FollowPress(FollowAction.PAUSE, f.enrolment_id),
            )
        )
        copy = FollowAction.COPY_OFF if f.guardians_copy else FollowAction.COPY_ON
        rows.append(
            [
                pause,
                _button(
                    f"{n} 👪 " + t("training.button.copy", lang), FollowPress(copy, f.enrolment_id)
                ),
                _button(
                    f"{n} ✖ " + t("training.button.end", lang),
                    FollowPress(FollowAction.END, f.enrolment_id),
                ),
            ]
        )
        rows.append(
            [
                _button(
                    ("• " if at == f.delivery_time else "") + at.strftime("%H:%M"),
                    FollowPress(FollowAction.TIME, f.enrolment_id, at.strftime("%H%M")),
                )
                for at in DELIVERY_TIMES
            ]
        )
    return "\n".join(lines), Markup(rows)


def parse_time(value: str | None) -> time | None:
    """hhmm from a button, or None if it is not one."""
    if value is None or len(value) != 4 or not value.isdigit():
        return None
    hour, minute = int(value[:2]), int(value[2:])
    return time(hour, minute) if hour < 24 and minute < 60 else None


def end_question(enrolment_id: uuid.UUID, paid: bool, lang: str | None) -> tuple[str, Markup]:
    """Are you sure? (with the refund policy for a paid program)."""
    key = "training.end.ask_paid" if paid else "training.end.ask"
    sure = _button(
        t("training.button.end_sure", lang), FollowPress(FollowAction.END_SURE, enrolment_id)
    )
    return t(key, lang), Markup([[sure]])


def adherence_text(view: ProgramAdherence, lang: str | None) -> str:
    """A coach's view of a program: per athlete, the recent weeks and the newest result."""
    lines = [t("training.adherence.title", lang, program=view.title)]
    if not view.athletes:
        lines.append(t("training.adherence.nobody", lang))
    for a in view.athletes:
        lines.append("")
        mark = "⚠️ " if a.behind else ""
        lines.append(
            mark + a.name + (" — " + t("training.adherence.behind", lang) if a.behind else "")
        )
        for w in a.weeks:
            lines.append(
                t(
                    "training.adherence.week",
                    lang,
                    week=w.week,
                    done=w.done,
                    partly=w.partly,
                    skipped=w.skipped,
                    open=w.unanswered,
                )
            )
        if a.latest:
            metric = coded("metric", {"code": a.latest["metric"]}, lang)
            value = display(a.latest["value"], a.latest["unit"])
            lines.append(t("training.adherence.latest", lang, metric=metric, value=value))
    return "\n".join(lines)


def coach_programs(
    programs: list[tuple[uuid.UUID, str, int]], lang: str | None
) -> tuple[str, Markup]:
    """/adherence: the coach's programs that athletes follow, a button each."""
    if not programs:
        return t("training.adherence.none", lang), Markup([])
    rows: Rows = [
        [_button(f"{title} ({count})", AdherencePress(pid))] for pid, title, count in programs
    ]
    return t("training.adherence.pick", lang), Markup(rows)


def assign_programs(choices: Assignable, lang: str | None) -> tuple[str, Markup]:
    """/assign: the coach's published programs."""
    if not choices.programs or not choices.athletes:
        return t("training.assign.nothing", lang), Markup([])
    rows: Rows = [[_button(title, AssignProgram(pid))] for pid, title in choices.programs]
    return t("training.assign.pick_program", lang), Markup(rows)


def assign_athletes(
    program_id: uuid.UUID, choices: Assignable, lang: str | None
) -> tuple[str, Markup]:
    """/assign: the athletes the coach coaches."""
    rows: Rows = [[_button(name, AssignTo(program_id, aid))] for aid, name in choices.athletes]
    return t("training.assign.pick_athlete", lang), Markup(rows)
