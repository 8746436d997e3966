"""Progress in words and pictures: the pickers, a chart's caption and labels, the roster text.

Buttons carry `prg:<action>:<args>`: `a:<athlete>` shows the athlete's metrics, `m:<athlete>:
<metric type>` the periods, `s:<athlete>:<metric type>:<span>` sends the chart, `x:<athlete>`
the CSV, `who` goes back to the athletes. Ids are short ids (two fit in Telegram's 64 bytes);
each press is checked again by the domain.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.i18n import t
from bot.local_time import local_moment
from domain.metrics.catalogue import MetricKind
from domain.metrics.progress import SPANS, Series
from domain.metrics.roster import RosterLine, RosterMetric
from domain.metrics.units import display
from domain.metrics.viewers import AthleteName, Reader
from domain.timezones import zone_of
from handlers.metrics.callbacks import (
    ProgressAthlete,
    ProgressAthletes,
    ProgressExport,
    ProgressMetric,
    ProgressSpan,
)
from handlers.metrics.charts import render_progress_async, uses_clock
from handlers.metrics.names import metric_name

log = logging.getLogger(__name__)
BUTTONS_PER_ROW = 2


def athletes_markup(
    athletes: Sequence[AthleteName],
    me: uuid.UUID | None,
    lang: str | None,
    *,
    press: type[ProgressAthlete | ProgressExport] = ProgressAthlete,
) -> InlineKeyboardMarkup:
    """One button per athlete, "Me" for the reader's own profile."""
    return _grid(
        [
            InlineKeyboardButton(
                t("progress.me", lang) if athlete.athlete_id == me else athlete.name,
                callback_data=press(athlete.athlete_id).pack(),
            )
            for athlete in athletes
        ]
    )


def metrics_markup(
    athlete: AthleteName, kinds: Sequence[MetricKind], lang: str | None, *, back: bool
) -> InlineKeyboardMarkup:
    """One button per metric with values; back to the athletes when there were several."""
    rows = _rows(
        [
            InlineKeyboardButton(
                metric_name(kind, lang),
                callback_data=ProgressMetric(athlete.athlete_id, kind.id).pack(),
            )
            for kind in kinds
        ]
    )
    if back:
        rows.append(
            [
                InlineKeyboardButton(
                    t("progress.button.back", lang), callback_data=ProgressAthletes().pack()
                )
            ]
        )
    return InlineKeyboardMarkup(rows)


def spans_markup(athlete: AthleteName, kind: MetricKind, lang: str | None) -> InlineKeyboardMarkup:
    """The periods a chart can cover, and back to the metrics."""
    rows = _rows(
        [
            InlineKeyboardButton(
                t(f"progress.span.{span}", lang),
                callback_data=ProgressSpan(athlete.athlete_id, kind.id, span).pack(),
            )
            for span in SPANS
        ]
    )
    back = ProgressAthlete(athlete.athlete_id).pack()
    rows.append([InlineKeyboardButton(t("progress.button.back", lang), callback_data=back)])
    return InlineKeyboardMarkup(rows)


def empty_text(series: Series, athlete: AthleteName, span: str, lang: str | None) -> str:
    """What to say instead of an empty chart."""
    if series.since is None:
        return t(
            "progress.empty_all", lang, metric=metric_name(series.kind, lang), name=athlete.name
        )
    span_name = t(f"progress.span.{span}", lang)
    return t(
        "progress.empty",
        lang,
        metric=metric_name(series.kind, lang),
        name=athlete.name,
        span=span_name,
    )


async def chart(series: Series, athlete: AthleteName, reader: Reader, lang: str | None) -> bytes:
    """The PNG of a non-empty series, in the reader's units, language and zone."""
    shown = series.in_units(reader.units)
    metric = metric_name(series.kind, lang)
    axis = (
        t("progress.chart.axis_clock", lang, metric=metric)
        if uses_clock(shown)
        else t("progress.chart.axis", lang, metric=metric, unit=shown.unit)
    )
    return await render_progress_async(
        shown,
        title=f"{athlete.name} · {metric}",
        x_label=t("progress.chart.date", lang),
        y_label=axis,
        lang=lang,
        timezone=reader.timezone,
    )


def caption(
    series: Series, athlete: AthleteName, span: str, reader: Reader, lang: str | None
) -> str:
    """Latest, best and change of a non-empty series, under its chart."""
    assert series.latest is not None
    unit, units = series.unit, reader.units
    lines = [
        t(
            "progress.caption.title",
            lang,
            name=athlete.name,
            metric=metric_name(series.kind, lang),
            span=t(f"progress.span.{span}", lang),
        ),
        t(
            "progress.caption.latest",
            lang,
            value=display(series.latest.value, unit, units=units),
            moment=local_moment(series.latest.at, reader.timezone, lang),
        ),
    ]
    if series.best is not None:
        best = display(series.best.value, unit, units=units)
        lines.append(t("progress.caption.best", lang, value=best))
    if series.change is not None:
        change = change_text(series.change, series.kind, units, lang)
        lines.append(t("progress.caption.change", lang, change=change))
    return "\n".join(lines)


def change_text(change: Decimal, kind: MetricKind, units: str, lang: str | None) -> str:
    """A signed change in the reader's units, saying whether it is better or worse."""
    shown = display(change, kind.unit, units=units)
    signed = f"+{shown}" if change > 0 else shown
    if change == 0 or kind.better not in ("higher", "lower"):
        return signed
    better = (change > 0) == (kind.better == "higher")
    return t("progress.change.better" if better else "progress.change.worse", lang, change=signed)


def roster_text(lines: Sequence[RosterLine], units: str, lang: str | None) -> str:
    """Each athlete, then one line per metric: latest value and change over four weeks."""
    if not lines:
        return t("progress.roster.empty", lang)
    parts = [t("progress.roster.title", lang)]
    for line in lines:
        parts.append("")
        parts.append(t("progress.roster.athlete", lang, name=line.name))
        parts += [_roster_metric(metric, units, lang) for metric in line.metrics] or [
            t("progress.roster.no_values", lang)
        ]
    return "\n".join(parts)


def _roster_metric(metric: RosterMetric, units: str, lang: str | None) -> str:
    value = display(metric.latest.value, metric.kind.unit, units=units)
    if metric.change is None:
        return t("progress.roster.line", lang, metric=metric_name(metric.kind, lang), value=value)
    change = change_text(metric.change, metric.kind, units, lang)
    return t(
        "progress.roster.line_change",
        lang,
        metric=metric_name(metric.kind, lang),
        value=value,
        change=change,
    )


def export_filename(athlete: AthleteName, timezone: str) -> str:
    """A file name people recognise: the athlete's name and today's date, nothing a path uses."""
    name = re.sub(r"[^\w-]+", "_", athlete.name).strip("_") or "athlete"
    today = datetime.now(UTC).astimezone(zone_of(timezone)).date()
    return f"{name}-results-{today.isoformat()}.csv"


async def show(update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """`text` in place of the pressed message."""
    query = update.callback_query
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as err:
        # Pressed twice, so nothing changed; or too old to edit: the press was answered anyway.
        if "not modified" not in str(err):
            log.info("could not update the pressed message: %r", err)


def _rows(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]


def _grid(buttons: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(_rows(buttons))
