"""The mentor buttons keep the wire format of those already sent, and the request's intents
(`domain.people.mentors`) pack to buttons `handlers.people.mentors` reads back."""

from __future__ import annotations

import uuid

import pytest

from domain.people import mentors
from domain.short_ids import short_id
from handlers.people.callbacks import (
    ApproveMentor,
    ChildsMentors,
    DeclineMentor,
    MentorApproval,
    MentorVideos,
    VideoSwitch,
)
from handlers.people.delivery import BUTTONS
from handlers.people.mentors import _BUTTONS
from handlers.shared.callback_data import parse_any

REQUEST, ATHLETE, MENTOR = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
R, A, M = short_id(REQUEST), short_id(ATHLETE), short_id(MENTOR)


def test_a_request_notices_intents_pack_to_the_guardians_answer_buttons() -> None:
    spec = {"request_id": str(REQUEST), "athlete_id": str(ATHLETE)}

    assert BUTTONS[mentors.APPROVE_WITH_VIDEOS](spec) == f"mnt:okv:{R}:{A}"
    assert BUTTONS[mentors.APPROVE](spec) == f"mnt:ok:{R}:{A}"
    assert BUTTONS[mentors.DECLINE]({"request_id": str(REQUEST)}) == f"mnt:no:{R}"


@pytest.mark.parametrize(
    ("data", "press"),
    [
        (f"mnt:okv:{R}:{A}", ApproveMentor(MentorApproval.WITH_VIDEOS, REQUEST, ATHLETE)),
        (f"mnt:ok:{R}:{A}", ApproveMentor(MentorApproval.WITHOUT_VIDEOS, REQUEST, ATHLETE)),
        (f"mnt:no:{R}", DeclineMentor(REQUEST)),
        (f"mnt:list:{A}", ChildsMentors(ATHLETE)),
        (f"mnt:vid:{A}:{M}:1", MentorVideos(ATHLETE, MENTOR, VideoSwitch.ON)),
        (f"mnt:vid:{A}:{M}:0", MentorVideos(ATHLETE, MENTOR, VideoSwitch.OFF)),
    ],
)
def test_buttons_already_sent_read_as_the_same_press(data: str, press: object) -> None:
    assert parse_any(data, _BUTTONS) == press
    assert press.pack() == data  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "data",
    [
        f"mnt:okv:{R}",  # an approval names the child
        f"mnt:no:{R}:{A}",
        f"mnt:yes:{R}:{A}",
        f"mnt:vid:{A}:{M}:2",
        f"mnt:vid:{A}:{M}",
        f"mnt:list:{A}:{A}",
        "mnt:list:not-an-id",
        "mnt:ask",  # the menu entry opens /mentor; it is no answer
    ],
)
def test_malformed_mentor_presses_read_as_nothing(data: str) -> None:
    assert parse_any(data, _BUTTONS) is None
