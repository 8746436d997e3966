"""The session card's words, from a view alone."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.booking.sessions import SessionView
from handlers.booking.session_render import card_text

START = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)
GROUP = SessionView(
    id=uuid.uuid4(),
    coach_id=uuid.uuid4(),
    coach_name="Cora Klein",
    athlete_names=("Lea",),
    athlete_ids=(uuid.uuid4(),),
    session_type="group",
    status="scheduled",
    start=START,
    end=START + timedelta(hours=1),
    price=Decimal("40.00"),
    currency="EUR",
    payment_status="pending",
    location="",
    meeting_url=None,
    capacity=2,
    participant_count=2,
    coach_notes=None,
    ratings=(),
    coach_timezone="Europe/Berlin",
    sequence=0,
)


def _with_line(view: SessionView, lang: str = "en") -> str:
    text = card_text(view, coach_side=False, timezone="Europe/Berlin", lang=lang)
    return next(line for line in text.splitlines() if line.startswith("👤"))


def test_a_familys_card_names_its_child() -> None:
    assert _with_line(GROUP) == "👤 With Cora Klein, for Lea"


def test_a_family_that_left_a_group_reads_no_dangling_for() -> None:
    left = replace(GROUP, athlete_names=(), athlete_ids=(), participant_count=1)
    assert _with_line(left) == "👤 With Cora Klein"
    assert _with_line(left, "es") == "👤 Con Cora Klein"
