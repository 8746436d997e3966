"""How /log looks: the flow's pending entry, and the text and buttons of each step.

Every button of the flow carries its token (new for each /log), so a button of an earlier
/log is recognised as stale whatever it names. The Undo button is not part of the flow: it
names the logged value itself and works for as long as the domain lets it.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import t
from bot.local_time import coded
from domain.metrics.catalogue import CATEGORIES, MetricKind
from domain.metrics.entry import LogTarget
from domain.metrics.latest import Latest
from domain.metrics.log import Implausible, Logged, Undone
from domain.metrics.log_line import MetricInputError
from domain.metrics.units import accepted_units, display
from domain.short_ids import short_id
from handlers.metrics.callbacks import LogAction, LogPress, UndoLogged
from handlers.metrics.names import metric_name
from handlers.metrics.progress_render import change_text
from handlers.shared.acting import refusal_params
from handlers.shared.echo import echo
from handlers.shared.edit_in_place import edit_or_reply
from handlers.shared.saved_choices import SavedChoices

PER_ROW = 2
Screen = tuple[str, InlineKeyboardMarkup | None]


@dataclass
class Pending(SavedChoices):
    """What /log has gathered so far, kept in user_data (JSON values only) between steps."""

    token: str
    now: str  # ISO time the entry was started: "yesterday" means the day before this
    timezone: str
    athletes: dict[str, str] = field(default_factory=dict)  # short id -> name, to pick from
    me: str | None = None  # the person's own athlete profile, if they have one
    athlete: str | None = None  # short id
    athlete_name: str = ""
    is_self: bool = False
    text: str = ""  # the whole typed line (one line), or the value typed (guided)
    metrics: list[str] = field(default_factory=list)  # keys on the metric buttons
    metric: str | None = None  # picked by button (guided); None: named in `text`
    metric_name: str = ""
    note: str | None = None
    confirmed: bool = False

    @classmethod
    def new(cls, now: datetime, timezone: str, text: str = "") -> Pending:
        """A fresh entry with a token no earlier /log's buttons carry."""
        return cls(secrets.token_urlsafe(4), now.isoformat(), timezone, text=text)

    @property
    def started(self) -> datetime:
        """When the entry was started."""
        return datetime.fromisoformat(self.now)

    def line(self) -> str:
        """What the domain reads: the line, or the value and the note (guided)."""
        return f"{self.text} # {self.note}" if self.note else self.text

    def offer(self, targets: Sequence[LogTarget]) -> None:
        """Remember whom the person may log for."""
        self.athletes = {short_id(target.athlete_id): target.first_name for target in targets}
        self.me = next((short_id(t.athlete_id) for t in targets if t.is_self), None)

    def choose(self, athlete: str) -> bool:
        """Take one of the athletes offered as the one the result is for; False if not offered."""
        if athlete not in self.athletes:
            return False
        self.athlete, self.athlete_name = athlete, self.athletes[athlete]
        self.is_self = athlete == self.me
        return True


def button(
    pending: Pending, label: str, action: LogAction, choice: str | None = None
) -> InlineKeyboardButton:
    """A flow button carrying the entry's token."""
    return InlineKeyboardButton(label, callback_data=LogPress(action, pending.token, choice).pack())


def cancel_row(pending: Pending, lang: str | None) -> list[InlineKeyboardButton]:
    """The Cancel button every step has."""
    return [button(pending, t("metrics.button.cancel", lang), LogAction.CANCEL)]


def athletes(pending: Pending, targets: Sequence[LogTarget], lang: str | None) -> Screen:
    """Whose result it is: themself, a child, an athlete they coach."""
    labels = [
        t("metrics.button.me", lang)
        if target.is_self
        else f"{target.first_name} {target.last_name}".strip()
        for target in targets
    ]
    buttons = [
        button(pending, label, LogAction.ATHLETE, short_id(target.athlete_id))
        for label, target in zip(labels, targets, strict=True)
    ]
    rows = [*_rows(buttons), cancel_row(pending, lang)]
    return t("metrics.pick_athlete", lang), InlineKeyboardMarkup(rows)


def categories(pending: Pending, catalogue: Sequence[MetricKind], lang: str | None) -> Screen:
    """The categories the athlete's catalogue has metrics in."""
    present = [
        category for category in CATEGORIES if any(k.category == category for k in catalogue)
    ]
    buttons = [
        button(pending, t(f"metrics.category.{c}", lang), LogAction.CATEGORY, c) for c in present
    ]
    text = (
        t("metrics.pick_category_self", lang)
        if pending.is_self
        else t("metrics.pick_category", lang, name=pending.athlete_name)
    )
    return text, InlineKeyboardMarkup([*_rows(buttons), cancel_row(pending, lang)])


def metrics(pending: Pending, kinds: Sequence[MetricKind], lang: str | None) -> Screen:
    """The metrics of the chosen category; a button carries the metric's place in the list."""
    buttons = [
        button(pending, metric_name(kind, lang), LogAction.METRIC, str(index))
        for index, kind in enumerate(kinds)
    ]
    back = button(pending, t("metrics.button.back", lang), LogAction.BACK)
    rows = [*_rows(buttons), [back, *cancel_row(pending, lang)]]
    return t("metrics.pick_metric", lang), InlineKeyboardMarkup(rows)


def ask_value(pending: Pending, kind: MetricKind, lang: str | None) -> Screen:
    """Send the value, in the metric's unit or another that measures the same."""
    key = "metrics.ask_value_reps" if kind.category == "strength" else "metrics.ask_value"
    others = ", ".join(accepted_units(kind.unit)[1:]) or kind.unit
    text = t(key, lang, metric=metric_name(kind, lang), unit=kind.unit, accepted=others)
    return text, InlineKeyboardMarkup([cancel_row(pending, lang)])


def ask_note(pending: Pending, lang: str | None) -> Screen:
    """An optional note about the value just typed."""
    skip = button(pending, t("metrics.button.skip", lang), LogAction.SKIP)
    text = t("metrics.ask_note", lang, value=echo(pending.text), metric=pending.metric_name)
    return text, InlineKeyboardMarkup([[skip, *cancel_row(pending, lang)]])


def implausible(pending: Pending, err: Implausible, lang: str | None) -> Screen:
    """The "5.12 kg for a squat?" question, with Log anyway and Cancel."""
    anyway = button(pending, t("metrics.button.log_anyway", lang), LogAction.ANYWAY)
    rows = [[anyway, *cancel_row(pending, lang)]]
    return t(err.message_key, lang, **refusal_params(err, lang)), InlineKeyboardMarkup(rows)


def logged(entry: Logged, lang: str | None, *, for_self: bool) -> Screen:
    """The confirmation of a logged value, its best or baseline, and the Undo button."""
    value = display(entry.typed_value, entry.typed_unit)
    if entry.reps is not None:
        value = f"{value} × {entry.reps}"
    lines = [
        t("metrics.logged", lang, metric=metric_name(entry.kind, lang), value=value)
        if for_self
        else t(
            "metrics.logged_for",
            lang,
            metric=metric_name(entry.kind, lang),
            value=value,
            name=entry.athlete_name,
        )
    ]
    if entry.is_pb and entry.previous_best is not None:
        previous = display(entry.previous_best, entry.unit)
        lines.append(t("metrics.personal_best", lang, previous=previous))
    elif entry.first_entry:
        lines.append(t("metrics.first_entry", lang, metric=metric_name(entry.kind, lang)))
    if entry.previous is not None:
        lines.append(_last_time(entry, entry.previous, lang))
    undo = InlineKeyboardButton(
        t("metrics.button.undo", lang),
        callback_data=UndoLogged.of(entry.metric_id, entry.recorded_at).pack(),
    )
    return "\n".join(lines), InlineKeyboardMarkup([[undo]])


def _last_time(entry: Logged, previous: Latest, lang: str | None) -> str:
    """The value this one follows, and the change since, better or worse."""
    shown = display(previous.value, previous.unit)
    change = entry.value - previous.value
    if change == 0:
        return t("metrics.last_time_same", lang, previous=shown)
    change_words = change_text(change, entry.kind, "metric", lang)
    return t("metrics.last_time", lang, previous=shown, change=change_words)


def undone(entry: Undone, lang: str | None) -> str:
    """What an undo took back."""
    value = display(entry.value, entry.unit) if entry.unit else str(entry.value)
    return t(
        "metrics.undone",
        lang,
        metric=coded("metric", entry.metric, lang),
        value=value,
        name=entry.athlete_name,
    )


def input_error(err: MetricInputError, lang: str | None) -> str:
    """The parser's hint, with the nearest metric names when it has some."""
    params = refusal_params(err, lang)
    if err.message_key == "metrics.error.unknown_metric":
        names = str(params.get("suggestions") or "")
        params["suggestions"] = " " + t("metrics.did_you_mean", lang, names=names) if names else ""
    return t(err.message_key, lang, **params)


async def say(update: Update, screen: Screen, *, edit: bool = True) -> None:
    """Edit the pressed message in place while the flow runs; after typing, reply."""
    text, markup = screen
    await edit_or_reply(update, text, markup, edit=edit)


def _rows(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]
