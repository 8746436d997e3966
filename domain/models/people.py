"""Users and their athlete and coach profiles."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, CreatedAt, UpdatedAt, UuidPk, one_of


class Role(StrEnum):
    """What a person is here; an admin may also be a configured Telegram id of another role."""

    ATHLETE = "athlete"
    PARENT = "parent"
    COACH = "coach"
    MENTOR = "mentor"
    ADMIN = "admin"


class UserStatus(StrEnum):
    """users.status; NULL reads as active. Blocked: the person blocked the bot, nothing more."""

    ACTIVE = "active"
    BLOCKED = "blocked"
    # An admin stopped the account (issue 18): domain.policy refuses everything it asks.
    SUSPENDED = "suspended"
    # The person asked to be erased and the grace ran out (issue 18): an anonymised husk kept
    # only for the sessions and payments accounting needs; domain.policy denies it everything.
    ERASED = "erased"


class LinkRelation(StrEnum):
    """athlete_links.relation: how a linked user stands to the athlete."""

    GUARDIAN = "guardian"
    MENTOR = "mentor"


class MentorRequestStatus(StrEnum):
    """mentor_requests.status: pending until a guardian answers."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class InvitationKind(StrEnum):
    """invitations.kind: whom the link makes of its opener (the child, or a LinkRelation)."""

    CHILD = "child"
    GUARDIAN = LinkRelation.GUARDIAN.value
    MENTOR = LinkRelation.MENTOR.value


class User(Base):
    """A person: athlete, parent, coach, mentor or admin (a child may have no Telegram)."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(one_of("role", Role), name="role"),
        CheckConstraint("units IN ('metric', 'imperial')", name="units"),
        Index("idx_users_email", "email"),
        Index("idx_users_role", "role"),
        # /user finds people by a mistyped name: trigram similarity (pg_trgm, migration 0012).
        Index(
            "idx_users_name_trgm",
            text("lower(first_name || ' ' || last_name) gin_trgm_ops"),
            postgresql_using="gin",
        ),
        Index("idx_users_telegram_username", text("lower(telegram_username)")),
        Index("idx_users_phone_number_index", "phone_number_index"),
    )

    id: Mapped[UuidPk]
    email: Mapped[str | None] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(50))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), server_default=text("''"))
    # A SecretBox token (TEXT: a token outgrows the spec's VARCHAR(20)); found by the blind
    # index beside it (domain.people.phone_numbers), for an admin's /user.
    phone_number: Mapped[str | None] = mapped_column(Text)
    phone_number_index: Mapped[str | None] = mapped_column(String(64))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    profile_image_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str | None] = mapped_column(
        String(20), server_default=text(f"'{UserStatus.ACTIVE}'")
    )
    verification_status: Mapped[bool | None] = mapped_column(Boolean, server_default=text("false"))
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    # Telegram's @username as last seen (it can change; kept current by bot.guards), for /user.
    telegram_username: Mapped[str | None] = mapped_column(String(32))
    language_code: Mapped[str | None] = mapped_column(String(10))
    timezone: Mapped[str] = mapped_column(String(64), server_default=text("'UTC'"))
    units: Mapped[str] = mapped_column(String(10), server_default=text("'metric'"))
    # Date of birth is sensitive: stored encrypted (domain.secrets_box); see docs/schema.md.
    date_of_birth_encrypted: Mapped[str | None] = mapped_column(Text)
    onboarded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # No reminders between these local times (in `timezone`); equal values mean none.
    quiet_from: Mapped[time] = mapped_column(
        Time, default=time(21, 0), server_default=text("'21:00'")
    )
    quiet_until: Mapped[time] = mapped_column(
        Time, default=time(7, 0), server_default=text("'07:00'")
    )


LAST_ADMIN_CONSTRAINT = "admins_keep_one"


class Admin(Base):
    """A user with admin rights: the truth about who is an admin (ADMIN_TELEGRAM_IDS only seeds
    it). A trigger (migration 0012, `admins_keep_one`) refuses to remove the last one."""

    __tablename__ = "admins"

    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    granted_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    granted_at: Mapped[CreatedAt]


class ErasureRequest(Base):
    """A person's /deleteme: erased by the scheduled job once `due_at` passes, unless /start
    withdrew it first (the row is deleted). `claimed_at` is a replica's claim on the work."""

    __tablename__ = "erasure_requests"
    __table_args__ = (
        Index("idx_erasure_requests_due", "due_at", postgresql_where=text("erased_at IS NULL")),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Athlete(Base):
    """An athlete profile; `parent_id` points at the guardian's user row."""

    __tablename__ = "athletes"
    __table_args__ = (
        CheckConstraint("dominant_hand IN ('left', 'right', 'both')", name="dominant_hand"),
        Index("idx_athletes_parent_id", "parent_id"),
        Index("idx_athletes_primary_sport", "primary_sport"),
    )

    id: Mapped[UuidPk]
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id"), unique=True
    )
    parent_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id"))
    current_level: Mapped[str | None] = mapped_column(String(50))
    primary_sport: Mapped[str] = mapped_column(String(100))
    secondary_sports: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    height_cm: Mapped[int | None] = mapped_column(Integer)
    weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    goals: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    # The three sensitive fields hold ciphertext (domain.secrets_box), hence TEXT.
    medical_conditions: Mapped[str | None] = mapped_column(Text)
    emergency_contact_name: Mapped[str | None] = mapped_column(Text)
    emergency_contact_phone: Mapped[str | None] = mapped_column(Text)
    position: Mapped[str | None] = mapped_column(String(50))
    dominant_hand: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class AthleteLink(Base):
    """A second guardian or a mentor linked to an athlete (the first guardian is parent_id)."""

    __tablename__ = "athlete_links"
    __table_args__ = (
        CheckConstraint(one_of("relation", LinkRelation), name="relation"),
        UniqueConstraint("athlete_id", "user_id"),
        Index("idx_athlete_links_user_id", "user_id"),
    )

    id: Mapped[UuidPk]
    athlete_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("athletes.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE")
    )
    relation: Mapped[str] = mapped_column(String(20))
    # A mentor is shown the athlete's videos only once a guardian allows it (issue 15).
    video_consent: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[CreatedAt]


class MentorRequest(Base):
    """A mentor asking a guardian to be linked to one of their children; pending until answered."""

    __tablename__ = "mentor_requests"
    __table_args__ = (
        CheckConstraint(one_of("status", MentorRequestStatus), name="status"),
        Index("idx_mentor_requests_guardian_user_id", "guardian_user_id"),
        # One open request per mentor and guardian: asking twice does not ring twice.
        Index(
            "uq_mentor_requests_pending",
            "mentor_user_id",
            "guardian_user_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[UuidPk]
    mentor_user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE")
    )
    guardian_user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(10), server_default=text("'pending'"))
    athlete_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("athletes.id", ondelete="CASCADE")
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[CreatedAt]


class Invitation(Base):
    """A single-use, expiring deep-link invitation; only the token's hash is stored."""

    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint(one_of("kind", InvitationKind), name="kind"),
        Index("idx_invitations_created_by", "created_by"),
    )

    id: Mapped[UuidPk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    athlete_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("athletes.id", ondelete="CASCADE")
    )
    created_by: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE")
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[CreatedAt]


class Coach(Base):
    """A coach profile; bookable only once verified by an admin."""

    __tablename__ = "coaches"
    __table_args__ = (
        Index("idx_coaches_specializations", "specializations", postgresql_using="gin"),
        Index("idx_coaches_rating", "rating"),
    )

    id: Mapped[UuidPk]
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id"), unique=True
    )
    specializations: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    certification_ids: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    years_experience: Mapped[int | None] = mapped_column(Integer)
    bio: Mapped[str | None] = mapped_column(Text)
    hourly_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    availability: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    rating: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    total_reviews: Mapped[int | None] = mapped_column(Integer, server_default=text("0"))
    verification_documents: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # Currency of hourly_rate (ISO 4217); whether the coach is verified is the spec's
    # users.verification_status of the coach's user.
    currency: Mapped[str] = mapped_column(String(3), server_default=text("'EUR'"))
    verification_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
