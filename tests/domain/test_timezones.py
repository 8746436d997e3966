"""Local wall-clock times as people type them, read once for quiet hours and availability."""

from __future__ import annotations

import pytest

from domain.timezones import parse_clock


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("16:00", 960), ("9", 540), ("9.30", 570), ("16h30", 990), (" 7H ", 420), ("24:00", 1440)],
)
def test_a_time_of_day_reads_as_minutes_after_midnight(text: str, minutes: int) -> None:
    assert parse_clock(text) == minutes


@pytest.mark.parametrize("text", ["25:00", "16:75", "24:30", "4pm", "", "16:0"])
def test_what_is_not_a_time_of_day_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a time of day"):
        parse_clock(text)
