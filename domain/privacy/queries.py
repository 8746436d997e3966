"""The privacy capability's SQL: what is held about a person (read as plain rows for the
export), the erasure requests and their claim, and the statements that anonymise or delete
a person's rows when they are erased."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert

from domain.models import (
    Admin,
    Athlete,
    AthleteLink,
    AuditEntry,
    Coach,
    ErasureRequest,
    Invitation,
    MentorRequest,
    Notification,
    NotificationKind,
    Payment,
    PerformanceMetric,
    ProgramEnrolment,
    ProgramWorkoutLog,
    SessionParticipant,
    SessionRating,
    TrainingSession,
    User,
    UserStatus,
    VideoAnalysis,
)
from domain.uow import Transaction

Row = dict[str, Any]
ERASED_NAME = "Erased"
ERASED_DETAILS = {"erased": True}


async def _rows(tx: Transaction, table: Table, *where: Any, order: Any = None) -> list[Row]:
    query = select(table).where(*where)
    if order is not None:
        query = query.order_by(order)
    return [dict(row._mapping) for row in await tx.session.execute(query)]


async def user_rows(tx: Transaction, user_ids: Collection[uuid.UUID]) -> list[Row]:
    """The users rows, as stored (sensitive fields still encrypted)."""
    return await _rows(tx, User.__table__, User.id.in_(user_ids), order=User.created_at)


async def athlete_rows(tx: Transaction, athlete_ids: Collection[uuid.UUID]) -> list[Row]:
    """The athlete profiles, as stored."""
    return await _rows(tx, Athlete.__table__, Athlete.id.in_(athlete_ids), order=Athlete.id)


async def coach_rows(tx: Transaction, user_id: uuid.UUID) -> list[Row]:
    """The person's coach profile, if any."""
    return await _rows(tx, Coach.__table__, Coach.user_id == user_id)


async def session_rows(
    tx: Transaction, user_id: uuid.UUID, athlete_ids: Collection[uuid.UUID]
) -> list[Row]:
    """Sessions of these athletes (alone or in a group), booked by the person or coached."""
    in_group = select(SessionParticipant.session_id).where(
        SessionParticipant.athlete_id.in_(athlete_ids)
    )
    coached = select(Coach.id).where(Coach.user_id == user_id)
    return await _rows(
        tx,
        TrainingSession.__table__,
        or_(
            TrainingSession.athlete_id.in_(athlete_ids),
            TrainingSession.id.in_(in_group),
            TrainingSession.booked_by == user_id,
            TrainingSession.coach_id.in_(coached),
        ),
        order=TrainingSession.start_time,
    )


async def payment_rows(tx: Transaction, user_id: uuid.UUID) -> list[Row]:
    """Payments the person made or received."""
    return await _rows(
        tx,
        Payment.__table__,
        or_(Payment.payer_id == user_id, Payment.recipient_id == user_id),
        order=Payment.created_at,
    )


async def metric_rows(tx: Transaction, athlete_ids: Collection[uuid.UUID]) -> list[Row]:
    """Every value logged for these athletes, oldest first."""
    return await _rows(
        tx,
        PerformanceMetric.__table__,
        PerformanceMetric.athlete_id.in_(athlete_ids),
        order=PerformanceMetric.recorded_at,
    )


async def video_rows(
    tx: Transaction, user_id: uuid.UUID, athlete_ids: Collection[uuid.UUID]
) -> list[Row]:
    """Videos of these athletes or sent by the person, with the feedback on them."""
    return await _rows(
        tx,
        VideoAnalysis.__table__,
        or_(VideoAnalysis.athlete_id.in_(athlete_ids), VideoAnalysis.uploaded_by == user_id),
        order=VideoAnalysis.created_at,
    )


async def rating_rows(
    tx: Transaction, user_id: uuid.UUID, athlete_ids: Collection[uuid.UUID]
) -> list[Row]:
    """Ratings and words given on sessions of these athletes, or by the person."""
    return await _rows(
        tx,
        SessionRating.__table__,
        or_(SessionRating.athlete_id.in_(athlete_ids), SessionRating.rated_by == user_id),
        order=SessionRating.rated_at,
    )


async def workout_rows(tx: Transaction, athlete_ids: Collection[uuid.UUID]) -> list[Row]:
    """Program days these athletes answered (done, partly, skipped, with a note)."""
    enrolments = select(ProgramEnrolment.id).where(ProgramEnrolment.athlete_id.in_(athlete_ids))
    return await _rows(
        tx,
        ProgramWorkoutLog.__table__,
        ProgramWorkoutLog.enrolment_id.in_(enrolments),
        order=ProgramWorkoutLog.logged_at,
    )


async def audit_rows(tx: Transaction, subject_ids: Collection[uuid.UUID]) -> list[Row]:
    """Audit entries by any of these ids or about any of them."""
    return await _rows(
        tx,
        AuditEntry.__table__,
        _audit_about(subject_ids),
        order=AuditEntry.at,
    )


def _audit_about(subject_ids: Collection[uuid.UUID]) -> Any:
    return or_(AuditEntry.actor_id.in_(subject_ids), AuditEntry.entity_id.in_(subject_ids))


async def guardians_of(
    tx: Transaction, athlete_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Each athlete's guardians: its parent_id and every linked guardian."""
    found: dict[uuid.UUID, set[uuid.UUID]] = {a: set() for a in athlete_ids}
    parents = select(Athlete.id, Athlete.parent_id).where(Athlete.id.in_(athlete_ids))
    for athlete_id, parent_id in await tx.session.execute(parents):
        if parent_id is not None:
            found[athlete_id].add(parent_id)
    links = select(AthleteLink.athlete_id, AthleteLink.user_id).where(
        AthleteLink.athlete_id.in_(athlete_ids), AthleteLink.relation == "guardian"
    )
    for athlete_id, user_id in await tx.session.execute(links):
        found[athlete_id].add(user_id)
    return found


async def athlete_user_ids(tx: Transaction, athlete_ids: Collection[uuid.UUID]) -> list[uuid.UUID]:
    """The user rows of these athletes (a child's own, with or without Telegram)."""
    query = select(Athlete.user_id).where(Athlete.id.in_(athlete_ids), Athlete.user_id.is_not(None))
    return list(await tx.session.scalars(query))


# Erasure requests.


async def add_request(
    tx: Transaction, user_id: uuid.UUID, now: datetime, due_at: datetime
) -> datetime:
    """Record the request (a second /deleteme keeps the first's date); when it falls due."""
    await tx.session.execute(
        insert(ErasureRequest)
        .values(user_id=user_id, requested_at=now, due_at=due_at)
        .on_conflict_do_nothing(index_elements=[ErasureRequest.user_id])
    )
    found = select(ErasureRequest.due_at).where(ErasureRequest.user_id == user_id)
    return (await tx.session.scalars(found)).one()


async def withdraw_request(tx: Transaction, user_id: uuid.UUID) -> datetime | None:
    """Remove a pending request; the due date it had, or None if there was none."""
    removed = (
        delete(ErasureRequest)
        .where(ErasureRequest.user_id == user_id, ErasureRequest.erased_at.is_(None))
        .returning(ErasureRequest.due_at)
    )
    return (await tx.session.scalars(removed)).first()


async def pending_request(tx: Transaction, user_id: uuid.UUID) -> ErasureRequest | None:
    """The person's request still in its grace, if any."""
    query = select(ErasureRequest).where(
        ErasureRequest.user_id == user_id, ErasureRequest.erased_at.is_(None)
    )
    return (await tx.session.scalars(query)).first()


async def claim_due(tx: Transaction, now: datetime) -> ErasureRequest | None:
    """One request past its grace, locked for this transaction: other replicas skip it."""
    query = (
        select(ErasureRequest)
        .where(ErasureRequest.erased_at.is_(None), ErasureRequest.due_at <= now)
        # One waiting for its Stars refunds (claimed before) lets the others go first.
        .order_by(ErasureRequest.claimed_at.nulls_first(), ErasureRequest.due_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return (await tx.session.scalars(query)).first()


async def unsent_star_refunds(tx: Transaction, user_id: uuid.UUID) -> int:
    """Stars refunds to the person still in the outbox (they need the Telegram id)."""
    query = select(Notification.id).where(
        Notification.recipient_id == user_id,
        Notification.kind == NotificationKind.STAR_REFUND,
        Notification.sent_at.is_(None),
    )
    return len((await tx.session.scalars(query)).all())


# Erasure proper.


async def hand_over_children(
    tx: Transaction, user_id: uuid.UUID, athlete_ids: Collection[uuid.UUID]
) -> None:
    """Co-guarded children whose parent_id is the person pass to a linked guardian."""
    for athlete_id in athlete_ids:
        link = (
            await tx.session.scalars(
                select(AthleteLink)
                .where(
                    AthleteLink.athlete_id == athlete_id,
                    AthleteLink.relation == "guardian",
                    AthleteLink.user_id != user_id,
                )
                .order_by(AthleteLink.created_at)
                .limit(1)
            )
        ).first()
        if link is None:
            continue
        await tx.session.execute(
            update(Athlete)
            .where(Athlete.id == athlete_id, Athlete.parent_id == user_id)
            .values(parent_id=link.user_id)
        )
        await tx.session.execute(delete(AthleteLink).where(AthleteLink.id == link.id))


async def remove_names(tx: Transaction, user_ids: Collection[uuid.UUID]) -> None:
    """Names and usernames removed; the Telegram id stays until refunds have gone out."""
    await tx.session.execute(
        update(User)
        .where(User.id.in_(user_ids))
        .values(first_name=ERASED_NAME, last_name="", telegram_username=None)
    )


async def drop_admin(tx: Transaction, user_id: uuid.UUID) -> None:
    """The person's admin rights, if any."""
    await tx.session.execute(delete(Admin).where(Admin.user_id == user_id))


async def anonymise_users(tx: Transaction, user_ids: Collection[uuid.UUID]) -> None:
    """Every personal field of these users removed; the rows stay for accounting's links."""
    await tx.session.execute(
        update(User)
        .where(User.id.in_(user_ids))
        .values(
            email=None,
            password_hash=None,
            first_name=ERASED_NAME,
            last_name="",
            phone_number=None,
            phone_number_index=None,
            date_of_birth=None,
            date_of_birth_encrypted=None,
            profile_image_url=None,
            last_login_at=None,
            status=UserStatus.ERASED,
            telegram_user_id=None,
            telegram_chat_id=None,
            telegram_username=None,
            timezone="UTC",
        )
    )


async def anonymise_athletes(tx: Transaction, athlete_ids: Collection[uuid.UUID]) -> None:
    """Body, health, goals and emergency contact removed from these athlete profiles."""
    await tx.session.execute(
        update(Athlete)
        .where(Athlete.id.in_(athlete_ids))
        .values(
            current_level=None,
            secondary_sports=None,
            height_cm=None,
            weight_kg=None,
            goals=None,
            medical_conditions=None,
            emergency_contact_name=None,
            emergency_contact_phone=None,
            position=None,
            dominant_hand=None,
        )
    )


async def anonymise_coach(tx: Transaction, user_id: uuid.UUID) -> list[str]:
    """The person's coach profile stripped; the storage keys of its certificates."""
    coach = (await tx.session.scalars(select(Coach).where(Coach.user_id == user_id))).first()
    if coach is None:
        return []
    documents = (coach.verification_documents or {}).get("documents", [])
    keys = [str(document["key"]) for document in documents if document.get("key")]
    await tx.session.execute(
        update(Coach)
        .where(Coach.id == coach.id)
        .values(
            bio=None,
            certification_ids=None,
            verification_documents=None,
            verification_note=None,
            availability=None,
            specializations=None,
        )
    )
    return keys


async def delete_metrics(
    tx: Transaction, user_ids: Collection[uuid.UUID], athlete_ids: Collection[uuid.UUID]
) -> None:
    """The athletes' values deleted; values the person logged for others lose their name."""
    await tx.session.execute(
        delete(PerformanceMetric).where(PerformanceMetric.athlete_id.in_(athlete_ids))
    )
    await tx.session.execute(
        update(PerformanceMetric)
        .where(PerformanceMetric.recorded_by.in_(user_ids))
        .values(recorded_by=None)
    )


async def delete_videos(tx: Transaction, athlete_ids: Collection[uuid.UUID]) -> list[str]:
    """The athletes' videos deleted; the storage keys of their files and renditions."""
    rows = await tx.session.execute(
        delete(VideoAnalysis)
        .where(VideoAnalysis.athlete_id.in_(athlete_ids))
        .returning(
            VideoAnalysis.video_url,
            VideoAnalysis.thumbnail_url,
            VideoAnalysis.processed_url,
            VideoAnalysis.feedback_media,
        )
    )
    keys: list[str] = []
    for raw, thumbnail, processed, media in rows:
        keys += [key for key in (raw, thumbnail, processed) if key]
        keys += [str(item["key"]) for item in media or [] if item.get("key")]
    return keys


async def anonymise_sessions(
    tx: Transaction, user_ids: Collection[uuid.UUID], athlete_ids: Collection[uuid.UUID]
) -> None:
    """Sessions and ratings kept (accounting, coaches' ratings) without words or names."""
    await tx.session.execute(
        update(TrainingSession)
        .where(TrainingSession.athlete_id.in_(athlete_ids))
        .values(notes=None, coach_notes=None)
    )
    await tx.session.execute(
        update(SessionRating)
        .where(or_(SessionRating.athlete_id.in_(athlete_ids), SessionRating.rated_by.in_(user_ids)))
        .values(feedback=None, rated_by=None)
    )
    enrolments = select(ProgramEnrolment.id).where(ProgramEnrolment.athlete_id.in_(athlete_ids))
    await tx.session.execute(
        update(ProgramWorkoutLog)
        .where(ProgramWorkoutLog.enrolment_id.in_(enrolments))
        .values(note=None, logged_by=None)
    )


async def delete_links(
    tx: Transaction, user_ids: Collection[uuid.UUID], athlete_ids: Collection[uuid.UUID]
) -> None:
    """Family and mentor links, mentor requests, invitations and every notice of theirs."""
    await tx.session.execute(
        delete(AthleteLink).where(
            or_(AthleteLink.user_id.in_(user_ids), AthleteLink.athlete_id.in_(athlete_ids))
        )
    )
    await tx.session.execute(
        delete(MentorRequest).where(
            or_(
                MentorRequest.mentor_user_id.in_(user_ids),
                MentorRequest.guardian_user_id.in_(user_ids),
                MentorRequest.athlete_id.in_(athlete_ids),
            )
        )
    )
    await tx.session.execute(
        delete(Invitation).where(
            or_(Invitation.created_by.in_(user_ids), Invitation.athlete_id.in_(athlete_ids))
        )
    )
    await tx.session.execute(
        update(Invitation).where(Invitation.used_by.in_(user_ids)).values(used_by=None)
    )
    await tx.session.execute(delete(Notification).where(Notification.recipient_id.in_(user_ids)))


async def anonymise_audit(tx: Transaction, subject_ids: Collection[uuid.UUID]) -> None:
    """Audit entries by or about them keep who-did-what's shape, not its details; the one
    UPDATE the append-only trigger lets through (migration 0012)."""
    await tx.session.execute(text("SET LOCAL sportscenter.audit_maintenance = 'anonymise'"))
    await tx.session.execute(
        update(AuditEntry).where(_audit_about(subject_ids)).values(details=ERASED_DETAILS)
    )
    await tx.session.execute(text("SET LOCAL sportscenter.audit_maintenance = ''"))


async def payer_method_cleared(tx: Transaction, user_ids: Sequence[uuid.UUID]) -> None:
    """Payments kept for accounting; the saved method's reference is no longer needed."""
    await tx.session.execute(
        update(Payment).where(Payment.payer_id.in_(user_ids)).values(payment_method_id=None)
    )
