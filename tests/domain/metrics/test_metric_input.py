import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.metrics.catalogue import MetricKind, find
from domain.metrics.log_line import LogLine, MetricInputError, parse_log_line
from domain.metrics.units import accepted_units, convert, dimension_of
from tests.domain.metrics.metric_steps import builtin_kinds, typed_line

STORED = Decimal("0.0001")
# A Thursday noon in Berlin (UTC+1 in December).
NOW = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
BERLIN = "Europe/Berlin"
CATALOGUE = builtin_kinds()


def coachs_own(name: str, unit: str, low: str, high: str) -> MetricKind:
    return MetricKind(
        uuid.uuid4(),
        name.lower(),
        name,
        None,
        "technique",
        unit,
        "higher",
        Decimal(low),
        Decimal(high),
        (),
        uuid.uuid4(),
    )


# Coaches name things awkwardly: numbers, "at", a time word, a unit word.
AWKWARD = [
    coachs_own("Shots at 10 m", "reps", "0", "100"),
    coachs_own("Yesterday drill", "s", "1", "600"),
    coachs_own("Sprint 5", "s", "0.5", "30"),
    coachs_own("Kg lifted today", "kg", "1", "20000"),
]
WITH_COACHS_OWN = [*CATALOGUE, *AWKWARD]


def parse(text: str, timezone: str = BERLIN) -> LogLine:
    return parse_log_line(text, CATALOGUE, now=NOW, timezone=timezone)


@pytest.mark.parametrize(
    ("text", "key", "value", "reps"),
    [
        ("/log 40m sprint 5.12s", "sprint_40m", "5.12", None),
        ("/log@SportsCenterBot 40m sprint 5.12 s", "sprint_40m", "5.12", None),
        ("40m sprint 5.12", "sprint_40m", "5.12", None),
        ("Sprint 40m 5,12", "sprint_40m", "5.12", None),
        ("40 m sprint 5120 ms", "sprint_40m", "5.12", None),
        ("squat 120kg x5", "squat", "120", 5),
        ("squat 120kgx5", "squat", "120", 5),
        ("squat 120 kg 5 reps", "squat", "120", 5),
        ("squat 120 x 5", "squat", "120", 5),
        ("weight 72.4", "body_weight", "72.4", None),
        ("bench 225 lb", "bench_press", "102.0583", None),
        ("5k 21:30", "run_5km", "1290", None),
        ("5 km run 1:02:03.5", "run_5km", "3723.5", None),
        ("plank 2:05", "plank", "125", None),
        ("plank 2 min", "plank", "120", None),
        ("vertical jump 55cm", "vertical_jump", "55", None),
        ("vertical jump 0.55 m", "vertical_jump", "55", None),
        ("height 5'10\"", "height", "177.8", None),
        ("height 5 ft 10 in", "height", "177.8", None),
        ("height 5 ft 10 inches", "height", "177.8", None),
        ("height 5'10", "height", "177.8", None),
        ("pull-ups 12", "pull_ups", "12", None),
        ("pullups 12 reps", "pull_ups", "12", None),
        ("serve 180 mph", "serve_speed", "289.6819", None),
        ("free throws 80%", "free_throws", "80", None),
        ("hr 52 bpm", "resting_hr", "52", None),
        ("beep test 12.5", "beep_test", "12.5", None),
    ],
)
def test_one_line_reads_metric_value_and_reps(
    text: str, key: str, value: str, reps: int | None
) -> None:
    line = parse(text)
    assert (line.metric.key, line.value, line.reps) == (key, Decimal(value), reps)
    assert line.unit == line.metric.unit
    assert line.recorded_at is None and line.notes is None


def test_the_typed_value_and_unit_are_kept() -> None:
    line = parse("bench 225 lbs")
    assert (line.typed_value, line.typed_unit) == (Decimal(225), "lb")


def test_a_value_without_a_unit_is_in_the_metrics_own_unit() -> None:
    line = parse("vertical jump 55")
    assert (line.value, line.typed_unit) == (Decimal(55), "cm")


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("squat 100kg yesterday 18:00", datetime(2026, 12, 2, 17, 0, tzinfo=UTC)),
        ("weight 72.4 today 7:30", datetime(2026, 12, 3, 6, 30, tzinfo=UTC)),
        ("weight 72.4 at 9.15", datetime(2026, 12, 3, 8, 15, tzinfo=UTC)),
        ("weight 72.4 yesterday", datetime(2026, 12, 2, 11, 0, tzinfo=UTC)),
        ("weight 72.4 yesterday 6pm", datetime(2026, 12, 2, 17, 0, tzinfo=UTC)),
        ("weight 72.4 yesterday at 6", datetime(2026, 12, 2, 5, 0, tzinfo=UTC)),
        ("weight 72.4 yday 16h30", datetime(2026, 12, 2, 15, 30, tzinfo=UTC)),
        ("yesterday 18:00 squat 100kg", datetime(2026, 12, 2, 17, 0, tzinfo=UTC)),
    ],
)
def test_times_are_read_in_the_persons_time_zone(text: str, instant: datetime) -> None:
    assert parse(text).recorded_at == instant


def test_yesterday_means_yesterday_where_the_person_is() -> None:
    # 01:30 in Tokyo is still the previous day in UTC.
    now = datetime(2026, 12, 2, 16, 30, tzinfo=UTC)
    line = parse_log_line("weight 70 yesterday 20:00", CATALOGUE, now=now, timezone="Asia/Tokyo")
    assert line.recorded_at == datetime(2026, 12, 2, 11, 0, tzinfo=UTC)


def test_today_alone_means_now() -> None:
    assert parse("weight 72.4 today").recorded_at is None


def test_a_number_after_today_that_is_no_time_of_day_is_the_value() -> None:
    line = parse("weight today 72.40")
    assert (line.value, line.recorded_at) == (Decimal("72.4"), None)


def test_a_time_across_the_clock_change_lands_on_the_right_instant() -> None:
    # Berlin went from UTC+2 to UTC+1 overnight on 25 October 2026.
    now = datetime(2026, 10, 25, 12, 0, tzinfo=UTC)
    line = parse_log_line("weight 70 yesterday 18:00", CATALOGUE, now=now, timezone=BERLIN)
    assert line.recorded_at == datetime(2026, 10, 24, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["weight 72 at 25:00", "weight 72 yesterday at 13pm"])
def test_an_impossible_time_is_refused(text: str) -> None:
    with pytest.raises(MetricInputError) as refused:
        parse(text)
    assert refused.value.message_key == "metrics.error.bad_time"


def test_a_time_in_the_future_is_refused_as_such() -> None:
    with pytest.raises(MetricInputError) as refused:
        parse("weight 72 today 23:00")
    assert refused.value.message_key == "metrics.error.future"


@pytest.mark.parametrize(
    "text", ["squat 120kg x5 note: felt strong", "squat 120kg x5 # felt strong"]
)
def test_notes_follow_note_or_hash(text: str) -> None:
    line = parse(text)
    assert (line.value, line.reps, line.notes) == (Decimal(120), 5, "felt strong")


def test_time_and_note_together() -> None:
    line = parse("5k 21:30 yesterday 18:00 # windy")
    assert line.value == Decimal(1290)
    assert line.recorded_at == datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    assert line.notes == "windy"


def test_a_typo_gets_the_nearest_metric_names() -> None:
    with pytest.raises(MetricInputError) as refused:
        parse("sprnt 40m 5.12")
    assert refused.value.message_key == "metrics.error.unknown_metric"
    assert refused.value.params["text"] == "sprnt 40m"
    assert refused.value.params["suggestions"].split(", ")[0] == "40 m sprint"


@pytest.mark.parametrize(
    ("text", "key", "params"),
    [
        ("squat", "metrics.error.no_value", {"metric": {"code": "squat"}}),
        ("", "metrics.error.no_metric", {}),
        ("weight 72 stone", "metrics.error.bad_unit", {"unit": "stone", "accepted": "kg, lb, g"}),
        ("squat 120 s", "metrics.error.bad_unit", {"unit": "s", "accepted": "kg, lb, g"}),
        (
            "vertical jump 0.0005 km",
            "metrics.error.bad_unit",
            {"unit": "km", "accepted": "cm, m, ft, in"},
        ),
        ("squat 120kg please", "metrics.error.unexpected", {"text": "please"}),
        ("squat 120kg x0", "metrics.error.bad_reps", {"reps": 0}),
        ("5k 21:75", "metrics.error.bad_duration", {"text": "21:75"}),
        ("weight 99999999999", "metrics.error.too_large", {"text": "99999999999"}),
        ("weight " + "9" * 40, "metrics.error.too_large", {"text": "9" * 40}),
    ],
)
def test_mistakes_are_explained(text: str, key: str, params: dict[str, object]) -> None:
    with pytest.raises(MetricInputError) as refused:
        parse(text)
    assert refused.value.message_key == key
    assert refused.value.params == params


@st.composite
def logged_values(draw: st.DrawFn) -> tuple[MetricKind, Decimal, str, int | None]:
    metric = draw(st.sampled_from(WITH_COACHS_OWN))
    # Counts are whole: a fraction of a rep is impossible, not merely unlikely.
    places = 0 if dimension_of(metric.unit) == "count" else 4
    stored = draw(
        st.decimals(min_value=metric.min_value, max_value=metric.max_value, places=places)
    )
    unit = draw(st.sampled_from(accepted_units(metric.unit)))
    reps = draw(st.none() | st.integers(min_value=1, max_value=100))
    return metric, stored, unit, reps


@settings(max_examples=500, deadline=None)
@given(logged_values())
def test_any_plausible_value_typed_in_any_accepted_unit_reads_back_as_stored(
    logged: tuple[MetricKind, Decimal, str, int | None],
) -> None:
    metric, stored, unit, reps = logged
    typed = convert(stored, metric.unit, unit)

    text = typed_line(metric, typed, unit, reps)
    line = parse_log_line(text, WITH_COACHS_OWN, now=NOW, timezone=BERLIN)

    assert (line.metric, line.value, line.reps) == (metric, stored, reps)


@pytest.mark.parametrize(
    ("text", "name", "value", "recorded_at"),
    [
        (
            "shots at 10m 7 yesterday 18:00",
            "Shots at 10 m",
            "7",
            datetime(2026, 12, 2, 17, 0, tzinfo=UTC),
        ),
        ("yesterday drill 42", "Yesterday drill", "42", None),
        (
            "yesterday 18:00 sprint 5 4.9",
            "Sprint 5",
            "4.9",
            datetime(2026, 12, 2, 17, 0, tzinfo=UTC),
        ),
        (
            "kg lifted today 1200 kg today 7:30",
            "Kg lifted today",
            "1200",
            datetime(2026, 12, 3, 6, 30, tzinfo=UTC),
        ),
    ],
)
def test_a_coachs_awkward_name_is_read_whole(
    text: str, name: str, value: str, recorded_at: datetime | None
) -> None:
    line = parse_log_line(text, WITH_COACHS_OWN, now=NOW, timezone=BERLIN)
    assert (line.metric.name, line.value, line.recorded_at) == (name, Decimal(value), recorded_at)


def test_a_time_before_the_metric_is_read_too() -> None:
    line = parse("yesterday 18:00 squat 100kg x3")
    assert (line.metric.key, line.reps) == ("squat", 3)
    assert line.recorded_at == datetime(2026, 12, 2, 17, 0, tzinfo=UTC)


def test_a_typo_with_a_time_suggests_from_the_name_alone() -> None:
    with pytest.raises(MetricInputError) as refused:
        parse("dedlift 180kg yesterday 18:00")
    assert refused.value.params["text"] == "dedlift"
    assert refused.value.params["suggestions"].startswith("Deadlift")


def test_every_catalogue_name_finds_its_own_metric() -> None:
    for metric in CATALOGUE:
        assert find(CATALOGUE, metric.name) == metric
