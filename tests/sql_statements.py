"""Counting the SQL statements a piece of code sends, to prove what a cache or a batch saves."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@contextmanager
def sql_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The statements sent through `engine` inside the block, in order (transaction control,
    which the driver sends on its own, not counted)."""
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
