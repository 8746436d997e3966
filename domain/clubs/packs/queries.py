"""Every SQL statement of packs and fees: offers, packs bought and drawn, fees, dues and the
fee requests and reminders queued in one statement each."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select, text, update
from sqlalchemy.orm import aliased

from domain.models import (
    Athlete,
    Coach,
    Notification,
    NotificationKind,
    PackDraw,
    PackOffer,
    Payment,
    SessionPack,
    Team,
    TeamCoach,
    TeamFee,
    TeamFeeDue,
    TeamMember,
    TrainingSession,
    User,
)
from domain.uow import Transaction

FEE_NOTICES = (NotificationKind.TEAM_FEE_REQUEST, NotificationKind.TEAM_FEE_REMINDER)


async def offers_of_coach(tx: Transaction, coach_id: uuid.UUID) -> Sequence[PackOffer]:
    """A coach's packs on sale, oldest first."""
    rows = await tx.session.scalars(
        select(PackOffer)
        .where(PackOffer.coach_id == coach_id, PackOffer.archived_at.is_(None))
        .order_by(PackOffer.created_at, PackOffer.id)
    )
    return rows.all()


async def offer_with_coach(
    tx: Transaction, offer_id: uuid.UUID, *, on_sale: bool = True
) -> Row[tuple[PackOffer, Coach, User]] | None:
    """A pack (on sale, unless `on_sale` is False) with its coach and the coach's user."""
    query = (
        select(PackOffer, Coach, User)
        .join(Coach, Coach.id == PackOffer.coach_id)
        .join(User, User.id == Coach.user_id)
        .where(PackOffer.id == offer_id)
    )
    if on_sale:
        query = query.where(PackOffer.archived_at.is_(None))
    return (await tx.session.execute(query)).first()


async def offers_for_athletes(
    tx: Transaction, athlete_ids: Sequence[uuid.UUID]
) -> Sequence[Row[tuple[PackOffer, str, str]]]:
    """(offer, coach's first and last name) of every coach who trained one of these athletes
    (a session, not cancelled, any time) or coaches a team they are on."""
    trained = select(TrainingSession.coach_id).where(
        TrainingSession.athlete_id.in_(athlete_ids), TrainingSession.status != "cancelled"
    )
    on_team = (
        select(TeamCoach.coach_id)
        .join(TeamMember, TeamMember.team_id == TeamCoach.team_id)
        .where(TeamMember.athlete_id.in_(athlete_ids), TeamMember.left_at.is_(None))
    )
    rows = await tx.session.execute(
        select(PackOffer, User.first_name, User.last_name)
        .join(Coach, Coach.id == PackOffer.coach_id)
        .join(User, User.id == Coach.user_id)
        .where(
            PackOffer.archived_at.is_(None),
            PackOffer.coach_id.in_(trained.union(on_team)),
        )
        .order_by(User.first_name, PackOffer.created_at, PackOffer.id)
    )
    return rows.all()


async def take_session(
    tx: Transaction, pack_id: uuid.UUID, athlete_id: uuid.UUID, coach_id: uuid.UUID, now: datetime
) -> int | None:
    """Take one session of a live pack with balance; the sessions left, or None if it cannot.

    The row lock makes concurrent draws take turns; a second draw re-reads the balance the
    first left, so two bookings can never both take the last session.
    """
    return await tx.session.scalar(
        update(SessionPack)
        .where(
            SessionPack.id == pack_id,
            SessionPack.athlete_id == athlete_id,
            SessionPack.coach_id == coach_id,
            SessionPack.sessions_left > 0,
            SessionPack.expires_at > now,
        )
        .values(sessions_left=SessionPack.sessions_left - 1)
        .returning(SessionPack.sessions_left)
    )


async def pack(tx: Transaction, pack_id: uuid.UUID) -> SessionPack | None:
    """A pack bought, by id."""
    return await tx.session.get(SessionPack, pack_id)


async def live_draw(tx: Transaction, session_id: uuid.UUID) -> PackDraw | None:
    """The pack session a lesson was paid with, unless already given back; locked."""
    return await tx.session.scalar(
        select(PackDraw)
        .where(PackDraw.session_id == session_id, PackDraw.returned_at.is_(None))
        .with_for_update()
    )


async def give_session_back(tx: Transaction, pack_id: uuid.UUID) -> None:
    """One session back into a pack (never past its total: the CHECK holds it)."""
    await tx.session.execute(
        update(SessionPack)
        .where(SessionPack.id == pack_id)
        .values(sessions_left=SessionPack.sessions_left + 1)
    )


async def packs_of(
    tx: Transaction, athlete_ids: Sequence[uuid.UUID], coach_id: uuid.UUID | None = None
) -> Sequence[Row[tuple[SessionPack, str, str, str]]]:
    """(pack, athlete's first name, coach's first and last name), newest first."""
    athlete_user, coach_user = aliased(User), aliased(User)
    query = (
        select(SessionPack, athlete_user.first_name, coach_user.first_name, coach_user.last_name)
        .join(Athlete, Athlete.id == SessionPack.athlete_id)
        .join(athlete_user, athlete_user.id == Athlete.user_id)
        .join(Coach, Coach.id == SessionPack.coach_id)
        .join(coach_user, coach_user.id == Coach.user_id)
        .where(SessionPack.athlete_id.in_(athlete_ids))
        .order_by(SessionPack.bought_at.desc(), SessionPack.id)
    )
    if coach_id is not None:
        query = query.where(SessionPack.coach_id == coach_id)
    return (await tx.session.execute(query)).all()


async def payment_by_charge(tx: Transaction, charge_id: str) -> Payment | None:
    """The payment of one Telegram charge, if recorded."""
    return await tx.session.scalar(select(Payment).where(Payment.transaction_id == charge_id))


async def pack_of_payment(tx: Transaction, payment_id: uuid.UUID) -> SessionPack | None:
    """The pack a payment bought."""
    return await tx.session.scalar(select(SessionPack).where(SessionPack.payment_id == payment_id))


async def due_of_payment(tx: Transaction, payment_id: uuid.UUID) -> TeamFeeDue | None:
    """The fee due a payment settled."""
    return await tx.session.scalar(select(TeamFeeDue).where(TeamFeeDue.payment_id == payment_id))


async def live_fee(tx: Transaction, team_id: uuid.UUID) -> TeamFee | None:
    """A team's fee now."""
    return await tx.session.scalar(
        select(TeamFee).where(TeamFee.team_id == team_id, TeamFee.archived_at.is_(None))
    )


async def archive_fee(tx: Transaction, team_id: uuid.UUID, now: datetime) -> None:
    """End a team's live fee (dues already asked stay owed)."""
    await tx.session.execute(
        update(TeamFee)
        .where(TeamFee.team_id == team_id, TeamFee.archived_at.is_(None))
        .values(archived_at=now)
    )


async def due_with_fee(
    tx: Transaction, due_id: uuid.UUID, *, lock: bool = False
) -> Row[tuple[TeamFeeDue, TeamFee, Team]] | None:
    """A fee due with its fee and team (the due locked, if asked)."""
    query = (
        select(TeamFeeDue, TeamFee, Team)
        .join(TeamFee, TeamFee.id == TeamFeeDue.fee_id)
        .join(Team, Team.id == TeamFee.team_id)
        .where(TeamFeeDue.id == due_id)
    )
    if lock:
        query = query.with_for_update(of=TeamFeeDue)
    return (await tx.session.execute(query)).first()


async def dues_of_team(tx: Transaction, fee_id: uuid.UUID) -> Sequence[Row[tuple[TeamFeeDue, str]]]:
    """Each due of a fee with the athlete's first name, latest period first, then by name."""
    rows = await tx.session.execute(
        select(TeamFeeDue, User.first_name)
        .join(Athlete, Athlete.id == TeamFeeDue.athlete_id)
        .join(User, User.id == Athlete.user_id)
        .where(TeamFeeDue.fee_id == fee_id)
        .order_by(TeamFeeDue.period_start.desc(), User.first_name, TeamFeeDue.id)
    )
    return rows.all()


async def dues_of_athletes(
    tx: Transaction, athlete_ids: Sequence[uuid.UUID]
) -> Sequence[Row[tuple[TeamFeeDue, str, str, str]]]:
    """(due, team name, fee period, athlete's first name) of these athletes, latest first."""
    rows = await tx.session.execute(
        select(TeamFeeDue, Team.name, TeamFee.period, User.first_name)
        .join(TeamFee, TeamFee.id == TeamFeeDue.fee_id)
        .join(Team, Team.id == TeamFee.team_id)
        .join(Athlete, Athlete.id == TeamFeeDue.athlete_id)
        .join(User, User.id == Athlete.user_id)
        .where(TeamFeeDue.athlete_id.in_(athlete_ids))
        .order_by(TeamFeeDue.period_start.desc(), Team.name, TeamFeeDue.id)
    )
    return rows.all()


async def team_names(tx: Transaction, coach_id: uuid.UUID) -> Sequence[Row[tuple[uuid.UUID, str]]]:
    """(id, name) of the live teams a coach coaches."""
    rows = await tx.session.execute(
        select(Team.id, Team.name)
        .join(TeamCoach, TeamCoach.team_id == Team.id)
        .where(TeamCoach.coach_id == coach_id, Team.archived_at.is_(None))
        .order_by(Team.name, Team.id)
    )
    return rows.all()


# Each live fee's due for the period `now` falls in, per athlete on the team now: the season
# (once, from the day the fee is set) or the calendar month, within the team's season. Due a
# week after it is asked.
_OPEN_DUES = text(
    """
WITH today AS (SELECT CAST(timezone('UTC', CAST(:now AS timestamptz)) AS date) AS d)
INSERT INTO team_fee_dues (id, fee_id, athlete_id, period_start, due_on, amount, currency)
SELECT gen_random_uuid(), f.id, m.athlete_id,
       CASE WHEN f.period = 'season' THEN t.season_start
            ELSE CAST(date_trunc('month', today.d) AS date) END,
       today.d + CAST(:due_days AS integer), f.price, f.currency
FROM team_fees f
JOIN teams t ON t.id = f.team_id AND t.archived_at IS NULL
JOIN team_members m ON m.team_id = f.team_id AND m.left_at IS NULL
CROSS JOIN today
WHERE f.archived_at IS NULL
  AND today.d <= t.season_end
  AND (f.period = 'season' OR today.d >= t.season_start)
ON CONFLICT (fee_id, athlete_id, period_start) DO NOTHING
"""
)

# One request per unpaid due and family member on Telegram; then, from the due date, one
# reminder each week it stays unpaid, named by its date: a run repeated the same day (or by
# another replica) queues nothing new. Only while the athlete is on the team and the fee live.
_QUEUE_FEE_NOTICES = """
WITH today AS (SELECT CAST(timezone('UTC', CAST(:now AS timestamptz)) AS date) AS d),
open AS (
    SELECT d.id, d.athlete_id, d.amount, d.currency, d.due_on, d.period_start, f.period,
           t.name AS team, u.first_name,
           d.due_on + 7 * ((today.d - d.due_on) / 7) AS reminder_on
    FROM team_fee_dues d
    JOIN team_fees f ON f.id = d.fee_id AND f.archived_at IS NULL
    JOIN teams t ON t.id = f.team_id AND t.archived_at IS NULL
    JOIN team_members m ON m.team_id = f.team_id AND m.athlete_id = d.athlete_id
                        AND m.left_at IS NULL
    JOIN athletes a ON a.id = d.athlete_id
    JOIN users u ON u.id = a.user_id
    CROSS JOIN today
    WHERE d.payment_id IS NULL AND {when}
), families AS (
    SELECT o.*, a.user_id AS recipient FROM open o JOIN athletes a ON a.id = o.athlete_id
    UNION
    SELECT o.*, a.parent_id FROM open o JOIN athletes a ON a.id = o.athlete_id
    WHERE a.parent_id IS NOT NULL
    UNION
    SELECT o.*, l.user_id FROM open o
    JOIN athlete_links l ON l.athlete_id = o.athlete_id AND l.relation = 'guardian'
)
INSERT INTO notifications (id, recipient_id, kind, payload, due_at, dedup_key)
SELECT gen_random_uuid(), f.recipient, CAST(:kind AS text),
       jsonb_build_object(
           'due_id', f.id::text, 'athlete', f.first_name, 'team', f.team,
           'period', f.period, 'period_date', to_char(f.period_start, 'YYYY-MM-DD'),
           'due_date', to_char(f.due_on, 'YYYY-MM-DD'),
           'amount', jsonb_build_object('amount', f.amount::text, 'currency', f.currency),
           'buttons', jsonb_build_array(jsonb_build_array(jsonb_build_object(
               'label', 'fees.button.pay', 'button', 'fee.pay', 'due_id', f.id::text)))),
       CAST(:now AS timestamptz),
       concat_ws(':', CAST(:kind AS text), f.id, f.recipient, {tag})
FROM families f JOIN users u ON u.id = f.recipient
WHERE u.telegram_user_id IS NOT NULL
ON CONFLICT (dedup_key) DO NOTHING
"""
_QUEUE_REQUESTS = text(_QUEUE_FEE_NOTICES.format(when="true", tag="NULL"))
_QUEUE_REMINDERS = text(
    _QUEUE_FEE_NOTICES.format(when="today.d >= d.due_on", tag="to_char(f.reminder_on, 'YYYYMMDD')")
)


async def drop_fee_notices(tx: Transaction, due_id: uuid.UUID) -> None:
    """Drop a paid due's requests and reminders not sent yet."""
    await tx.session.execute(
        delete(Notification).where(
            Notification.sent_at.is_(None),
            Notification.kind.in_(FEE_NOTICES),
            Notification.payload["due_id"].astext == str(due_id),
        )
    )


async def head_coach_user(tx: Transaction, team_id: uuid.UUID) -> uuid.UUID | None:
    """The user of a team's head coach."""
    return await tx.session.scalar(
        select(Coach.user_id).join(Team, Team.coach_id == Coach.id).where(Team.id == team_id)
    )


async def open_dues(tx: Transaction, *, now: datetime, due_days: int) -> int:
    """Open the dues of the period `now` falls in; how many were new."""
    result: Any = await tx.session.execute(_OPEN_DUES, {"now": now, "due_days": due_days})
    return result.rowcount or 0


async def queue_fee_notices(tx: Transaction, *, now: datetime, kind: str, reminders: bool) -> int:
    """Queue the fee requests (or this week's reminders) not queued yet; how many."""
    statement = _QUEUE_REMINDERS if reminders else _QUEUE_REQUESTS
    result: Any = await tx.session.execute(statement, {"now": now, "kind": kind})
    return result.rowcount or 0
