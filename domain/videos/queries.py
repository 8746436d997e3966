"""Every SQL statement of the videos capability: videos listed and looked up, the sessions a
video may belong to, who reviews it, and the messages that showed it to a coach."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Row, Text, delete, func, or_, select

from domain.models import (
    Athlete,
    AthleteLink,
    Coach,
    LinkRelation,
    Notification,
    ProgramEnrolment,
    SessionParticipant,
    SessionStatus,
    TrainingProgram,
    TrainingSession,
    User,
    VideoAnalysis,
    VideoConsent,
    VideoReviewMessage,
    VideoStatus,
)
from domain.uow import Transaction


async def newest_videos(
    tx: Transaction, athlete_ids: Collection[uuid.UUID], limit: int
) -> Sequence[VideoAnalysis]:
    """The newest videos of these athletes, newest first."""
    return (
        await tx.session.scalars(
            select(VideoAnalysis)
            .where(VideoAnalysis.athlete_id.in_(athlete_ids))
            .order_by(VideoAnalysis.created_at.desc())
            .limit(limit)
        )
    ).all()


async def stale_uploads(tx: Transaction, before: datetime) -> set[uuid.UUID]:
    """Videos still waiting as uploaded, last touched before `before`."""
    return set(
        await tx.session.scalars(
            select(VideoAnalysis.id).where(
                VideoAnalysis.status == VideoStatus.UPLOADED,
                VideoAnalysis.updated_at < before,
            )
        )
    )


async def sessions_with_coach_names(
    tx: Transaction, athlete_id: uuid.UUID, since: datetime, until: datetime, limit: int
) -> Sequence[Row[tuple[TrainingSession, str, str | None]]]:
    """(session, coach's first and last name) of the athlete's live sessions (alone or in a
    group) starting in [since, until], newest first."""
    in_group = select(SessionParticipant.session_id).where(
        SessionParticipant.athlete_id == athlete_id
    )
    return (
        await tx.session.execute(
            select(TrainingSession, User.first_name, User.last_name)
            .join(Coach, Coach.id == TrainingSession.coach_id)
            .join(User, User.id == Coach.user_id)
            .where(
                or_(TrainingSession.athlete_id == athlete_id, TrainingSession.id.in_(in_group)),
                TrainingSession.status != SessionStatus.CANCELLED,
                TrainingSession.start_time >= since,
                TrainingSession.start_time <= until,
            )
            .order_by(TrainingSession.start_time.desc())
            .limit(limit)
        )
    ).all()


async def session_start_and_coach(
    tx: Transaction, session_id: uuid.UUID
) -> Row[tuple[datetime, str, str | None]] | None:
    """(start_time, first_name, last_name of the coach) of one session."""
    return (
        await tx.session.execute(
            select(TrainingSession.start_time, User.first_name, User.last_name)
            .join(Coach, Coach.id == TrainingSession.coach_id)
            .join(User, User.id == Coach.user_id)
            .where(TrainingSession.id == session_id)
        )
    ).first()


async def athlete_user_and_name(
    tx: Transaction, athlete_id: uuid.UUID
) -> Row[tuple[uuid.UUID | None, str | None]] | None:
    """(user_id, first_name) of an athlete, None for no such athlete."""
    return (
        await tx.session.execute(
            select(Athlete.user_id, User.first_name)
            .outerjoin(User, User.id == Athlete.user_id)
            .where(Athlete.id == athlete_id)
        )
    ).first()


async def coach_of_session(tx: Transaction, session_id: uuid.UUID) -> User | None:
    """The user who coaches a session."""
    return await tx.session.scalar(
        select(User)
        .join(Coach, Coach.user_id == User.id)
        .join(TrainingSession, TrainingSession.coach_id == Coach.id)
        .where(TrainingSession.id == session_id)
    )


async def program_of_enrolment(
    tx: Transaction, enrolment_id: uuid.UUID
) -> Row[tuple[str, uuid.UUID, User]] | None:
    """(title, coach profile, coach's user) of the program an enrolment follows."""
    return (
        await tx.session.execute(
            select(TrainingProgram.title, Coach.id, User)
            .select_from(ProgramEnrolment)
            .join(TrainingProgram, TrainingProgram.id == ProgramEnrolment.program_id)
            .join(Coach, Coach.id == TrainingProgram.coach_id)
            .join(User, User.id == Coach.user_id)
            .where(ProgramEnrolment.id == enrolment_id)
        )
    ).first()


async def drop_unsent_notices(tx: Transaction, video_id: uuid.UUID, kind: str) -> None:
    """Forget the notices of this kind about a video that are not sent yet."""
    await tx.session.execute(
        delete(Notification).where(
            Notification.sent_at.is_(None),
            Notification.kind == kind,
            Notification.payload["video_id"].astext == str(video_id),
        )
    )


async def video_shown_in(tx: Transaction, chat_id: int, message_id: int) -> uuid.UUID | None:
    """The video a message in this chat showed a coach, if any."""
    return await tx.session.scalar(
        select(VideoReviewMessage.video_id).where(
            VideoReviewMessage.chat_id == chat_id, VideoReviewMessage.message_id == message_id
        )
    )


async def athlete_for_consent(
    tx: Transaction, athlete_id: uuid.UUID
) -> Row[tuple[str | None, uuid.UUID | None, str | None]] | None:
    """The athlete's encrypted date of birth, first guardian and first name; None if missing."""
    found = await tx.session.execute(
        select(User.date_of_birth_encrypted, Athlete.parent_id, User.first_name)
        .select_from(Athlete)
        .outerjoin(User, User.id == Athlete.user_id)
        .where(Athlete.id == athlete_id)
    )
    return found.one_or_none()


async def guardian_ids(tx: Transaction, athlete_id: uuid.UUID) -> list[uuid.UUID]:
    """The athlete's parent and linked guardians (who may consent for them)."""
    parent = select(Athlete.parent_id).where(
        Athlete.id == athlete_id, Athlete.parent_id.is_not(None)
    )
    linked = select(AthleteLink.user_id).where(
        AthleteLink.athlete_id == athlete_id, AthleteLink.relation == LinkRelation.GUARDIAN
    )
    return list(await tx.session.scalars(parent.union(linked)))


async def consent_locked(tx: Transaction, athlete_id: uuid.UUID) -> VideoConsent | None:
    """The athlete's consent row, locked for a change; None if never given."""
    return await tx.session.get(VideoConsent, athlete_id, with_for_update=True)


async def consents_of(
    tx: Transaction, athlete_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, VideoConsent]:
    """The consent rows of these athletes, by athlete."""
    rows = await tx.session.scalars(
        select(VideoConsent).where(VideoConsent.athlete_id.in_(athlete_ids))
    )
    return {row.athlete_id: row for row in rows}


async def drop_unsent_reviews_of_athlete(tx: Transaction, athlete_id: uuid.UUID, kind: str) -> None:
    """Forget the unsent notices of this kind about any of the athlete's videos."""
    videos = select(func.cast(VideoAnalysis.id, Text)).where(VideoAnalysis.athlete_id == athlete_id)
    await tx.session.execute(
        delete(Notification).where(
            Notification.sent_at.is_(None),
            Notification.kind == kind,
            Notification.payload["video_id"].astext.in_(videos),
        )
    )
