"""The typed callback data facility: round trips, Telegram's 64 bytes, forged data refused."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import pytest

from handlers.shared.callback_data import CallbackData, parse_any


class Move(StrEnum):
    OPEN = "open"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Press(CallbackData, prefix="ts"):
    action: Move
    session_id: uuid.UUID
    card: Literal["c"] | None = None


@dataclass(frozen=True)
class Stars(CallbackData, prefix="ts:rate"):
    stars: int
    note: str


@dataclass(frozen=True)
class Back(CallbackData, prefix="ts:back"):
    pass


SESSION = uuid.UUID("0f6b3c2a-9d4e-4c1b-8a7f-2e5d6c7b8a90")


def test_a_press_survives_the_round_trip_in_the_prefix_action_args_wire_format() -> None:
    press = Press(Move.CANCEL, SESSION, card="c")
    data = press.pack()
    assert data.startswith("ts:cancel:") and data.endswith(":c")
    assert Press.parse(data) == press
    assert Press.parse(Press(Move.OPEN, SESSION).pack()) == Press(Move.OPEN, SESSION)
    assert Stars.parse(Stars(5, "great").pack()) == Stars(5, "great")
    assert Back.parse(Back().pack()) == Back()


def test_packed_data_never_exceeds_telegrams_64_bytes() -> None:
    assert len(Press(Move.CANCEL, SESSION, card="c").pack().encode()) <= 64
    with pytest.raises(ValueError, match="64 bytes"):
        Stars(1, "x" * 60).pack()
    assert Stars.parse("ts:rate:1:" + "x" * 60) is None


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "ts",
        "ts:open",
        "ts:fly:" + "A" * 22,  # not an action
        "ts:open:not-an-id",
        "ts:open:" + "A" * 21,
        "ts:open:" + "A" * 22 + ":x",  # not the card marker
        "ts:open:" + "A" * 22 + ":c:more",
        "ts:open::c",
        "xx:open:" + "A" * 22,
        "tsx:open:" + "A" * 22,
    ],
)
def test_forged_or_malformed_data_parses_to_none(data: str | None) -> None:
    assert Press.parse(data) is None


@pytest.mark.parametrize(
    "data", ["ts:rate:five:ok", "ts:rate:05:ok", "ts:rate:-0:ok", "ts:rate:1", "ts:rate:1.5:ok"]
)
def test_a_value_of_the_wrong_type_parses_to_none(data: str) -> None:
    assert Stars.parse(data) is None


def test_another_types_data_is_not_taken_for_this_one() -> None:
    assert Back.parse(Stars(1, "a").pack()) is None
    assert Stars.parse(Back().pack()) is None
    assert Back.parse("ts:back:extra") is None


def test_values_that_cannot_be_packed_are_refused_when_building_the_button() -> None:
    with pytest.raises(ValueError):
        Stars(1, "a:b").pack()
    with pytest.raises(ValueError):
        Stars(1, "").pack()
    with pytest.raises(ValueError):
        Press(Move.OPEN, SESSION, card="d").pack()  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Press(Move.OPEN, str(SESSION)).pack()  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Stars(True, "ok").pack()


def test_the_pattern_catches_malformed_presses_of_the_type_so_they_can_be_refused() -> None:
    assert re.match(Press.pattern(), "ts:anything")
    assert re.match(Back.pattern(), "ts:back")
    assert not re.match(Back.pattern(), "ts:backs")
    assert not re.match(Back.pattern(), "ts:back:extra")
    assert not re.match(Press.pattern(), "tsx:open")


def test_a_type_that_cannot_be_carried_is_refused_when_declared() -> None:
    @dataclass(frozen=True)
    class Bad(CallbackData, prefix="bad"):
        amount: float

    with pytest.raises(TypeError):
        Bad(1.0).pack()
    with pytest.raises(TypeError):

        class Empty(CallbackData, prefix="a::b"):
            pass


def test_a_flows_press_is_parsed_as_whichever_of_its_types_it_is() -> None:
    flow = (Back, Stars, Press)
    assert parse_any(Back().pack(), flow) == Back()
    assert parse_any(Press(Move.OPEN, SESSION).pack(), flow) == Press(Move.OPEN, SESSION)
    assert parse_any("ts:rate:x:y", flow) is None
