"""Who hears about a processed video, and the outbox rows that tell them.

The athlete's side (the athlete if on Telegram, parents, guardians) gets the analysis, or why
there is none. The coach of the linked session, else every coach of the athlete, gets the video
itself with a request for feedback, also when the analysis failed: the raw file is kept so a
coach can still watch it. So does each mentor a guardian allowed to see the athlete's videos;
a mentor's reply is feedback as a coach's is. A video sent from a program day goes to the
program's author alone (issue 16). Each row names the video only;
`handlers.videos.delivery` builds the message from the video as it is when sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from domain.metrics.queries.results import coaches_of
from domain.models import (
    NotificationKind,
    User,
    VideoAnalysis,
    VideoConsent,
    VideoStatus,
)
from domain.people.family import people_to_notify
from domain.people.queries import mentors_shown_videos
from domain.uow import Transaction
from domain.videos import queries
from domain.videos.uploads import recent_sessions

ANALYZED = NotificationKind.VIDEO_ANALYZED
FAILED = NotificationKind.VIDEO_FAILED
REVIEW = NotificationKind.VIDEO_REVIEW
FEEDBACK = NotificationKind.VIDEO_FEEDBACK
# How long a coach's copy waits for the sender to say which session the video is from.
LINK_WAIT = timedelta(minutes=10)


async def queue_outcome_notices(tx: Transaction, video: VideoAnalysis, *, now: datetime) -> int:
    """Tell the athlete's side how processing ended and show the video to its coaches.

    While the sender has not said which session the video is from (they were asked, and a
    video is often analysed before they answer), the coaches wait up to LINK_WAIT: the answer
    then decides who sees it (`queue_reviews_again`).
    """
    assert video.athlete_id is not None
    family = await people_to_notify(tx, video.athlete_id)
    kind = ANALYZED if video.status == VideoStatus.ANALYZED else FAILED
    rows = [_row(kind, person.id, video, now) for person in family]
    review_at = now + LINK_WAIT if await _link_unanswered(tx, video) else now
    rows += [_row(REVIEW, coach.id, video, review_at) for coach in await reviewers_of(tx, video)]
    return await tx.outbox.enqueue_many(rows)


async def queue_reviews_again(tx: Transaction, video: VideoAnalysis, *, now: datetime) -> int:
    """Once the sender said which session (or none): the coaches who should see it, now.

    Reviews not sent yet are dropped and queued for the right coaches; a coach who already got
    the video does not get it twice (its dedup key is taken).
    """
    await queries.drop_unsent_notices(tx, video.id, REVIEW)
    if video.status not in (VideoStatus.ANALYZED, VideoStatus.FAILED):
        return 0  # the outcome's own notices will reach the right coaches
    coaches = await reviewers_of(tx, video)
    return await tx.outbox.enqueue_many([_row(REVIEW, coach.id, video, now) for coach in coaches])


async def queue_feedback_notices(
    tx: Transaction, video: VideoAnalysis, *, feedback_index: int, now: datetime
) -> int:
    """Pass a coach's feedback (the `feedback_index`-th) to the athlete's side."""
    assert video.athlete_id is not None
    family = await people_to_notify(tx, video.athlete_id)
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
    return await tx.outbox.enqueue_many(rows)


async def reviewers_of(tx: Transaction, video: VideoAnalysis) -> Sequence[User]:
    """Who is asked for feedback: the coaches (`coaches_to_review`) and the allowed mentors;
    nobody while a guardian's consent to the athlete's videos is revoked."""
    assert video.athlete_id is not None
    if await withheld(tx, video.athlete_id):
        return []
    coaches = await coaches_to_review(tx, video)
    if video.program_enrolment_id is not None:
        return coaches  # sent to the program's coach, about their program
    mentors = await mentors_shown_videos(tx, video.athlete_id)
    seen = {coach.id for coach in coaches}
    return [*coaches, *(mentor for mentor in mentors if mentor.id not in seen)]


async def withheld(tx: Transaction, athlete_id: uuid.UUID) -> bool:
    """Whether a guardian revoked consent to the athlete's videos (`domain.videos.consent`)."""
    consent = await tx.session.get(VideoConsent, athlete_id)
    return consent is not None and consent.revoked_at is not None


async def coaches_to_review(tx: Transaction, video: VideoAnalysis) -> Sequence[User]:
    """The program's author for a video of a program day; the linked session's coach; or, for
    a video of no session, every coach of the athlete."""
    if video.program_enrolment_id is not None:
        program = await queries.program_of_enrolment(tx, video.program_enrolment_id)
        return [program[2]] if program is not None else []
    if video.session_id is not None:
        coach = await queries.coach_of_session(tx, video.session_id)
        if coach is not None:
            return [coach]
    assert video.athlete_id is not None
    return await coaches_of(tx, video.athlete_id)


async def _link_unanswered(tx: Transaction, video: VideoAnalysis) -> bool:
    """Whether the sender was offered sessions to link the video to and has not answered."""
    if video.session_id is not None or video.session_chosen_at is not None:
        return False
    assert video.athlete_id is not None and video.created_at is not None
    return bool(await recent_sessions(tx, video.athlete_id, now=video.created_at))


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
