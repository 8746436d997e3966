"""Who hears about a processed video, and the outbox rows that tell them.

The athlete's side (the athlete if on Telegram, parents, guardians) gets the analysis, or why
there is none. The coach of the linked session, else every coach of the athlete, gets the video
itself with a request for feedback, also when the analysis failed: the raw file is kept so a
coach can still watch it. Each row names the video only; `bot.video_delivery` builds the message
from the video as it is when sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from domain.family import people_to_notify
from domain.models import Coach, TrainingSession, User, VideoAnalysis
from domain.personal_bests import coaches_of
from domain.uow import UnitOfWork

ANALYZED = "video_analyzed"
FAILED = "video_failed"
REVIEW = "video_review"
FEEDBACK = "video_feedback"


async def queue_outcome_notices(uow: UnitOfWork, video: VideoAnalysis, *, now: datetime) -> int:
    """Tell the athlete's side how processing ended and show the video to its coaches."""
    assert video.athlete_id is not None
    family = await people_to_notify(uow, video.athlete_id)
    coaches = await reviewers_of(uow, video)
    kind = ANALYZED if video.status == "analyzed" else FAILED
    rows = [_row(kind, person.id, video, now) for person in family]
    rows += [_row(REVIEW, coach.id, video, now) for coach in coaches]
    return await uow.outbox.enqueue_many(rows)


async def queue_feedback_notices(
    uow: UnitOfWork, video: VideoAnalysis, *, feedback_index: int, now: datetime
) -> int:
    """Pass a coach's feedback (the `feedback_index`-th) to the athlete's side."""
    assert video.athlete_id is not None
    family = await people_to_notify(uow, video.athlete_id)
    rows = [
        {
            "recipient_id": person.id,
            "kind": FEEDBACK,
            "dedup_key": f"{FEEDBACK}:{video.id}:{feedback_index}:{person.id}",
            "due_at": now,
            "payload": {"video_id": str(video.id), "feedback_index": feedback_index},
        }
        for person in family
    ]
    return await uow.outbox.enqueue_many(rows)


async def reviewers_of(uow: UnitOfWork, video: VideoAnalysis) -> Sequence[User]:
    """The linked session's coach, or, for a video of no session, every coach of the athlete."""
    if video.session_id is not None:
        coach = await uow.session.scalar(
            select(User)
            .join(Coach, Coach.user_id == User.id)
            .join(TrainingSession, TrainingSession.coach_id == Coach.id)
            .where(TrainingSession.id == video.session_id)
        )
        if coach is not None:
            return [coach]
    assert video.athlete_id is not None
    return await coaches_of(uow, video.athlete_id)


def _row(
    kind: str, recipient_id: uuid.UUID, video: VideoAnalysis, now: datetime
) -> dict[str, object]:
    return {
        "recipient_id": recipient_id,
        "kind": kind,
        "dedup_key": f"{kind}:{video.id}:{recipient_id}",
        "due_at": now,
        "payload": {"video_id": str(video.id)},
    }
