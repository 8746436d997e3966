import asyncio

from sqlalchemy import event, text

from domain.adapters.db import create_engine


async def test_a_second_burst_of_concurrent_transactions_opens_no_new_connection(
    database_url: str,
) -> None:
    # Twenty bookings at once, then twenty more: a pool that closed what it opened for the
    # first burst would connect (a backend fork and the driver's set-up) per action.
    engine = create_engine(database_url)
    opened: list[object] = []
    event.listen(engine.sync_engine, "connect", lambda *_: opened.append(1))

    async def one_transaction() -> None:
        async with engine.begin() as connection:
            await connection.execute(text("SELECT pg_sleep(0.05)"))

    try:
        await asyncio.gather(*(one_transaction() for _ in range(20)))
        first_burst = len(opened)
        await asyncio.gather(*(one_transaction() for _ in range(20)))
    finally:
        await engine.dispose()

    assert first_burst == 20
    assert len(opened) == first_burst
