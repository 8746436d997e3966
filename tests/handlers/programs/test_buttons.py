"""The programs' buttons fit Telegram's 64 bytes whatever a coach typed."""

from __future__ import annotations

import pytest

from domain.errors import InvalidAnswer
from domain.programs import details
from domain.programs.details import Difficulty
from handlers.programs.callbacks import BrowseLevel


def test_the_longest_sport_accepted_still_fits_a_catalogue_button() -> None:
    sport = details.parse_sport("ñ" * 20)  # two bytes each
    assert len(BrowseLevel(sport, Difficulty.INTERMEDIATE.value).pack().encode()) <= 64
    with pytest.raises(InvalidAnswer):
        details.parse_sport("ñ" * 21)
