"""A video received in chat: checked, streamed to storage, recorded, and queued for processing.

The raw file goes to `videos/raw/{userId}/{videoId}/` where userId is the athlete's user, so
everything about one person sits under one prefix (and can be exported or erased together),
whichever parent or guardian sent it.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis.exceptions import RedisError

from domain import policy
from domain.adapters.cache import RateLimiter
from domain.adapters.storage import MediaStorage
from domain.adapters.storage.keys import raw_video_key
from domain.errors import DomainError, NotFound
from domain.metrics.viewers import AthleteName
from domain.models import (
    VideoAnalysis,
    VideoStatus,
)
from domain.people.queries import first_names
from domain.policy import Action, Actor, AthleteTarget
from domain.secrets_box import SecretBox
from domain.uow import Transaction, UnitOfWork
from domain.videos import consent, queries
from domain.videos.files import SNIFF_BYTES, download_limit, size_in_mb, sniff, too_large
from domain.videos.queue import VideoQueue
from domain.videos.status import VideoStatusMirror

log = logging.getLogger(__name__)
# Sessions a video may be linked to: those of the last week, and today's still to come.
RECENT_SESSIONS = timedelta(days=7)
LATER_TODAY = timedelta(hours=12)
MAX_LINKABLE = 5
MAX_CAPTION = 1000
UPLOADS_PER_HOUR = 20
# An upload still "uploaded" this long after its last change never reached a worker.
STALE_UPLOAD = timedelta(minutes=10)
SWEEP_LOCK = "video-upload-sweep"


class NotAVideo(DomainError):
    """The file's bytes are not a video container we can read."""

    message_key = "video.not_a_video"


class TooManyVideos(DomainError):
    """The sender has sent as many videos as an hour allows."""

    message_key = "video.too_many"


class VideoTooLarge(DomainError):
    """Telegram will not hand the bot a file this large."""

    message_key = "video.too_large"


@dataclass(frozen=True)
class IncomingVideo:
    """What Telegram says about a video someone sent."""

    telegram_file_id: str
    media_kind: str  # video, video_note, animation or document
    size: int | None
    caption: str | None = None


@dataclass(frozen=True)
class ProgramDay:
    """The program day a video was sent from: its program's author reviews it (issue 16)."""

    enrolment_id: uuid.UUID
    week: int
    day: int


@dataclass(frozen=True)
class RecentSession:
    """A session of the athlete a video may belong to."""

    session_id: uuid.UUID
    start: datetime
    coach_name: str
    session_type: str


@dataclass(frozen=True)
class ReceivedVideo:
    """A stored, recorded video, and the sessions it could be linked to."""

    video_id: uuid.UUID
    athlete_id: uuid.UUID
    athlete_name: str
    recent_sessions: list[RecentSession]
    queued: bool


@dataclass(frozen=True)
class VideoIntake:
    """Where a received video goes: storage, the status mirror and the job queue."""

    storage: MediaStorage
    mirror: VideoStatusMirror
    queue: VideoQueue
    local_mode: bool = False
    # Each video costs a worker tens of seconds of CPU: a flood must not starve everyone else.
    limiter: RateLimiter | None = None
    uploads_per_hour: int = UPLOADS_PER_HOUR
    # Opens a minor's date of birth for the consent gate; without it no date is known.
    box: SecretBox | None = None


def check_size(size: int | None, *, local_mode: bool) -> None:
    """Refuse, before any download, a file Telegram would not hand over."""
    if too_large(size, local_mode=local_mode):
        assert size is not None
        limit = download_limit(local_mode=local_mode)
        raise VideoTooLarge(size_mb=size_in_mb(size), limit_mb=limit // (1024 * 1024))


async def receive_video(
    uow: UnitOfWork,
    intake: VideoIntake,
    *,
    actor: Actor,
    athlete_id: uuid.UUID,
    incoming: IncomingVideo,
    chunks: AsyncIterable[bytes],
    now: datetime,
    program_day: ProgramDay | None = None,
) -> ReceivedVideo:
    """Store the video's bytes, record it as uploaded and queue it; NotAVideo if it is not one,
    ConsentNeeded (nothing read or stored, the guardians asked) for a minor without consent.

    A video of a program day (checked by `domain.programs`) names it and is of no session."""
    policy.require(actor, Action.UPLOAD_VIDEO, AthleteTarget(athlete_id))
    check_size(incoming.size, local_mode=intake.local_mode)
    await _within_hourly_limit(intake, actor)
    async with uow as tx:
        owner_id, name = await _athlete(tx, athlete_id)
        if await consent.needs_consent(tx, intake.box, athlete_id, today=now.date()):
            asked = await consent.ask_guardians(tx, athlete_id, name, now=now)
            tx.audit.record(
                actor_id=actor.user_id,
                action="video.refused_no_consent",
                entity="athlete",
                entity_id=athlete_id,
            )
            await tx.commit()
            refusal = consent.ConsentNeeded if asked else consent.ConsentNeededNoGuardian
            raise refusal("no guardian consent on record", name=name)
    video_id = uuid.uuid4()
    stream = aiter(chunks)
    head = await _head(stream)
    container = sniff(head)
    if container is None:
        raise NotAVideo("content is not a video container")
    key = raw_video_key(owner_id or actor.user_id, video_id, f"original.{container.extension}")
    await intake.storage.put(key, _rejoined(head, stream), content_type=container.content_type)
    try:
        recent = await _record(uow, actor, athlete_id, video_id, key, incoming, now, program_day)
    except BaseException:
        # No row points at the file: it would never be shown or cleaned up.
        await intake.storage.delete(key)
        raise
    await intake.mirror.set(video_id, VideoStatus.UPLOADED)
    queued = await _enqueue(intake.queue, video_id)
    return ReceivedVideo(video_id, athlete_id, name, recent, queued)


async def _within_hourly_limit(intake: VideoIntake, actor: Actor) -> None:
    if intake.limiter is None:
        return
    decision = await intake.limiter.hit(
        actor.user_id, "video", limit=intake.uploads_per_hour, window_s=3600
    )
    if not decision.allowed:
        minutes = max(1, math.ceil(decision.retry_after_s / 60))
        raise TooManyVideos(limit=intake.uploads_per_hour, minutes=minutes)


async def _record(
    uow: UnitOfWork,
    actor: Actor,
    athlete_id: uuid.UUID,
    video_id: uuid.UUID,
    key: str,
    incoming: IncomingVideo,
    now: datetime,
    program_day: ProgramDay | None,
) -> list[RecentSession]:
    async with uow as tx:
        video = VideoAnalysis(
            id=video_id,
            athlete_id=athlete_id,
            video_url=key,
            status=VideoStatus.UPLOADED,
            uploaded_by=actor.user_id,
            telegram_file_id=incoming.telegram_file_id,
            media_kind=incoming.media_kind,
            caption=(incoming.caption or "").strip()[:MAX_CAPTION] or None,
        )
        if program_day is not None:
            # Of no session: its reviewer is the program's coach, who need not wait for a link.
            video.program_enrolment_id = program_day.enrolment_id
            video.program_week, video.program_day = program_day.week, program_day.day
            video.session_chosen_at = now
        tx.session.add(video)
        tx.audit.record(
            actor_id=actor.user_id, action="video.uploaded", entity="video", entity_id=video_id
        )
        recent = [] if program_day else await recent_sessions(tx, athlete_id, now=now)
        await tx.commit()
    return recent


async def _enqueue(queue: VideoQueue, video_id: uuid.UUID) -> bool:
    try:
        await queue.enqueue(video_id)
    except (RedisError, OSError):
        # The row says "uploaded"; `requeue_stale_uploads` (a bot job) queues it later.
        log.exception("could not queue video %s; the sweep will", video_id)
        return False
    return True


async def uploadable_athletes(uow: UnitOfWork, *, actor: Actor) -> list[AthleteName]:
    """The athletes the actor may send videos for: themself first, then by name."""
    ids = {
        athlete_id
        for athlete_id in policy.athletes_actor_may_act_for(actor)
        if policy.may(actor, Action.UPLOAD_VIDEO, AthleteTarget(athlete_id))
    }
    if not ids:
        return []
    async with uow as tx:
        names = await first_names(tx, ids)
    return sorted(
        (AthleteName(athlete_id, name) for athlete_id, name in names.items()),
        key=lambda athlete: (athlete.athlete_id != actor.own_athlete_id, athlete.name.lower()),
    )


async def recent_sessions(
    tx: Transaction, athlete_id: uuid.UUID, *, now: datetime
) -> list[RecentSession]:
    """The athlete's sessions of the last week and later today, newest first."""
    rows = await queries.sessions_with_coach_names(
        tx, athlete_id, now - RECENT_SESSIONS, now + LATER_TODAY, MAX_LINKABLE
    )
    return [
        RecentSession(
            session.id,
            session.start_time,
            " ".join(filter(None, (first, last))),
            session.session_type,
        )
        for session, first, last in rows
    ]


async def _athlete(tx: Transaction, athlete_id: uuid.UUID) -> tuple[uuid.UUID | None, str]:
    row = await queries.athlete_user_and_name(tx, athlete_id)
    if row is None:
        raise NotFound("athlete")
    return row.user_id, row.first_name or ""


async def _head(stream: AsyncIterator[bytes]) -> bytes:
    """The first SNIFF_BYTES (or fewer, for a tiny file), read off the stream."""
    head = b""
    while len(head) < SNIFF_BYTES:
        chunk = await anext(stream, None)
        if chunk is None:
            break
        head += chunk
    return head


async def _rejoined(head: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if head:
        yield head
    async for chunk in rest:
        yield chunk


async def requeue_stale_uploads(uow: UnitOfWork, queue: VideoQueue, *, now: datetime) -> int:
    """Queue again the uploads whose job was lost (Redis was down when they came); how many.

    An upload still waiting in a long queue is not lost: only videos with no job in the stream
    are queued again, so a backlog never gets a second copy (each would count an attempt).
    """
    async with uow as tx:
        # Every bot replica runs the sweep: one at a time, each seeing what the last queued.
        await tx.hold_lock(SWEEP_LOCK)
        stale = await queries.stale_uploads(tx, now - STALE_UPLOAD)
        lost = stale - await queue.queued_videos() if stale else set()
        for video_id in lost:
            await queue.enqueue(video_id)
    if lost:
        log.warning("re-queued %d uploads whose job was lost", len(lost))
    return len(lost)
