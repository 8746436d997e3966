"""Backfilling with /log: ISO dates, weekday names and the day words of every language the bot
speaks; a date in the future or one that does not exist is refused with the reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.i18n import languages
from domain.metrics.log_line import MetricInputError, parse_log_line
from domain.metrics.log_time import DAY_WORDS
from tests.domain.metrics.metric_steps import builtin_kinds

# A Thursday noon in Berlin (UTC+1 in December).
NOW = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
BERLIN = "Europe/Berlin"
CATALOGUE = builtin_kinds()


def recorded_at(text: str) -> datetime | None:
    return parse_log_line(text, CATALOGUE, now=NOW, timezone=BERLIN).recorded_at


def refusal(text: str) -> MetricInputError:
    with pytest.raises(MetricInputError) as refused:
        parse_log_line(text, CATALOGUE, now=NOW, timezone=BERLIN)
    return refused.value


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        # A date alone keeps the time of day it is now, as "yesterday" alone does.
        ("squat 100kg 2026-11-30", datetime(2026, 11, 30, 11, 0, tzinfo=UTC)),
        ("squat 100kg 2026-11-30 18:00", datetime(2026, 11, 30, 17, 0, tzinfo=UTC)),
        ("squat 100kg 2026-11-30 at 6pm", datetime(2026, 11, 30, 17, 0, tzinfo=UTC)),
        ("2026-11-30 18:00 squat 100kg", datetime(2026, 11, 30, 17, 0, tzinfo=UTC)),
        ("squat 100kg 2025-06-01 9:00", datetime(2025, 6, 1, 7, 0, tzinfo=UTC)),  # summer time
    ],
)
def test_an_iso_date_backfills_a_value(text: str, instant: datetime) -> None:
    assert recorded_at(text) == instant


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("squat 100kg mon 18:00", datetime(2026, 11, 30, 17, 0, tzinfo=UTC)),
        ("squat 100kg monday 18:00", datetime(2026, 11, 30, 17, 0, tzinfo=UTC)),
        ("squat 100kg on Monday at 6pm", datetime(2026, 11, 30, 17, 0, tzinfo=UTC)),
        ("squat 100kg lun 18:00", datetime(2026, 11, 30, 17, 0, tzinfo=UTC)),
        ("squat 100kg el lunes a las 18:00", datetime(2026, 11, 30, 17, 0, tzinfo=UTC)),
        ("squat 100kg mié 7:30", datetime(2026, 12, 2, 6, 30, tzinfo=UTC)),
        ("squat 100kg miercoles 7:30", datetime(2026, 12, 2, 6, 30, tzinfo=UTC)),
        ("squat 100kg fri 18:00", datetime(2026, 11, 27, 17, 0, tzinfo=UTC)),
        ("squat 100kg sáb 10:00", datetime(2026, 11, 28, 9, 0, tzinfo=UTC)),
        ("sun 10:00 squat 100kg", datetime(2026, 11, 29, 9, 0, tzinfo=UTC)),
        # Today's own weekday is today, not a week ago.
        ("squat 100kg thu 9:00", datetime(2026, 12, 3, 8, 0, tzinfo=UTC)),
        ("squat 100kg jue 9:00", datetime(2026, 12, 3, 8, 0, tzinfo=UTC)),
        ("squat 100kg fri", datetime(2026, 11, 27, 11, 0, tzinfo=UTC)),
    ],
)
def test_a_weekday_means_the_most_recent_one(text: str, instant: datetime) -> None:
    assert recorded_at(text) == instant


def test_todays_weekday_alone_means_now() -> None:
    assert recorded_at("squat 100kg thursday") is None
    assert recorded_at("squat 100kg jueves") is None


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("squat 100kg hoy 7:30", datetime(2026, 12, 3, 6, 30, tzinfo=UTC)),
        ("squat 100kg ayer 18:00", datetime(2026, 12, 2, 17, 0, tzinfo=UTC)),
        ("squat 100kg ayer a las 18:00", datetime(2026, 12, 2, 17, 0, tzinfo=UTC)),
        ("squat 100kg ayer", datetime(2026, 12, 2, 11, 0, tzinfo=UTC)),
        ("Ayer 18:00 squat 100kg", datetime(2026, 12, 2, 17, 0, tzinfo=UTC)),
        ("squat 100kg a las 9:15", datetime(2026, 12, 3, 8, 15, tzinfo=UTC)),
        ("squat 100kg yesterday 18:00", datetime(2026, 12, 2, 17, 0, tzinfo=UTC)),
    ],
)
def test_today_and_yesterday_work_in_spanish_as_in_english(text: str, instant: datetime) -> None:
    assert recorded_at(text) == instant


def test_hoy_alone_means_now() -> None:
    assert recorded_at("squat 100kg hoy") is None


def test_every_language_the_bot_speaks_has_its_day_words() -> None:
    assert set(languages()) <= set(DAY_WORDS)
    for words in DAY_WORDS.values():
        assert words.today and words.yesterday and len(words.weekdays) == 7


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("squat 100kg 2026-12-04", "2026-12-04"),
        ("squat 100kg 2027-01-01 9:00", "2027-01-01 9:00"),
        ("squat 100kg today 23:00", "today 23:00"),
        ("squat 100kg hoy 23:00", "hoy 23:00"),
        # Today's weekday is today: later today has not happened yet.
        ("squat 100kg thu 18:00", "thu 18:00"),
    ],
)
def test_a_date_or_time_in_the_future_is_refused_with_the_reason(text: str, shown: str) -> None:
    refused = refusal(text)
    assert (refused.message_key, refused.params) == ("metrics.error.future", {"time": shown})


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("squat 100kg 2026-02-30", "2026-02-30"),
        ("squat 100kg 2026-13-01", "2026-13-01"),
        ("squat 100kg 1969-12-31 18:00", "1969-12-31 18:00"),
    ],
)
def test_a_date_that_does_not_exist_or_is_too_old_is_refused(text: str, shown: str) -> None:
    refused = refusal(text)
    assert (refused.message_key, refused.params) == ("metrics.error.bad_date", {"date": shown})


@pytest.mark.parametrize(
    "text",
    [
        "sprnt",
        "sprnt 5.12",
        "sprnt 5.12 ayer 18:00",
        "sprnt ayer",
        "sprnt 5.12 el lunes",
        "sprnt 5.12 2026-11-30",
        "sprnt lun 18:00 5.12",
        # A note written without its "#": the name cannot be told from the words after it.
        "sprnt 5.12 into the wind",
    ],
)
def test_a_sprint_without_its_distance_gets_the_sprints_suggested(text: str) -> None:
    refused = refusal(text)
    assert refused.message_key == "metrics.error.unknown_metric"
    suggested = refused.params["suggestions"].split(", ")
    assert {"30 m sprint", "40 m sprint", "100 m sprint"} <= set(suggested)
