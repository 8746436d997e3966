"""Videos people may see (/videos), one video shown again, and a video linked to a session.

/videos reads the rows, then the status mirror in Redis for the videos not done yet: it says
whether a worker has one, since when and in which attempt (`domain.videos.status`).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain import policy
from domain.adapters.storage import MediaStorage, StorageError
from domain.booking.queries.sessions import is_athletes_session
from domain.errors import InvalidInput, NotFound
from domain.models import (
    VideoAnalysis,
    VideoStatus,
)
from domain.people.queries import first_names, names_of_user
from domain.policy import Action, Actor, AthleteTarget
from domain.uow import Transaction, UnitOfWork
from domain.videos import queries
from domain.videos.notices import queue_reviews_again
from domain.videos.status import (
    DONE,
    MirroredStatus,
    VideoProgress,
    VideoStatusMirror,
    progress,
)
from domain.videos.uploads import recent_sessions

log = logging.getLogger(__name__)
LIST_LIMIT = 10


@dataclass(frozen=True)
class VideoSummary:
    """A video as a line of /videos."""

    video_id: uuid.UUID
    athlete_name: str
    status: str
    created_at: datetime
    caption: str | None
    duration: int | None
    reps: int | None
    has_feedback: bool
    progress: VideoProgress | None = None  # for a video not done yet, from the status mirror


@dataclass(frozen=True)
class VideoDetail:
    """Everything needed to show one video again."""

    video_id: uuid.UUID
    athlete_name: str
    status: str
    caption: str | None
    media_kind: str | None
    telegram_file_id: str | None
    raw_key: str
    processed_key: str | None
    thumbnail_key: str | None
    analysis: dict[str, Any] | None
    failure_reason: str | None
    coach_feedback: str | None
    # Set once the retention job deleted the processed rendition (processed_key is then None).
    rendition_deleted_at: datetime | None = None


LINK_LIFETIME_S = 3600


async def download_link(storage: MediaStorage, video: VideoDetail) -> str | None:
    """A link to the web rendition that expires in an hour, where the storage serves such links."""
    if video.processed_key is None or not storage.serves_links:
        return None
    try:
        return await storage.presigned_url(video.processed_key, expires_in=LINK_LIFETIME_S)
    except StorageError:
        log.exception("no download link for video %s", video.video_id)
        return None


def viewable_athletes(actor: Actor) -> frozenset[uuid.UUID]:
    """Athletes whose videos the actor may see: their own, guarded, mentored and coached."""
    candidates = (
        {actor.own_athlete_id}
        | actor.guarded_athlete_ids
        | actor.mentored_athlete_ids
        | actor.coached_athlete_ids
    )
    return frozenset(
        athlete_id
        for athlete_id in candidates
        if athlete_id is not None
        and policy.may(actor, Action.VIEW_VIDEO, AthleteTarget(athlete_id))
    )


async def videos_in_view(
    uow: UnitOfWork,
    *,
    actor: Actor,
    mirror: VideoStatusMirror,
    limit: int = LIST_LIMIT,
) -> list[VideoSummary]:
    """The newest videos of every athlete the actor may see; how far the unfinished ones are."""
    athletes = viewable_athletes(actor)
    if not athletes:
        return []
    async with uow as tx:
        videos = await queries.newest_videos(tx, athletes, limit)
        names = await first_names(tx, {video.athlete_id for video in videos if video.athlete_id})
    mirrored = await mirror.statuses([video.id for video in videos if video.status not in DONE])
    return [_summary(video, names, mirrored.get(video.id)) for video in videos]


async def video_to_show(uow: UnitOfWork, *, actor: Actor, video_id: uuid.UUID) -> VideoDetail:
    """One video the actor may see; NotFound (never NotAllowed: that would confirm it exists)."""
    async with uow as tx:
        video = await tx.session.get(VideoAnalysis, video_id)
        if video is None or video.athlete_id is None:
            raise NotFound("video")
        if not policy.may(actor, Action.VIEW_VIDEO, AthleteTarget(video.athlete_id)):
            raise NotFound("video the actor may not see")
        names = await first_names(tx, {video.athlete_id})
    return _detail(video, names)


async def link_session(
    uow: UnitOfWork,
    *,
    actor: Actor,
    video_id: uuid.UUID,
    session_id: uuid.UUID | None,
    now: datetime,
) -> uuid.UUID | None:
    """Link the video to one of the athlete's recent sessions (None: to no session)."""
    async with uow as tx:
        video = await tx.session.get(VideoAnalysis, video_id, with_for_update=True)
        if video is None or video.athlete_id is None:
            raise NotFound("video")
        policy.require(actor, Action.UPLOAD_VIDEO, AthleteTarget(video.athlete_id))
        if session_id is not None:
            recent = {s.session_id for s in await recent_sessions(tx, video.athlete_id, now=now)}
            if session_id not in recent and not await is_athletes_session(
                tx, session_id, video.athlete_id
            ):
                raise NotFound("session of another athlete")
            if session_id not in recent:
                raise InvalidInput("session is not a recent one")
        video.session_id, video.session_chosen_at = session_id, now
        await queue_reviews_again(tx, video, now=now)
        await tx.commit()
    return session_id


def _summary(
    video: VideoAnalysis, names: dict[uuid.UUID, str], mirrored: MirroredStatus | None
) -> VideoSummary:
    motion = (video.analysis_results or {}).get("motion") or {}
    return VideoSummary(
        video_id=video.id,
        athlete_name=names.get(video.athlete_id, "") if video.athlete_id else "",
        status=video.status or VideoStatus.PENDING,
        created_at=video.created_at or datetime.min,
        caption=video.caption,
        duration=video.duration,
        reps=motion.get("reps"),
        has_feedback=bool(video.feedback_media),
        progress=progress(mirrored) if mirrored is not None else None,
    )


@dataclass(frozen=True)
class ProgramDayShown:
    """The program day a video was sent from, as its review names it."""

    title: str
    week: int
    day: int


@dataclass(frozen=True)
class NoticeView:
    """A video as its notices show it, read when the notice is sent."""

    detail: VideoDetail
    session_start: datetime | None
    session_coach: str | None
    feedback: dict[str, Any] | None
    feedback_coach: str | None
    program_day: ProgramDayShown | None = None


async def notice_view(
    uow: UnitOfWork, video_id: uuid.UUID, *, feedback_index: int | None = None
) -> NoticeView | None:
    """What a notice about the video says; None if the video is gone."""
    async with uow as tx:
        video = await tx.session.get(VideoAnalysis, video_id)
        if video is None or video.athlete_id is None:
            return None
        names = await first_names(tx, {video.athlete_id})
        start, coach = await _session_of(tx, video.session_id)
        feedback = _feedback_at(video, feedback_index)
        feedback_coach = await _feedback_coach(tx, feedback) if feedback is not None else None
        program_day = await _program_day_of(tx, video)
    return NoticeView(_detail(video, names), start, coach, feedback, feedback_coach, program_day)


def _detail(video: VideoAnalysis, names: dict[uuid.UUID, str]) -> VideoDetail:
    return VideoDetail(
        video_id=video.id,
        athlete_name=names.get(video.athlete_id, "") if video.athlete_id else "",
        status=video.status or VideoStatus.PENDING,
        caption=video.caption,
        media_kind=video.media_kind,
        telegram_file_id=video.telegram_file_id,
        raw_key=video.video_url,
        processed_key=video.processed_url,
        thumbnail_key=video.thumbnail_url,
        analysis=video.analysis_results,
        failure_reason=video.failure_reason,
        coach_feedback=video.coach_feedback,
        rendition_deleted_at=video.rendition_deleted_at,
    )


async def _session_of(
    tx: Transaction, session_id: uuid.UUID | None
) -> tuple[datetime | None, str | None]:
    if session_id is None:
        return None, None
    row = await queries.session_start_and_coach(tx, session_id)
    if row is None:
        return None, None
    return row.start_time, " ".join(filter(None, (row.first_name, row.last_name)))


async def _program_day_of(tx: Transaction, video: VideoAnalysis) -> ProgramDayShown | None:
    if video.program_enrolment_id is None or video.program_week is None:
        return None
    program = await queries.program_of_enrolment(tx, video.program_enrolment_id)
    if program is None or video.program_day is None:
        return None
    return ProgramDayShown(program[0], video.program_week, video.program_day)


def _feedback_at(video: VideoAnalysis, index: int | None) -> dict[str, Any] | None:
    media = video.feedback_media or []
    if index is None or not 0 <= index < len(media):
        return None
    return media[index]


async def _feedback_coach(tx: Transaction, feedback: dict[str, Any]) -> str | None:
    try:
        coach_user_id = uuid.UUID(str(feedback.get("coach_user_id")))
    except ValueError:
        return None
    names = await names_of_user(tx, coach_user_id)
    return " ".join(filter(None, names)) if names else None
