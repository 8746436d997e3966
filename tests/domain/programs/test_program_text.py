"""The compact program text: what it reads, what it refuses (line and reason), and that what
the coach is shown to edit reads back the same."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import catalogues, languages
from domain.programs import program_text
from domain.programs.content import (
    AbsoluteLoad,
    Day,
    Exercise,
    PercentOfBest,
    ProgramContent,
    Week,
)
from domain.programs.program_text import (
    ProgramTextError,
    parse_program_text,
    read_exercise,
    week_as_text,
)


def _problems(text: str, weeks: int = 12, week: int | None = None) -> list[tuple[int, str]]:
    with pytest.raises(ProgramTextError) as caught:
        parse_program_text(text, weeks=weeks, week=week)
    return [(p.line, p.key) for p in caught.value.problems]


def test_the_issues_example_reads_as_three_exercises() -> None:
    [week] = parse_program_text(
        "W1D1: back squat 3x5 @70%; bench press 3x8 60kg; 400m x4 rest 90s", weeks=4
    )
    squat, bench, run = week.days[0].exercises
    assert (week.week, week.days[0].day) == (1, 1)
    assert (squat.name, squat.sets, squat.reps) == ("back squat", 3, 5)
    assert squat.load == PercentOfBest(percent=Decimal(70))
    assert (bench.sets, bench.reps, bench.load) == (3, 8, AbsoluteLoad(kg=Decimal(60)))
    assert (run.name, run.sets, run.metres, run.rest_seconds) == ("400 m", 4, Decimal(400), 90)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("plank 3x45s", {"sets": 3, "seconds": 45}),
        ("plank 3 x 45 s", {"sets": 3, "seconds": 45}),
        ("push-ups x20", {"sets": 1, "reps": 20}),
        ("sprints 6x30m rest 2min", {"sets": 6, "metres": Decimal(30), "rest_seconds": 120}),
        ("tempo run 5km 25:00", {"metres": Decimal(5000), "seconds": 1500}),
        ("easy jog 1mi", {"metres": Decimal("1609.3")}),
        ("curl 3x10 45 lb", {"load": AbsoluteLoad(kg=Decimal("20.41"))}),
        ("press 5x5 62,5kg", {"load": AbsoluteLoad(kg=Decimal("62.5"))}),
        (
            "front squat 4x6 @72.5%(back squat) tempo 31x0",
            {"load": PercentOfBest(percent=Decimal("72.5"), metric="back squat"), "tempo": "31X0"},
        ),
        ("rdl 3x8 tempo 3-1-1-0 # slow down", {"tempo": "3-1-1-0", "notes": "slow down"}),
        ("mobility flow -- hips and ankles", {"sets": 1, "notes": "hips and ankles"}),
    ],
)
def test_each_part_of_an_exercise_is_read(item: str, expected: dict[str, object]) -> None:
    exercise = read_exercise(item)
    assert {key: getattr(exercise, key) for key in expected} == expected


def test_lines_without_a_header_add_to_the_day_above_and_rest_days_stay_empty() -> None:
    weeks = parse_program_text(
        "W2\nD1: squat 3x5\n  lunges 3x10; calf raises 3x15\nD3: rest\nD4: bike 30min", weeks=2
    )
    assert [w.week for w in weeks] == [2]
    assert [(d.day, len(d.exercises)) for d in weeks[0].days] == [(1, 3), (4, 1)]


def test_inside_a_week_being_entered_a_day_needs_no_week_number() -> None:
    [week] = parse_program_text("D2: squat 3x5", weeks=3, week=3)
    assert (week.week, week.days[0].day) == (3, 2)


def test_every_bad_line_is_named_with_its_reason_and_nothing_is_returned() -> None:
    text = "\n".join(
        [
            "W1D1: back squat 3x5",
            "W1D1: squat 3 sets",  # "3" means nothing alone
            "W1D8: run 5km",
            "W1D2: deadlift 3x5 600kg",
            "W1D3: bench 3x5 @150%",
            "W1D4: squat 3x5 3x4",
        ]
    )
    assert _problems(text) == [
        (2, "programs.text.unknown_part"),
        (3, "programs.text.day_range"),
        (4, "programs.text.bound.kg"),
        (5, "programs.text.bound.percent"),
        (6, "programs.text.twice_field"),
    ]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("squat 3x5", "programs.text.no_day"),
        ("D1: squat 3x5", "programs.text.no_week"),
        ("W0D1: squat 3x5", "programs.text.week_range"),
        ("W53D1: squat 3x5", "programs.text.week_range"),
        ("W13D1: squat 3x5", "programs.text.beyond_program"),
        ("W1D1: squat 60x5", "programs.text.bound.sets"),
        ("W1D1: squat 3x5000", "programs.text.bound.reps"),
        ("W1D1: run 200km", "programs.text.bound.metres"),
        ("W1D1: walk 7h", "programs.text.bound.seconds"),
        ("W1D1: squat 3x5 rest 2h", "programs.text.bound.rest"),
        ("W1D1: squat 3x5 @0%", "programs.text.bound.percent"),
        ("W1D1: squat 3x5 2000lb", "programs.text.bound.kg"),
        ("W1D1: @70%", "programs.text.no_name"),
        ("   ", "programs.text.empty"),
    ],
)
def test_each_bound_is_refused_with_its_reason(text: str, key: str) -> None:
    assert _problems(text) == [(1, key)]


def test_more_than_50_exercises_in_a_day_is_refused_on_the_line_of_the_51st() -> None:
    names = [f"drill {a}{b}" for a in "abcdefg" for b in "abcdefgh"]
    text = "W1D1: " + "; ".join(f"{name} x5" for name in names[:30])
    text += "\n" + "; ".join(f"{name} x5" for name in names[30:51])
    assert _problems(text) == [(2, "programs.text.too_many_exercises")]
    assert parse_program_text(text.rsplit(";", 1)[0], weeks=1)[0].days[0].exercises[49]


def test_a_week_replaces_the_same_week_and_can_be_copied() -> None:
    content = ProgramContent().with_weeks(parse_program_text("W1D1: squat 3x5", weeks=4))
    content = content.with_week_copied(1, 3)
    assert [w.week for w in content.weeks] == [1, 3]
    content = content.with_weeks(parse_program_text("W3D2: rest", weeks=4))
    assert [w.week for w in content.weeks] == [1]
    assert ProgramContent.from_stored(content.stored()) == content


def test_stored_content_names_its_schema_version() -> None:
    stored = ProgramContent().stored()
    assert stored == {"schema_version": 1, "weeks": []}
    with pytest.raises(ValueError):
        ProgramContent.from_stored({"schema_version": 2, "weeks": []})


# Names as coaches write them: words of letters that are none of the format's own words.
_word = st.text(alphabet="abcdefghijklmnopqrstuvwyzáéñ", min_size=2, max_size=8).filter(
    lambda w: w not in {"rest", "tempo"}
)
_names = st.lists(_word, min_size=1, max_size=3).map(" ".join)
_notes = st.text(alphabet="abcdefgh ijklmnop.,!", min_size=1, max_size=30).map(str.strip)
_loads = st.one_of(
    st.none(),
    st.decimals(min_value=Decimal("0.5"), max_value=500, places=1).map(
        lambda kg: AbsoluteLoad(kg=kg)
    ),
    st.builds(
        PercentOfBest,
        percent=st.decimals(min_value=1, max_value=120, places=1),
        metric=st.one_of(st.none(), _names),
    ),
)


@st.composite
def _exercises(draw: st.DrawFn) -> Exercise:
    reps = draw(st.one_of(st.none(), st.integers(1, 1000)))
    seconds = draw(st.one_of(st.none(), st.integers(1, 6 * 3600)))
    metres = draw(st.one_of(st.none(), st.decimals(min_value=1, max_value=100_000, places=1)))
    amount = reps is not None or seconds is not None or metres is not None
    return Exercise(
        name=draw(_names),
        sets=draw(st.integers(1, 50)) if amount else 1,
        reps=reps,
        seconds=seconds,
        metres=metres,
        load=draw(_loads),
        rest_seconds=draw(st.one_of(st.none(), st.integers(0, 3600))),
        tempo=draw(st.one_of(st.none(), st.from_regex(r"\A[0-9X]{4}\Z"))),
        notes=draw(st.one_of(st.none(), _notes.filter(bool))),
    )


_weeks = st.builds(
    lambda number, days: Week(week=number, days=days),
    st.integers(1, 52),
    st.lists(st.integers(1, 7), min_size=1, max_size=7, unique=True).flatmap(
        lambda numbers: st.tuples(
            *[
                st.lists(_exercises(), min_size=1, max_size=4).map(
                    lambda exercises, n=n: Day(day=n, exercises=exercises)
                )
                for n in sorted(numbers)
            ]
        ).map(list)
    ),
)


@settings(max_examples=150, deadline=None)
@given(_weeks)
def test_a_week_shown_as_text_reads_back_the_same(week: Week) -> None:
    assert parse_program_text(week_as_text(week), weeks=52) == [week]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_either_a_program_or_refused_with_reasons(text: str) -> None:
    try:
        weeks = parse_program_text(text, weeks=52)
    except ProgramTextError as err:
        assert err.problems and all(p.line >= 1 and p.key for p in err.problems)
    else:
        assert ProgramContent(weeks=weeks)


def test_every_reason_the_parser_gives_is_worded_in_every_language() -> None:
    source = Path(program_text.__file__).read_text(encoding="utf-8")
    keys = set(re.findall(r"programs\.text\.[a-z_.]+[a-z]", source))
    assert len(keys) > 15
    for lang in languages():
        assert sorted(k for k in keys if k not in catalogues()[lang]) == []
