"""The acting user and every relation an Actor holds, in one statement (see domain.actors)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Row,
    Select,
    any_,
    bindparam,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import (
    Admin,
    Athlete,
    AthleteLink,
    Coach,
    LinkRelation,
    SessionParticipant,
    SessionStatus,
    TrainingSession,
    User,
    VideoConsent,
)


def _ids(query: Select[Any]) -> ColumnElement[Any]:
    """A correlated `(SELECT array_agg(...))` column: the ids a relation holds, NULL for none."""
    return query.scalar_subquery()


def _linked(relation: str, *only: ColumnElement[bool]) -> ColumnElement[Any]:
    return _ids(
        select(func.array_agg(AthleteLink.athlete_id)).where(
            AthleteLink.user_id == User.id, AthleteLink.relation == relation, *only
        )
    )


# A coach coaches every athlete with a live (not cancelled) booking with them, any time: their
# own individual sessions' athletes and the participants of their group sessions.
_LIVE = (TrainingSession.coach_id == Coach.id, TrainingSession.status != SessionStatus.CANCELLED)
# Athletes whose guardian revoked consent to their videos, among those the user coaches or
# mentors: their videos are withheld from them (issue 18).
_WITHHELD = _ids(
    select(func.array_agg(VideoConsent.athlete_id)).where(
        VideoConsent.revoked_at.is_not(None),
        or_(
            # Two levels down: the user's row and coach profile are named to correlate.
            exists()
            .where(TrainingSession.athlete_id == VideoConsent.athlete_id, *_LIVE)
            .correlate(VideoConsent, Coach),
            exists()
            .where(
                SessionParticipant.athlete_id == VideoConsent.athlete_id,
                SessionParticipant.session_id == TrainingSession.id,
                *_LIVE,
            )
            .correlate(VideoConsent, Coach),
            exists()
            .where(
                AthleteLink.athlete_id == VideoConsent.athlete_id,
                AthleteLink.user_id == User.id,
                AthleteLink.relation == LinkRelation.MENTOR,
            )
            .correlate(VideoConsent, User),
        ),
    )
)

# One row per user, every relation an Actor holds as a column: one statement, one round trip.
# Built once at import, so SQLAlchemy compiles it once and asyncpg reuses the prepared statement.
_ACTOR: Select[Any] = (
    select(
        User.id,
        User.role,
        User.status,
        User.verification_status,
        User.telegram_user_id,
        User.language_code,
        User.timezone,
        Coach.id.label("coach_id"),
        exists().where(Admin.user_id == User.id).label("is_admin"),
        select(Athlete.id).where(Athlete.user_id == User.id).scalar_subquery().label("own"),
        _ids(select(func.array_agg(Athlete.id)).where(Athlete.parent_id == User.id)).label(
            "children"
        ),
        _linked(LinkRelation.GUARDIAN).label("guarded"),
        _linked(LinkRelation.MENTOR).label("mentored"),
        _linked(LinkRelation.MENTOR, AthleteLink.video_consent.is_(True)).label(
            "mentored_with_videos"
        ),
        _ids(
            select(func.array_agg(TrainingSession.athlete_id.distinct())).where(
                *_LIVE, TrainingSession.athlete_id.is_not(None)
            )
        ).label("coached_alone"),
        _ids(
            select(func.array_agg(SessionParticipant.athlete_id.distinct()))
            .join(TrainingSession, TrainingSession.id == SessionParticipant.session_id)
            .where(*_LIVE)
        ).label("coached_in_groups"),
        _WITHHELD.label("videos_withheld"),
    )
    .select_from(User)
    .outerjoin(Coach, Coach.user_id == User.id)
)
# Every update reads its acting user with this one, on the driver (domain.actors); the users of
# updates arriving together are read by one statement.
BY_TELEGRAM = _ACTOR.where(
    User.telegram_user_id == any_(bindparam("telegram_user_ids", type_=ARRAY(BigInteger)))
)
_BY_USER = _ACTOR.where(User.id == bindparam("user_id"))


class ActorRows:
    """The one row an Actor is built from, for a user written in this transaction (the row by
    Telegram account is `BY_TELEGRAM`, run on the driver by domain.actors)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_user_id(self, user_id: Any) -> Row[Any]:
        """The row of a user already written (flushed) in this transaction."""
        return (await self.session.execute(_BY_USER, {"user_id": user_id})).one()
