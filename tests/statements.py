"""Counting the SQL statements an update costs: the engine's own events, and the statements
run on asyncpg itself (domain.driver), which the engine never sees."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

from asyncpg import Connection
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update

from bot.app import BotApplication

# PTB's name for the task processing one update when updates run concurrently (ours do).
UPDATE_TASK = "process_concurrent_update"


@dataclass(frozen=True)
class Statement:
    """One statement sent to Postgres, and the asyncio task that sent it."""

    task: str
    sql: str


@contextmanager
def statements_sent(engine: AsyncEngine) -> Iterator[list[Statement]]:
    """Every statement the engine sends inside the block, in order."""
    sent: list[Statement] = []

    def record(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        task = asyncio.current_task()
        sent.append(Statement(task.get_name() if task else "", sql))

    fetch = Connection.fetch

    async def fetch_and_record(self: Connection, query: str, *args: Any, **kwargs: Any) -> Any:
        # SQLAlchemy runs its statements as prepared ones, never through Connection.fetch.
        record(None, None, query)
        return await fetch(self, query, *args, **kwargs)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    Connection.fetch = fetch_and_record  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        Connection.fetch = fetch  # type: ignore[method-assign]
        event.remove(engine.sync_engine, "before_cursor_execute", record)


def of_updates(sent: list[Statement]) -> list[str]:
    """The statements sent while processing updates, leaving out the jobs' (the outbox's...)."""
    return [statement.sql for statement in sent if UPDATE_TASK in statement.task]


@asynccontextmanager
async def one_update(application: BotApplication) -> AsyncIterator[None]:
    """Wait, on leaving the block, until the next update is processed to its end."""
    done = asyncio.Event()
    process = application.process_update

    async def process_and_tell(update: object) -> None:
        await process(update)
        if isinstance(update, Update):
            done.set()

    application.process_update = process_and_tell  # type: ignore[method-assign]
    try:
        yield
        await asyncio.wait_for(done.wait(), timeout=10)
    finally:
        del application.process_update
