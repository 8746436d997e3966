"""What the programs' domain tests share."""

from __future__ import annotations

from decimal import Decimal

from domain.programs.details import Difficulty, ProgramDetails

DETAILS = ProgramDetails(
    title="Base",
    sport="athletics",
    difficulty=Difficulty.BEGINNER,
    weeks=2,
    skills=["speed"],
    description="Two weeks of basics.",
    price=Decimal(10),
    currency=None,
)
