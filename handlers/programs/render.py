"""How programs read in chat, in the reader's language: a week as athletes get it, a coach's
program card, the catalogue and a program's page (its keyboard built in one place)."""

from __future__ import annotations

from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t
from bot.i18n.formats import money, tn
from domain.models import MaterialKind, ProgramStatus
from domain.programs.authoring import AuthorProgram
from domain.programs.catalogue import CatalogueEntry, Offer, ProgramPage
from domain.programs.content import DAYS_IN_WEEK, AbsoluteLoad, Exercise, PercentOfBest, Week
from domain.programs.details import SPORTS, Difficulty
from domain.programs.materials import Material
from domain.programs.program_text import week_as_text
from handlers.programs.callbacks import (
    AuthorHome,
    AuthorNew,
    BrowseHome,
    BrowseLevel,
    BrowseSport,
    NewAction,
    NewPress,
    OpenMaterial,
    OpenProgram,
    ProgramAction,
    ProgramPress,
    WeekAction,
    WeekPress,
)
from handlers.programs.following_render import enrol_button

Markup = InlineKeyboardMarkup
Rows = list[list[InlineKeyboardButton]]
_STATUS_MARK = {
    ProgramStatus.DRAFT: "📝",
    ProgramStatus.PUBLISHED: "✅",
    ProgramStatus.UNPUBLISHED: "⏸",
}
_KIND_MARK = {MaterialKind.PDF: "📄", MaterialKind.IMAGE: "🖼", MaterialKind.VIDEO: "🎬"}


def _button(label: str, press: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=press.pack())  # type: ignore[attr-defined]


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def sport_name(sport: str, lang: str | None) -> str:
    """A sport as the reader calls it: the catalogue's word, or what the coach typed."""
    return t(f"coach.spec.{sport}", lang) if sport in SPORTS else sport.capitalize()


def level_name(level: str, lang: str | None) -> str:
    """A difficulty level in words."""
    known = {d.value for d in Difficulty}
    return t(f"programs.level.{level}", lang) if level in known else level


def price_text(price: Decimal | None, currency: str, lang: str | None) -> str:
    """The price, or "free"."""
    return money(price, currency, lang) if price else t("programs.free", lang)


def _duration(seconds: int, lang: str | None) -> str:
    if seconds < 120:  # "90 s" reads better than "1:30 min"
        return t("programs.unit.seconds", lang, n=seconds)
    minutes, rest = divmod(seconds, 60)
    if rest == 0:
        return t("programs.unit.minutes", lang, n=minutes)
    return t("programs.unit.clock", lang, time=f"{minutes}:{rest:02d}")


def _distance(metres: Decimal, lang: str | None) -> str:
    if metres >= 1000:
        return t("programs.unit.km", lang, n=_number(metres / 1000))
    return t("programs.unit.m", lang, n=_number(metres))


def exercise_line(exercise: Exercise, lang: str | None) -> str:
    """One exercise as athletes read it: "Back squat: 3 × 5 · 70% of your best · rest 90 s"."""
    amounts = []
    if exercise.metres is not None:
        amounts.append(_distance(exercise.metres, lang))
    if exercise.seconds is not None:
        amounts.append(_duration(exercise.seconds, lang))
    what = " ".join(amounts)
    if exercise.reps is not None:
        what = " ".join(filter(None, [f"{exercise.sets} × {exercise.reps}", what]))
    elif exercise.sets > 1:
        what = f"{exercise.sets} × {what}"
    parts = [what] if what else []
    load = exercise.load
    if isinstance(load, AbsoluteLoad):
        parts.append(t("programs.load.kg", lang, kg=_number(load.kg)))
    elif isinstance(load, PercentOfBest):
        key = "programs.load.percent_of" if load.metric else "programs.load.percent"
        parts.append(t(key, lang, percent=_number(load.percent), metric=load.metric))
    if exercise.rest_seconds is not None:
        parts.append(t("programs.rest", lang, time=_duration(exercise.rest_seconds, lang)))
    if exercise.tempo:
        parts.append(t("programs.tempo", lang, tempo=exercise.tempo))
    line = f"• {exercise.name[:1].upper()}{exercise.name[1:]}"
    line += f": {' · '.join(parts)}" if parts else ""
    return line + (f"\n   {exercise.notes}" if exercise.notes else "")


def week_text(week: Week | None, number: int, weeks: int, lang: str | None) -> str:
    """A week as athletes see it: each training day and its exercises; other days rest."""
    lines = [t("programs.week_title", lang, week=number, weeks=weeks)]
    days = week.days if week else []
    for day in days:
        lines.append("")
        lines.append(t("programs.day_title", lang, day=day.day))
        lines.extend(exercise_line(e, lang) for e in day.exercises)
    rest = DAYS_IN_WEEK - len(days)
    lines += (
        ["", tn("programs.rest_days", rest, lang)] if days else ["", t("programs.rest_week", lang)]
    )
    return "\n".join(lines)


# A coach's side.


def author_home(programs: list[AuthorProgram], lang: str | None) -> tuple[str, Markup]:
    """The coach's programs, one button each, and New."""
    text = t("programs.home", lang) if programs else t("programs.home_empty", lang)
    rows: Rows = [
        [_button(f"{_STATUS_MARK[p.status]} {p.title}", ProgramPress(ProgramAction.OPEN, p.id))]
        for p in programs[:20]
    ]
    rows.append([_button(t("programs.button.new", lang), AuthorNew())])
    rows.append([_button(t("programs.button.browse", lang), BrowseHome())])
    return text, Markup(rows)


def program_card(view: AuthorProgram, lang: str | None) -> tuple[str, Markup]:
    """A coach's program: details, where it stands, what can be done with it."""
    written = [w.week for w in view.draft.weeks]
    lines = [
        f"{_STATUS_MARK[view.status]} {view.title}",
        t(
            "programs.card.details",
            lang,
            sport=sport_name(view.sport, lang),
            level=level_name(view.difficulty, lang),
            weeks=view.weeks,
            price=price_text(view.price, view.currency, lang),
        ),
        t(f"programs.card.status.{view.status.value}", lang, version=view.version),
        t(
            "programs.card.written",
            lang,
            weeks=", ".join(map(str, written)) or "—",
            days=view.draft.training_days(),
        ),
        t("programs.card.materials", lang, count=view.materials),
    ]
    if view.draft_changed:
        lines.append(t("programs.card.draft_changed", lang, version=view.version + 1))
    pid = view.id
    rows: Rows = [
        [
            _button(t("programs.button.write", lang), ProgramPress(ProgramAction.WRITE, pid)),
            _button(t("programs.button.copy", lang), ProgramPress(ProgramAction.COPY, pid)),
        ],
        [
            _button(t("programs.button.preview", lang), WeekPress(WeekAction.PREVIEW, pid, 1)),
            _button(
                t("programs.button.materials", lang), ProgramPress(ProgramAction.MATERIALS, pid)
            ),
        ],
    ]
    if view.status == ProgramStatus.PUBLISHED and not view.draft_changed:
        rows.append(
            [
                _button(
                    t("programs.button.unpublish", lang), ProgramPress(ProgramAction.UNPUBLISH, pid)
                )
            ]
        )
    else:
        rows.append(
            [_button(t("programs.button.publish", lang), ProgramPress(ProgramAction.PUBLISH, pid))]
        )
    rows.append([_button(t("programs.button.my_programs", lang), AuthorHome())])
    return "\n".join(lines), Markup(rows)


def weeks_markup(
    view: AuthorProgram, action: WeekAction, lang: str | None, *, only_written: bool = False
) -> Markup:
    """A button per week of the program (or per written week), seven to a row."""
    numbers = [w.week for w in view.draft.weeks] if only_written else range(1, view.weeks + 1)
    buttons = [_button(str(n), WeekPress(action, view.id, n)) for n in numbers]
    rows: Rows = [buttons[i : i + 7] for i in range(0, len(buttons), 7)]
    rows.append(
        [_button(t("programs.button.back", lang), ProgramPress(ProgramAction.OPEN, view.id))]
    )
    return Markup(rows)


def write_prompt(view: AuthorProgram, week: int, lang: str | None) -> tuple[str, Markup]:
    """Ask for a week's lines, showing what it holds now to copy and edit."""
    current = view.draft.week(week)
    shown = week_as_text(current) if current else t("programs.write.empty_week", lang)
    text = t("programs.write.ask", lang, week=week, current=shown)
    back = _button(t("programs.button.back", lang), ProgramPress(ProgramAction.OPEN, view.id))
    return text, Markup([[back]])


def preview(view: AuthorProgram, week: int, lang: str | None) -> tuple[str, Markup]:
    """A week of the draft exactly as athletes will read it, with the weeks around it."""
    text = (
        t("programs.preview_title", lang)
        + "\n\n"
        + week_text(view.draft.week(week), week, view.weeks, lang)
    )
    moves = []
    if week > 1:
        moves.append(_button("«", WeekPress(WeekAction.PREVIEW, view.id, week - 1)))
    if week < view.weeks:
        moves.append(_button("»", WeekPress(WeekAction.PREVIEW, view.id, week + 1)))
    back = [_button(t("programs.button.back", lang), ProgramPress(ProgramAction.OPEN, view.id))]
    return text, Markup([moves, back] if moves else [back])


def materials_prompt(
    view: AuthorProgram, materials: list[Material], lang: str | None
) -> tuple[str, Markup]:
    """The program's files and the invitation to send more."""
    listed = "\n".join(_material_line(m) for m in materials) or "—"
    text = t("programs.materials.ask", lang, files=listed)
    rows: Rows = [
        [_button(f"{_KIND_MARK[m.kind]} {m.title}", OpenMaterial(m.id))] for m in materials
    ]
    rows.append(
        [_button(t("programs.button.back", lang), ProgramPress(ProgramAction.OPEN, view.id))]
    )
    return text, Markup(rows)


def _material_line(material: Material) -> str:
    size = Decimal(material.size_bytes) / 2**20
    return f"{_KIND_MARK[material.kind]} {material.title} ({size.quantize(Decimal('0.1'))} MB)"


def sport_choices(lang: str | None) -> Markup:
    """The catalogue's sports as buttons (a typed one is taken too)."""
    buttons = [_button(sport_name(s, lang), NewPress(NewAction.SPORT, s)) for s in SPORTS]
    rows: Rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_button(t("programs.button.cancel", lang), NewPress(NewAction.CANCEL))])
    return Markup(rows)


def level_choices(lang: str | None) -> Markup:
    """The three levels."""
    rows: Rows = [
        [_button(level_name(d.value, lang), NewPress(NewAction.LEVEL, d.value))] for d in Difficulty
    ]
    rows.append([_button(t("programs.button.cancel", lang), NewPress(NewAction.CANCEL))])
    return Markup(rows)


def cancel_markup(lang: str | None, *, free: bool = False) -> Markup:
    """Cancel (and Free, when asking the price)."""
    rows: Rows = (
        [[_button(t("programs.button.free", lang), NewPress(NewAction.FREE))]] if free else []
    )
    rows.append([_button(t("programs.button.cancel", lang), NewPress(NewAction.CANCEL))])
    return Markup(rows)


# The catalogue.


def sports_view(offers: list[Offer], lang: str | None) -> tuple[str, Markup | None]:
    """The sports with programs to browse."""
    if not offers:
        return t("programs.catalogue.empty", lang), None
    rows: Rows = [
        [_button(f"{sport_name(o.value, lang)} ({o.programs})", BrowseSport(o.value))]
        for o in offers[:30]
    ]
    return t("programs.catalogue.sports", lang), Markup(rows)


def levels_view(sport: str, offers: list[Offer], lang: str | None) -> tuple[str, Markup]:
    """The levels of a sport."""
    rows: Rows = [
        [_button(f"{level_name(o.value, lang)} ({o.programs})", BrowseLevel(sport, o.value))]
        for o in offers
    ]
    rows.append([_button(t("programs.button.back", lang), BrowseHome())])
    return t("programs.catalogue.levels", lang, sport=sport_name(sport, lang)), Markup(rows)


def programs_view(
    sport: str, level: str, entries: list[CatalogueEntry], lang: str | None
) -> tuple[str, Markup]:
    """The programs of a sport and level, a button each."""
    rows: Rows = [
        [
            _button(
                f"{e.title} · {e.coach_name} · {price_text(e.price, e.currency, lang)}",
                OpenProgram(e.id),
            )
        ]
        for e in entries
    ]
    rows.append([_button(t("programs.button.back", lang), BrowseSport(sport))])
    title = t(
        "programs.catalogue.programs",
        lang,
        sport=sport_name(sport, lang),
        level=level_name(level, lang),
    )
    return (title if entries else t("programs.catalogue.none_left", lang)), Markup(rows)


def page_text(page: ProgramPage, lang: str | None) -> str:
    """A program's page: what it is, its coach and rating, then week 1 as athletes get it."""
    rating = (
        t(
            "programs.page.rating",
            lang,
            rating=_number(page.coach_rating),
            reviews=page.coach_reviews,
        )
        if page.coach_rating is not None and page.coach_reviews
        else t("programs.page.no_rating", lang)
    )
    lines = [
        page.title,
        t(
            "programs.card.details",
            lang,
            sport=sport_name(page.sport, lang),
            level=level_name(page.difficulty, lang),
            weeks=page.weeks,
            price=price_text(page.price, page.currency, lang),
        ),
        t("programs.page.coach", lang, coach=page.coach_name, rating=rating),
    ]
    if page.skills:
        lines.append(t("programs.page.skills", lang, skills=", ".join(page.skills)))
    lines += ["", page.description]
    if page.material_count:
        lines += ["", tn("programs.page.materials", page.material_count, lang)]
    lines += ["", t("programs.page.preview", lang), week_text(page.first_week, 1, page.weeks, lang)]
    return "\n".join(lines)


def page_keyboard(page: ProgramPage, lang: str | None) -> Markup:
    """The page's buttons, in one place: Enrol, the files for those who may open them, then
    back."""
    rows: Rows = [[enrol_button(page.id, lang)]]
    rows += [
        [_button(f"{_KIND_MARK[m.kind]} {m.title}", OpenMaterial(m.id))] for m in page.materials
    ]
    rows.append([_button(t("programs.button.catalogue", lang), BrowseHome())])
    return Markup(rows)
