"""A coach's reply to a video they were shown: stored with the video and passed to the family.

Telegram lets a reply point only at a message of the same chat, but the update itself comes from
the client: the review message is looked up by chat and message id, and the replier must be the
coach it was sent to and still allowed to give feedback on the athlete (on a video sent from a
program day: the program's author, or the athlete's own coach).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from domain import policy
from domain.errors import NotAllowed
from domain.models import VideoAnalysis, VideoReviewMessage
from domain.people.queries import first_names
from domain.policy import Action, Actor, AthleteTarget, ProgramDayTarget
from domain.uow import Transaction, UnitOfWork
from domain.videos import queries
from domain.videos.notices import queue_feedback_notices

TEXT, VOICE, VIDEO, VIDEO_NOTE = "text", "voice", "video", "video_note"
MAX_TEXT = 4000


@dataclass(frozen=True)
class Feedback:
    """What the coach replied: words, or a voice or video message (by Telegram file id)."""

    kind: str
    text: str | None = None
    file_id: str | None = None
    duration: int | None = None


@dataclass(frozen=True)
class FeedbackGiven:
    """Feedback stored, and how many people it is on its way to."""

    video_id: uuid.UUID
    athlete_name: str
    recipients: int


async def review_for(uow: UnitOfWork, *, chat_id: int, message_id: int) -> uuid.UUID | None:
    """The video a message in this chat showed a coach, or None if it showed none."""
    async with uow as tx:
        return await queries.video_shown_in(tx, chat_id, message_id)


async def remember_review(
    uow: UnitOfWork,
    *,
    chat_id: int,
    message_id: int,
    video_id: uuid.UUID,
    coach_user_id: uuid.UUID,
) -> None:
    """Note that this message showed the coach this video, so a reply to it is feedback."""
    async with uow as tx:
        tx.session.add(
            VideoReviewMessage(
                chat_id=chat_id,
                message_id=message_id,
                video_id=video_id,
                coach_user_id=coach_user_id,
            )
        )
        await tx.commit()


async def give_feedback(
    uow: UnitOfWork,
    *,
    actor: Actor,
    chat_id: int,
    reply_to_message_id: int,
    feedback: Feedback,
    now: datetime,
) -> FeedbackGiven | None:
    """Store the coach's reply and queue it for the family; None if the reply is to no video."""
    async with uow as tx:
        review = await tx.session.get(VideoReviewMessage, (chat_id, reply_to_message_id))
        if review is None:
            return None
        video = await tx.session.get(VideoAnalysis, review.video_id, with_for_update=True)
        if video is None or video.athlete_id is None or review.coach_user_id != actor.user_id:
            raise NotAllowed("feedback on a video shown to someone else", action="give_feedback")
        policy.require(actor, *await _feedback_rule(tx, video))
        index = _store(video, feedback, coach_user_id=actor.user_id, now=now)
        tx.audit.record(
            actor_id=actor.user_id, action="video.feedback", entity="video", entity_id=video.id
        )
        recipients = await queue_feedback_notices(tx, video, feedback_index=index, now=now)
        names = await first_names(tx, {video.athlete_id})
        await tx.commit()
    return FeedbackGiven(video.id, names.get(video.athlete_id, ""), recipients)


async def _feedback_rule(tx: Transaction, video: VideoAnalysis) -> tuple[Action, AthleteTarget]:
    """What answering this video takes: GIVE_FEEDBACK on the athlete, or, for a video of a
    program day, REVIEW_PROGRAM_VIDEO on that day (its author may never have booked them)."""
    assert video.athlete_id is not None
    if video.program_enrolment_id is None:
        return Action.GIVE_FEEDBACK, AthleteTarget(video.athlete_id)
    program = await queries.program_of_enrolment(tx, video.program_enrolment_id)
    author = program[1] if program is not None else None
    return Action.REVIEW_PROGRAM_VIDEO, ProgramDayTarget(video.athlete_id, program_coach_id=author)


def _store(
    video: VideoAnalysis, feedback: Feedback, *, coach_user_id: uuid.UUID, now: datetime
) -> int:
    """Append the feedback to the video; its index among the video's feedback."""
    entry = {
        "kind": feedback.kind,
        "text": (feedback.text or "")[:MAX_TEXT] or None,
        "file_id": feedback.file_id,
        "duration": feedback.duration,
        "at": now.isoformat(),
        "coach_user_id": str(coach_user_id),
    }
    media = [*(video.feedback_media or []), entry]
    # A new list, so SQLAlchemy sees the JSONB column change.
    video.feedback_media = media
    if feedback.kind == TEXT and feedback.text:
        video.coach_feedback = "\n\n".join(filter(None, (video.coach_feedback, entry["text"])))
    return len(media) - 1
