"""The compact program text a coach types or pastes, read into weeks of `content.Day`s.

    W1D1: back squat 3x5 @70%; bench press 3x8 60kg; 400m x4 rest 90s
    W1D2: plank 3x45s # keep the hips level
    W2: (then days of week 2 as D1: ..., D2: ...)

A line starting `W<n>D<m>:` (or `D<m>:` inside a week) opens a day; the exercises follow,
separated by `;`, and lines without a header add to the day above. `rest` marks a rest day.
An exercise is its name, then in any order: `3x5` (sets × reps), `x4` (sets of a time or
distance, or reps when there is neither), `3x400m`, `400m`, `5km`, `1mi`, `30s`, `5min`,
`1:30`, a load `60kg` / `135lb` or `@70%` of the athlete's best (`@70%(back squat)` names the
metric), `rest 90s`, `tempo 3-1-1-0`, and a note after `#` or `--`. Every problem is reported
with its line and reason, and nothing is kept unless the whole text reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from domain.errors import InvalidInput
from domain.programs.content import (
    DAYS_IN_WEEK,
    MAX_EXERCISES_PER_DAY,
    MAX_KG,
    MAX_PERCENT,
    MAX_WEEKS,
    AbsoluteLoad,
    Day,
    Exercise,
    PercentOfBest,
    Week,
)

MAX_PROBLEMS = 10
KG_PER_LB = Decimal("0.45359237")
METRES = {"m": Decimal(1), "km": Decimal(1000), "mi": Decimal("1609.344")}
SECONDS = {"s": 1, "sec": 1, "secs": 1, "min": 60, "mins": 60, "h": 3600}

_NUMBER = r"\d+(?:[.,]\d+)?"
_TIME = r"(?:\d+:\d{2}|\d+(?:s|sec|secs|min|mins|h))"
_DISTANCE = rf"(?:{_NUMBER}(?:m|km|mi))"
_HEADER = re.compile(
    r"^\s*(?:w\s*(?P<week>\d+)\s*)?(?:d\s*(?P<day>\d+))?\s*(?::|\s|$)\s*(?P<rest>.*)$", re.I
)
_PERCENT = re.compile(rf"@\s*(?P<n>{_NUMBER})\s*%(?:\s*\((?P<metric>[^)]*)\))?", re.I)
_REST = re.compile(rf"\brest\s+(?P<t>{_TIME})(?=\s|$)", re.I)
_TEMPO = re.compile(r"\btempo\s+(?P<t>[0-9x](?:-?[0-9x]){3})(?=\s|$)", re.I)
_LOAD = re.compile(rf"@?\s*\b(?P<n>{_NUMBER})\s*(?P<unit>kg|kgs|lb|lbs)\b", re.I)
# "3 x 5", "60 kg", "400 m" as typed by people who space things out.
_GLUE = [
    (re.compile(r"(\d)\s*[x×]\s*(\d)", re.I), r"\1x\2"),
    (re.compile(r"(?:(?<=\s)|^)[x×]\s+(\d)", re.I), r"x\1"),
    (re.compile(rf"({_NUMBER})\s+(m|km|mi|s|sec|secs|min|mins|h)\b", re.I), r"\1\2"),
]
_SETS_REPS = re.compile(r"^(\d+)x(\d+)$")
_SETS_OF = re.compile(rf"^(\d+)x({_DISTANCE}|{_TIME})$")
_TIMES = re.compile(r"^x(\d+)$")
_DISTANCE_TOKEN = re.compile(rf"^({_NUMBER})(m|km|mi)$")
_TIME_TOKEN = re.compile(r"^(?:(\d+):(\d{2})|(\d+)(s|sec|secs|min|mins|h))$")


@dataclass(frozen=True)
class LineProblem:
    """What is wrong on one line of the text: `key` is the reason's message key."""

    line: int
    text: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)


class ProgramTextError(InvalidInput):
    """The text does not read as a program; `problems` name each line and reason."""

    message_key = "programs.text.invalid"

    def __init__(self, *, problems: list[LineProblem]) -> None:
        super().__init__("; ".join(f"line {p.line}: {p.key}" for p in problems))
        self.problems = problems


class _Problem(Exception):
    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def parse_program_text(text: str, *, weeks: int, week: int | None = None) -> list[Week]:
    """The weeks written in `text` (each complete, in order), for a program of `weeks` weeks;
    `week` is the one lines without a W refer to. Raises ProgramTextError."""
    reader = _Reader(weeks=weeks, week=week)
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            reader.read_line(number, line.strip())
        if len(reader.problems) >= MAX_PROBLEMS:
            break
    if not reader.problems and not reader.days:
        reader.problems.append(LineProblem(1, text.strip()[:80], "programs.text.empty"))
    if reader.problems:
        raise ProgramTextError(problems=reader.problems)
    return reader.weeks()


class _Reader:
    """Reads lines one by one, remembering the day they add to."""

    def __init__(self, *, weeks: int, week: int | None) -> None:
        self.max_week = min(weeks, MAX_WEEKS)
        self.week = week
        self.day: tuple[int, int] | None = None
        self.days: dict[tuple[int, int], list[Exercise]] = {}
        self.problems: list[LineProblem] = []

    def read_line(self, number: int, line: str) -> None:
        try:
            body = self._header(line)
        except _Problem as problem:
            self.problems.append(LineProblem(number, line, problem.key, problem.params))
            return
        for item in (part.strip() for part in body.split(";")):
            if not item:
                continue
            try:
                self._add(item)
            except _Problem as problem:
                self.problems.append(LineProblem(number, line, problem.key, problem.params))

    def _header(self, line: str) -> str:
        m = _HEADER.match(line)
        if not m or (m["week"] is None and m["day"] is None):
            if self.day is None:
                raise _Problem("programs.text.no_day")
            return line
        if m["week"] is not None:
            self.week = self._week(int(m["week"]))
            self.day = None
        if m["day"] is not None:
            if self.week is None:
                raise _Problem("programs.text.no_week")
            day = int(m["day"])
            if not 1 <= day <= DAYS_IN_WEEK:
                raise _Problem("programs.text.day_range", day=day, most=DAYS_IN_WEEK)
            self.day = (self.week, day)
            self.days.setdefault(self.day, [])
        return m["rest"]

    def _week(self, week: int) -> int:
        if week < 1 or week > MAX_WEEKS:
            raise _Problem("programs.text.week_range", week=week, most=MAX_WEEKS)
        if week > self.max_week:
            raise _Problem("programs.text.beyond_program", week=week, weeks=self.max_week)
        return week

    def _add(self, item: str) -> None:
        assert self.day is not None
        if item.lower() == "rest":
            return
        exercises = self.days[self.day]
        if len(exercises) >= MAX_EXERCISES_PER_DAY:
            week, day = self.day
            raise _Problem(
                "programs.text.too_many_exercises", week=week, day=day, most=MAX_EXERCISES_PER_DAY
            )
        exercises.append(read_exercise(item))

    def weeks(self) -> list[Week]:
        by_week: dict[int, list[Day]] = {}
        for (week, day), exercises in sorted(self.days.items()):
            by_week.setdefault(week, [])
            if exercises:
                by_week[week].append(Day(day=day, exercises=exercises))
        return [Week(week=week, days=days) for week, days in sorted(by_week.items())]


def read_exercise(item: str) -> Exercise:
    """One exercise from its compact text, e.g. `back squat 3x5 @70% rest 2min`."""
    text, notes = _split_note(item)
    low = text.lower()
    fields: dict[str, Any] = {"notes": notes}
    # Each pattern only where its mark is (a 400-line program is read within a p95 of 50 ms).
    if "%" in low:
        text = _take(_PERCENT, text, lambda m: fields.update(load=_percent(m)))
    if "rest" in low:
        text = _take(_REST, text, lambda m: fields.update(rest_seconds=_seconds(m["t"])))
    if "tempo" in low:
        text = _take(_TEMPO, text, lambda m: fields.update(tempo=m["t"].upper()))
    if "kg" in low or "lb" in low:
        text = _take(_LOAD, text, lambda m: _set_load(fields, _kilograms(m)))
    if " " in text.strip() or "×" in text:
        for pattern, glued in _GLUE:
            text = pattern.sub(glued, text)
    name, repeat = _read_tokens(text.split(), fields)
    if repeat is not None:
        # x4 repeats a time or a distance; alone it counts reps.
        key = "sets" if "seconds" in fields or "metres" in fields else "reps"
        _set(fields, key, repeat)
    fields["name"] = name or _named_by_amount(fields)
    if not fields["name"]:
        raise _Problem("programs.text.no_name")
    return _exercise(fields)


def _read_tokens(tokens: list[str], fields: dict[str, Any]) -> tuple[str, int | None]:
    """The name (the words before any amount) and a bare `xN`; amounts go into `fields`."""
    words: list[str] = []
    repeat: int | None = None
    amounts = 0
    for token in tokens:
        low = token.lower()
        if m := _SETS_REPS.match(low):
            _set(fields, "sets", int(m[1]))
            _set(fields, "reps", int(m[2]))
        elif m := _SETS_OF.match(low):
            _set(fields, "sets", int(m[1]))
            _amount(m[2], fields)
        elif m := _TIMES.match(low):
            if repeat is not None:
                raise _Problem("programs.text.twice", part=token)
            repeat = int(m[1])
        elif _DISTANCE_TOKEN.match(low) or _TIME_TOKEN.match(low):
            _amount(low, fields)
        elif re.search(r"[^\W\d_]", token) and not amounts:
            words.append(token)
            continue
        else:
            raise _Problem("programs.text.unknown_part", part=token)
        amounts += 1
    return " ".join(words), repeat


def _amount(token: str, fields: dict[str, Any]) -> None:
    if m := _DISTANCE_TOKEN.match(token):
        metres = _decimal(m[1]) * METRES[m[2]]
        _set(fields, "metres", metres.quantize(Decimal("0.1"), ROUND_HALF_UP))
    else:
        _set(fields, "seconds", _seconds(token))


def _seconds(token: str) -> int:
    m = _TIME_TOKEN.match(token.lower())
    if not m:
        raise _Problem("programs.text.unknown_part", part=token)
    if m[1] is not None:
        return int(m[1]) * 60 + int(m[2])
    return int(m[3]) * SECONDS[m[4]]


def _percent(m: re.Match[str]) -> PercentOfBest:
    metric = (m["metric"] or "").strip() or None
    percent = _decimal(m["n"])
    if not Decimal(0) < percent <= MAX_PERCENT or percent != percent.quantize(Decimal("0.1")):
        raise _Problem("programs.text.bound.percent", low=1, high=MAX_PERCENT)
    return PercentOfBest(percent=percent, metric=metric)


def _kilograms(m: re.Match[str]) -> Decimal:
    value = _decimal(m["n"])
    if m["unit"].lower().startswith("lb"):
        value *= KG_PER_LB
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def _set_load(fields: dict[str, Any], kg: Decimal) -> None:
    if not Decimal(0) < kg <= MAX_KG:
        raise _Problem("programs.text.bound.kg", low=0, high=MAX_KG)
    _set(fields, "load", AbsoluteLoad(kg=kg))


def _set(fields: dict[str, Any], key: str, value: object) -> None:
    if fields.get(key) is not None:
        raise _Problem("programs.text.twice_field", field=key)
    fields[key] = value


def _take(pattern: re.Pattern[str], text: str, use: Any) -> str:
    found = pattern.search(text)
    if found is None:
        return text
    if again := pattern.search(text, found.end()):
        raise _Problem("programs.text.twice", part=again[0].strip())
    use(found)
    return text[: found.start()] + " " + text[found.end() :]


def _split_note(item: str) -> tuple[str, str | None]:
    for mark in ("#", " -- "):
        if mark in item:
            text, note = item.split(mark, 1)
            return text, note.strip() or None
    return item, None


def _named_by_amount(fields: dict[str, Any]) -> str | None:
    """What an exercise typed without a name is called: its distance or time (`400 m`)."""
    if fields.get("metres") is not None:
        return f"{_plain(fields['metres'])} m"
    if fields.get("seconds") is not None:
        return f"{fields['seconds']} s"
    return None


def _decimal(number: str) -> Decimal:
    try:
        return Decimal(number.replace(",", "."))
    except InvalidOperation as err:  # the patterns only let digits through; belt and braces
        raise _Problem("programs.text.unknown_part", part=number) from err


# The message key of a bound broken, by the field pydantic names.
_BOUNDS = {
    "sets": ("programs.text.bound.sets", 1, 50),
    "reps": ("programs.text.bound.reps", 1, 1000),
    "seconds": ("programs.text.bound.seconds", 1, 6 * 3600),
    "metres": ("programs.text.bound.metres", 1, 100_000),
    "rest_seconds": ("programs.text.bound.rest", 0, 3600),
    "tempo": ("programs.text.bound.tempo", 0, 0),
    "name": ("programs.text.bound.name", 1, 100),
    "notes": ("programs.text.bound.notes", 1, 500),
}


def _exercise(fields: dict[str, Any]) -> Exercise:
    try:
        return Exercise(**{k: v for k, v in fields.items() if v is not None})
    except ValidationError as err:
        where = str(err.errors()[0]["loc"][0])
        key, low, high = _BOUNDS.get(where, ("programs.text.bound.other", 0, 0))
        raise _Problem(key, low=low, high=high) from err


def week_as_text(week: Week) -> str:
    """A week in the compact format, one line per exercise: what the coach sees to edit."""
    lines = []
    for day in week.days:
        header = f"W{week.week}D{day.day}: "
        for exercise in day.exercises:
            lines.append(header + exercise_as_text(exercise))
            header = ""
    return "\n".join(lines) or f"W{week.week}D1: rest"


def exercise_as_text(exercise: Exercise) -> str:
    """One exercise in the compact format; reading it back gives the same exercise."""
    amounts = []
    if exercise.metres is not None:
        amounts.append(f"{_plain(exercise.metres)}m")
    if exercise.seconds is not None:
        amounts.append(f"{exercise.seconds}s")
    parts = [] if exercise.name == _named_by_amount(exercise.model_dump()) else [exercise.name]
    if exercise.reps is not None:
        parts += [f"{exercise.sets}x{exercise.reps}", *amounts]
    elif exercise.sets > 1:
        parts += [*amounts, f"x{exercise.sets}"]
    else:
        parts += amounts
    load = exercise.load
    if isinstance(load, AbsoluteLoad):
        parts.append(f"{_plain(load.kg)}kg")
    elif isinstance(load, PercentOfBest):
        parts.append(f"@{_plain(load.percent)}%" + (f"({load.metric})" if load.metric else ""))
    if exercise.rest_seconds is not None:
        parts.append(f"rest {exercise.rest_seconds}s")
    if exercise.tempo:
        parts.append(f"tempo {exercise.tempo}")
    if exercise.notes:
        parts.append(f"# {exercise.notes}")
    return " ".join(parts)


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}"
