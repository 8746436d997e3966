"""The privacy capability's SQL: what is held about a person (read as plain rows for the
export), the erasure requests and their claim, and the statements that anonymise or delete
a person's rows when they are erased."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, delete, or_, select, text, update
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
    NutritionCheckin,
    NutritionPlan,
    NutritionWater,
    Payment,
    PerformanceMetric,
    ProgramEnrolment,
    ProgramWorkoutLog,
    SessionAttendance,
    SessionParticipant,
    SessionRating,
    SessionRsvp,
    SessionSeries,
    Team,
    TeamCoach,
    TeamCoachRole,
    TeamMember,
    TeamMessage,
    TeamMessageSeen,
    TrainingSession,
    User,
    UserStatus,
    VideoAnalysis,
    VideoConsent,
    WaitlistEntry,
)
from domain.uow import Transaction

Row = dict[str, Any]
ERASED_NAME = "Erased"
ERASED_DETAILS = {"erased": True}


BATCH = 1000


async def user_rows(tx: Transaction, user_ids: Collection[uuid.UUID]) -> list[Row]:
    """The users rows, as stored (sensitive fields still encrypted)."""
    query = select(User.__table__).where(User.id.in_(user_ids)).order_by(User.created_at)
    return [dict(row._mapping) for row in await tx.session.execute(query)]


def export_statements(
    user_id: uuid.UUID,
    users: Collection[uuid.UUID],
    athletes: Collection[uuid.UUID],
    subjects: Collection[uuid.UUID],
) -> dict[str, Select[Any]]:
    """What /mydata holds, part by part: the person's (and their children's) rows as stored."""
    in_group = select(SessionParticipant.session_id).where(
        SessionParticipant.athlete_id.in_(athletes)
    )
    coached = select(Coach.id).where(Coach.user_id == user_id)
    enrolments = select(ProgramEnrolment.id).where(ProgramEnrolment.athlete_id.in_(athletes))
    plans = select(NutritionPlan.id).where(NutritionPlan.athlete_id.in_(athletes))
    user_columns = [c for c in User.__table__.c if c.key != "password_hash"]
    return {
        "profile": select(*user_columns).where(User.id.in_(users)).order_by(User.created_at),
        "athletes": _of(Athlete, Athlete.id.in_(athletes), Athlete.id),
        "coach_profile": _of(Coach, Coach.user_id == user_id, Coach.id),
        "sessions": _of(
            TrainingSession,
            or_(
                TrainingSession.athlete_id.in_(athletes),
                TrainingSession.id.in_(in_group),
                TrainingSession.booked_by == user_id,
                TrainingSession.coach_id.in_(coached),
            ),
            TrainingSession.start_time,
        ),
        "payments": _of(
            Payment,
            or_(Payment.payer_id == user_id, Payment.recipient_id == user_id),
            Payment.created_at,
        ),
        "metrics": _of(
            PerformanceMetric,
            PerformanceMetric.athlete_id.in_(athletes),
            PerformanceMetric.recorded_at,
        ),
        "videos": _of(
            VideoAnalysis,
            or_(VideoAnalysis.athlete_id.in_(athletes), VideoAnalysis.uploaded_by == user_id),
            VideoAnalysis.created_at,
        ),
        "feedback": _of(
            SessionRating,
            or_(SessionRating.athlete_id.in_(athletes), SessionRating.rated_by == user_id),
            SessionRating.rated_at,
        ),
        "program_workouts": _of(
            ProgramWorkoutLog,
            ProgramWorkoutLog.enrolment_id.in_(enrolments),
            ProgramWorkoutLog.logged_at,
        ),
        # Who consented to (or revoked) each child's videos, and when.
        "video_consents": _of(
            VideoConsent, VideoConsent.athlete_id.in_(athletes), VideoConsent.given_at
        ),
        # Issue 19: weekly series with the athlete (or made by the person), the family's
        # answers before each occurrence, and the coach's attendance marks.
        "series": _of(
            SessionSeries,
            or_(SessionSeries.athlete_id.in_(athletes), SessionSeries.created_by == user_id),
            SessionSeries.season_start,
        ),
        "rsvps": _of(
            SessionRsvp,
            or_(SessionRsvp.athlete_id.in_(athletes), SessionRsvp.answered_by == user_id),
            SessionRsvp.answered_at,
        ),
        "attendance": _of(
            SessionAttendance,
            or_(SessionAttendance.athlete_id.in_(athletes), SessionAttendance.marked_by == user_id),
            SessionAttendance.marked_at,
        ),
        # Issue 19: places in the waitlists of full group sessions, and their offers.
        "waitlists": _of(
            WaitlistEntry,
            or_(WaitlistEntry.athlete_id.in_(athletes), WaitlistEntry.joined_by == user_id),
            WaitlistEntry.joined_at,
        ),
        # Issue 19: the teams their athletes are (or were) on, the team messages the person
        # wrote as a coach, and the ones they pressed Seen on.
        "team_memberships": select(*TeamMember.__table__.c, Team.name.label("team_name"))
        .join(Team, Team.id == TeamMember.team_id)
        .where(TeamMember.athlete_id.in_(athletes))
        .order_by(TeamMember.joined_at),
        "team_messages": _of(TeamMessage, TeamMessage.sent_by == user_id, TeamMessage.created_at),
        "team_messages_seen": _of(
            TeamMessageSeen, TeamMessageSeen.user_id == user_id, TeamMessageSeen.seen_at
        ),
        # Issue 17: their nutrition plans (and the templates and plans they wrote), each meal's
        # answer with its photo's key (the photos go in the ZIP), the water of each day.
        "nutrition_plans": _of(
            NutritionPlan,
            or_(NutritionPlan.athlete_id.in_(athletes), NutritionPlan.created_by == user_id),
            NutritionPlan.created_at,
        ),
        "nutrition_checkins": _of(
            NutritionCheckin, NutritionCheckin.plan_id.in_(plans), NutritionCheckin.day
        ),
        "nutrition_water": _of(
            NutritionWater, NutritionWater.plan_id.in_(plans), NutritionWater.day
        ),
        "audit": _of(AuditEntry, _audit_about(subjects), AuditEntry.at),
    }


def _of(model: Any, where: Any, order: Any) -> Select[Any]:
    return select(model.__table__).where(where).order_by(order)


def columns_of(statement: Select[Any]) -> list[str]:
    """The names of the columns a statement selects, in order (a CSV file's header)."""
    return [column.key for column in statement.selected_columns]


async def stream(tx: Transaction, statement: Select[Any]) -> AsyncIterator[list[Row]]:
    """The statement's rows a batch at a time, through a server-side cursor."""
    result = await tx.session.stream(statement.execution_options(yield_per=BATCH))
    async for batch in result.partitions(BATCH):
        yield [dict(row._mapping) for row in batch]


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


async def delete_club_records(
    tx: Transaction, user_ids: Collection[uuid.UUID], athlete_ids: Collection[uuid.UUID]
) -> None:
    """The athletes' RSVPs, attendance, places in waitlists and private-lesson series (named
    after them) deleted; answers and marks the people gave for others keep no name of theirs."""
    await tx.session.execute(delete(SessionRsvp).where(SessionRsvp.athlete_id.in_(athlete_ids)))
    await tx.session.execute(delete(WaitlistEntry).where(WaitlistEntry.athlete_id.in_(athlete_ids)))
    await tx.session.execute(
        update(WaitlistEntry).where(WaitlistEntry.joined_by.in_(user_ids)).values(joined_by=None)
    )
    await tx.session.execute(
        delete(SessionAttendance).where(SessionAttendance.athlete_id.in_(athlete_ids))
    )
    # Their occurrences stay (cancelled, or kept without names for accounting), unlinked.
    await tx.session.execute(delete(SessionSeries).where(SessionSeries.athlete_id.in_(athlete_ids)))
    await tx.session.execute(
        update(SessionRsvp).where(SessionRsvp.answered_by.in_(user_ids)).values(answered_by=None)
    )
    await tx.session.execute(
        update(SessionAttendance)
        .where(SessionAttendance.marked_by.in_(user_ids))
        .values(marked_by=None)
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
            VideoAnalysis.analysis_results,
        )
    )
    keys: list[str] = []
    for raw, thumbnail, processed, media, analysis in rows:
        keys += [key for key in (raw, thumbnail, processed) if key]
        keys += [str(item["key"]) for item in media or [] if item.get("key")]
        keys += _chart_keys(analysis or {})
    return keys


def _chart_keys(analysis: dict) -> list[str]:
    # Motion charts: one per language (`chart_keys`), or one in rows analysed before that.
    charts = analysis.get("chart_keys") or {}
    single = analysis.get("chart_key")
    return [str(key) for key in (*charts.values(), single) if key]


async def delete_nutrition(
    tx: Transaction, user_ids: Collection[uuid.UUID], athlete_ids: Collection[uuid.UUID]
) -> list[str]:
    """The athletes' nutrition plans (their check-ins and water with them) and the person's
    templates deleted; plans they wrote for others keep going without their name; the storage
    keys of the meal photos."""
    plans = select(NutritionPlan.id).where(NutritionPlan.athlete_id.in_(athlete_ids))
    photos = await tx.session.scalars(
        select(NutritionCheckin.photo_key).where(
            NutritionCheckin.plan_id.in_(plans), NutritionCheckin.photo_key.is_not(None)
        )
    )
    keys = [str(key) for key in photos]
    await tx.session.execute(
        delete(NutritionPlan).where(
            or_(
                NutritionPlan.athlete_id.in_(athlete_ids),
                and_(NutritionPlan.is_template, NutritionPlan.created_by.in_(user_ids)),
            )
        )
    )
    await tx.session.execute(
        update(NutritionPlan).where(NutritionPlan.created_by.in_(user_ids)).values(created_by=None)
    )
    await tx.session.execute(
        update(NutritionCheckin)
        .where(NutritionCheckin.logged_by.in_(user_ids))
        .values(logged_by=None)
    )
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


async def delete_team_rows(
    tx: Transaction, user_ids: Collection[uuid.UUID], athlete_ids: Collection[uuid.UUID]
) -> None:
    """Their athletes' team memberships, their Seen presses, the team messages they wrote
    and their place among a team's assistant coaches; who joined or created something keeps
    the row without them. A team they head stays, for its families and other coaches."""
    await tx.session.execute(delete(TeamMember).where(TeamMember.athlete_id.in_(athlete_ids)))
    await tx.session.execute(
        update(TeamMember).where(TeamMember.joined_by.in_(user_ids)).values(joined_by=None)
    )
    await tx.session.execute(delete(TeamMessageSeen).where(TeamMessageSeen.user_id.in_(user_ids)))
    await tx.session.execute(delete(TeamMessage).where(TeamMessage.sent_by.in_(user_ids)))
    await tx.session.execute(
        update(Team).where(Team.created_by.in_(user_ids)).values(created_by=None)
    )
    coached = select(Coach.id).where(Coach.user_id.in_(user_ids))
    await tx.session.execute(
        delete(TeamCoach).where(
            TeamCoach.coach_id.in_(coached), TeamCoach.role == TeamCoachRole.ASSISTANT
        )
    )


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
