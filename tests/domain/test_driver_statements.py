"""Hot statements on the asyncpg connection behind a transaction: same errors, same transaction,
and a connection lost under one leaves the pool."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import bindparam, func, insert, literal, select, text, update

from domain.adapters.db import create_engine, create_session_factory
from domain.booking.queries.book import _SESSION_COLUMNS
from domain.booking.queries.sessions import booking_parties
from domain.driver import DriverStatement
from domain.errors import NotFound, SlotTaken
from domain.models import Coach, TrainingSession
from domain.uow import UnitOfWork
from tests.factories import T0, coach_and_athlete

_INSERT = DriverStatement(
    insert(TrainingSession.__table__)
    .values(
        {
            name: bindparam(name, type_=TrainingSession.__table__.c[name].type)
            for name in _SESSION_COLUMNS
        }
    )
    .returning(TrainingSession.id)
)

_ONE = DriverStatement(select(literal(1).label("one")))


def _row(coach: Coach, athlete_id: uuid.UUID, minutes_later: int = 0) -> dict[str, object]:
    start = T0 + timedelta(minutes=minutes_later)
    return {
        "id": uuid.uuid4(),
        "coach_id": coach.id,
        "athlete_id": athlete_id,
        "session_type": "individual",
        "status": "scheduled",
        "start_time": start,
        "end_time": start + timedelta(hours=1),
        "location": None,
        "price": None,
        "payment_status": "not_required",
        "booked_by": None,
        "capacity": 1,
        "participant_count": 1,
        "sequence": 0,
        "payment_due_at": None,
        "created_at": T0,
        "updated_at": T0,
    }


async def _sessions(uow: UnitOfWork) -> int:
    async with uow as tx:
        return await tx.session.scalar(select(func.count()).select_from(TrainingSession))


async def test_an_overlap_on_the_driver_is_slot_taken_as_through_sqlalchemy(
    uow: UnitOfWork,
) -> None:
    coach, athlete = await coach_and_athlete(uow)
    async with uow as tx:
        await _INSERT.rows(tx, _row(coach, athlete.id))
        with pytest.raises(SlotTaken):
            await _INSERT.rows(tx, _row(coach, athlete.id, minutes_later=30))


async def test_a_missing_athlete_on_the_driver_is_not_found(uow: UnitOfWork) -> None:
    coach, _ = await coach_and_athlete(uow)
    async with uow as tx:
        with pytest.raises(NotFound):
            await _INSERT.rows(tx, _row(coach, uuid.uuid4()))


async def test_a_write_after_the_transaction_began_is_rolled_back_with_it(uow: UnitOfWork) -> None:
    coach, athlete = await coach_and_athlete(uow)
    async with uow as tx:
        await tx.session.execute(text("SELECT 1"))  # begins the transaction on the server
        await _INSERT.rows(tx, _row(coach, athlete.id))
        # left without commit
    assert await _sessions(uow) == 0


async def test_a_write_after_a_commit_of_the_same_transaction_is_kept(uow: UnitOfWork) -> None:
    coach, athlete = await coach_and_athlete(uow)
    async with uow as tx:
        await tx.session.execute(text("SELECT 1"))
        [row] = await _INSERT.rows(tx, _row(coach, athlete.id))
        await tx.commit()
    assert isinstance(row.id, uuid.UUID)
    assert await _sessions(uow) == 1


async def test_the_booking_parties_come_with_sqlalchemys_types(uow: UnitOfWork) -> None:
    coach, athlete = await coach_and_athlete(uow)
    async with uow as tx:
        rate = update(Coach).where(Coach.id == coach.id).values(hourly_rate=Decimal("40.50"))
        await tx.session.execute(rate)
        await tx.commit()
    async with uow as tx:
        parties = await booking_parties(tx, coach.id, athlete.id)
        nobody = await booking_parties(tx, uuid.uuid4(), athlete.id)
    assert parties.user_id == coach.user_id
    assert parties.hourly_rate == Decimal("40.50")
    assert isinstance(parties.hourly_rate, Decimal)
    assert parties.currency == "EUR"
    assert parties.athlete_name == "Ari"
    assert parties.first_name == "Cora"
    assert nobody is None


async def test_after_a_commit_the_driver_follows_the_sessions_next_transaction(
    uow: UnitOfWork,
) -> None:
    coach, athlete = await coach_and_athlete(uow)
    async with uow as tx:
        await tx.session.execute(text("SELECT 1"))
        await _INSERT.rows(tx, _row(coach, athlete.id))
        await tx.commit()
        async with uow as other:
            # Another action takes the connection the commit gave back (no BEGIN sent yet),
            # so the next transaction runs on another one.
            await other.connection()
            await tx.session.execute(text("SELECT 1"))
            await _INSERT.rows(tx, _row(coach, athlete.id, minutes_later=120))
        # left without commit
    assert await _sessions(uow) == 1


async def test_a_connection_lost_under_a_driver_statement_leaves_the_pool(
    uow: UnitOfWork,
) -> None:
    coach, athlete = await coach_and_athlete(uow)
    async with uow as tx:
        pid = (await tx.driver_connection()).get_server_pid()
        async with uow as killer:
            await killer.session.execute(text(f"SELECT pg_terminate_backend({pid})"))
        with pytest.raises(Exception):  # noqa: B017 - whatever asyncpg makes of the lost socket
            await _INSERT.rows(tx, _row(coach, athlete.id))
        assert (await tx.connection()).invalidated
    async with uow as tx:
        await _INSERT.rows(tx, _row(coach, athlete.id))
        await tx.commit()
    assert await _sessions(uow) == 1


async def test_a_connection_lost_under_a_pooled_read_leaves_the_pool(
    database_url: str, uow: UnitOfWork
) -> None:
    # One pooled connection: the read after the loss runs on a new one, or on the dead one.
    engine = create_engine(database_url, pool_size=1)
    alone = UnitOfWork(create_session_factory(engine))
    try:
        async with alone.pooled_connection() as connection:
            pid = (await connection.get_raw_connection()).driver_connection.get_server_pid()
        async with uow as killer:
            await killer.session.execute(text(f"SELECT pg_terminate_backend({pid})"))
        with pytest.raises(Exception):  # noqa: B017 - whatever asyncpg makes of the lost socket
            await _ONE.read(alone, {})
        assert await _ONE.read(alone, {}) == [(1,)]
    finally:
        await engine.dispose()
