"""A training video about a program day, for the program's coach: through the video flow.

The athlete's side presses 🎥 under a delivered day and sends a video. Who may is decided on
the day (`SEND_PROGRAM_VIDEO` on a `ProgramDayTarget`: the enrolled athlete or a guardian);
the video is then received like any other (`domain.videos.uploads.receive_video`: consent,
storage, the queue, the analysis) naming the program day, so its review goes to the program's
author (`domain.videos.notices`) and the author's reply reaches the family as feedback does.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable
from dataclasses import dataclass
from datetime import date, datetime

from domain import policy
from domain.policy import Action, Actor, ProgramDayTarget
from domain.programs.following import queries
from domain.programs.following.days import answerable
from domain.uow import Transaction, UnitOfWork
from domain.videos.uploads import IncomingVideo, ProgramDay, VideoIntake, receive_video


@dataclass(frozen=True)
class VideoFor:
    """Whom a program day's video goes to, and which day it names."""

    athlete_id: uuid.UUID
    coach_name: str
    program_title: str


@dataclass(frozen=True)
class DayVideoSent:
    """A program day's video received and on its way to the program's coach."""

    video_id: uuid.UUID
    coach_name: str
    program_title: str
    queued: bool


async def video_recipient(
    uow: UnitOfWork,
    *,
    actor: Actor,
    enrolment_id: uuid.UUID,
    week: int,
    day: int,
    today: date,
) -> VideoFor:
    """Whether the actor may send a video about this program day, and to whom."""
    async with uow as tx:
        return await _sendable(tx, actor, enrolment_id, week, day, today)


async def send_video(
    uow: UnitOfWork,
    intake: VideoIntake,
    *,
    actor: Actor,
    enrolment_id: uuid.UUID,
    week: int,
    day: int,
    incoming: IncomingVideo,
    chunks: AsyncIterable[bytes],
    today: date,
    now: datetime,
) -> DayVideoSent:
    """Receive the video as the video flow does, naming the program day for its coach."""
    async with uow as tx:
        to = await _sendable(tx, actor, enrolment_id, week, day, today)
    received = await receive_video(
        uow,
        intake,
        actor=actor,
        athlete_id=to.athlete_id,
        incoming=incoming,
        chunks=chunks,
        now=now,
        program_day=ProgramDay(enrolment_id, week, day),
    )
    return DayVideoSent(received.video_id, to.coach_name, to.program_title, received.queued)


async def _sendable(
    tx: Transaction, actor: Actor, enrolment_id: uuid.UUID, week: int, day: int, today: date
) -> VideoFor:
    enrolment = await answerable(tx, actor, enrolment_id, week, day, today)
    found = await queries.program_with_coach(tx, enrolment.program_id)
    assert found is not None  # the enrolment's program: a foreign key
    program, coach, coach_user = found
    target = ProgramDayTarget(enrolment.athlete_id, program_coach_id=coach.id)
    policy.require(actor, Action.SEND_PROGRAM_VIDEO, target)
    return VideoFor(enrolment.athlete_id, coach_user.first_name or "", program.title)
