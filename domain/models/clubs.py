"""Clubs and teams (issue 19): teams with their coaches and members, and the coach's messages
to a team with who pressed "Seen"."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, CreatedAt, UpdatedAt, UuidPk, one_of, utcnow

# A season is at most two years long (issue 19, "Bad input").
SEASON_MAX = "2 years"


class TeamCoachRole(StrEnum):
    """team_coaches.role: the team's head coach (who created it) or an assistant."""

    HEAD = "head"
    ASSISTANT = "assistant"


class Team(Base):
    """A squad a coach runs for a season; families join by `join_code`, co-coaches by
    `coach_code` (replaced after each use), and a Telegram group may be linked to it."""

    __tablename__ = "teams"
    __table_args__ = (
        CheckConstraint("season_end >= season_start", name="season_order"),
        CheckConstraint(f"season_end <= season_start + interval '{SEASON_MAX}'", name="season_len"),
        Index("idx_teams_coach_id", "coach_id"),
    )

    id: Mapped[UuidPk]
    # The head coach; every coach of the team (the head included) is in team_coaches.
    coach_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("coaches.id"))
    name: Mapped[str] = mapped_column(String(100))
    sport: Mapped[str] = mapped_column(String(100))
    age_group: Mapped[str] = mapped_column(String(50))
    season_start: Mapped[date] = mapped_column(Date)
    season_end: Mapped[date] = mapped_column(Date)
    telegram_group_chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    join_code: Mapped[str] = mapped_column(String(32), unique=True)
    coach_code: Mapped[str] = mapped_column(String(32), unique=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TeamCoach(Base):
    """A coach of a team: its head coach or an assistant who joined by the co-coach link."""

    __tablename__ = "team_coaches"
    __table_args__ = (
        CheckConstraint(one_of("role", TeamCoachRole), name="role"),
        Index("idx_team_coaches_coach_id", "coach_id"),
    )

    team_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    coach_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("coaches.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(10))
    added_at: Mapped[CreatedAt]


class TeamMember(Base):
    """An athlete on a team's roster from `joined_at` until `left_at` (kept for history)."""

    __tablename__ = "team_members"
    __table_args__ = (
        # One live membership per athlete and team; a member who left may join again.
        Index(
            "uq_team_members_live",
            "team_id",
            "athlete_id",
            unique=True,
            postgresql_where=text("left_at IS NULL"),
        ),
        Index("idx_team_members_athlete_id", "athlete_id"),
    )

    id: Mapped[UuidPk]
    team_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("teams.id", ondelete="CASCADE")
    )
    athlete_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("athletes.id", ondelete="CASCADE")
    )
    joined_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    joined_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.current_timestamp()
    )
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TeamMessage(Base):
    """A coach's message to a team: to the families' private chats and/or the linked group."""

    __tablename__ = "team_messages"
    __table_args__ = (
        CheckConstraint("to_families OR to_group", name="somewhere"),
        Index("idx_team_messages_team_id", "team_id", "created_at"),
    )

    id: Mapped[UuidPk]
    team_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("teams.id", ondelete="CASCADE")
    )
    sent_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    to_families: Mapped[bool] = mapped_column(Boolean)
    to_group: Mapped[bool] = mapped_column(Boolean)
    # How many private copies were queued: the denominator of the Seen count.
    recipients: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_at: Mapped[CreatedAt]


class TeamMessageSeen(Base):
    """A family member's "👍 Seen" on a team message (bots cannot see reads in Telegram)."""

    __tablename__ = "team_message_seen"

    message_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("team_messages.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.current_timestamp()
    )
