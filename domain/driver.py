"""A hot statement run on asyncpg itself, behind the transaction's SQLAlchemy connection.

SQLAlchemy's Python cost per statement is three to four times the driver's; a booking is two
statements and every update reads its acting user. `DriverStatement` compiles an existing
SQLAlchemy statement once with the asyncpg dialect, keeps its parameters' order and its types'
conversions both ways, and runs it on the same connection: violations become the same domain
errors as `Transaction.commit`'s, and a connection lost under it leaves the pool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from asyncpg import Connection, PostgresError
from sqlalchemy import Insert, Numeric, Select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.errors import from_violation
from domain.uow import Transaction, UnitOfWork

_DIALECT = asyncpg_dialect()
Convert = Callable[[Any], Any] | None


class DriverStatement:
    """A SQLAlchemy statement compiled once; `rows` runs it with named parameters."""

    def __init__(self, statement: Select[Any] | Insert) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        self.sql = str(compiled)
        binds = compiled.binds
        # Positional, in the order of $1, $2...; a literal's value is fixed at compile time.
        self._params: list[tuple[str, Any, Convert]] = [
            (name, binds[name].value, _bind_conversion(binds[name].type))
            for name in compiled.positiontup or ()
        ]
        columns = list(statement.exported_columns)  # the selected or RETURNING columns
        self._row = NamedTuple("Row", [(column.key, Any) for column in columns])  # type: ignore[misc]
        self._results = [_result_conversion(column.type) for column in columns]

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        """The positional arguments for these named parameters, converted as SQLAlchemy would."""
        values = []
        for name, fixed, convert in self._params:
            value = params.get(name, fixed)
            values.append(convert(value) if convert is not None and value is not None else value)
        return values

    async def rows(self, tx: Transaction, params: Mapping[str, Any]) -> Sequence[Any]:
        """Its rows (named tuples), run on the transaction's own asyncpg connection."""
        driver = await tx.driver_connection()
        return await self._fetch(driver, params, tx)

    async def read(self, uow: UnitOfWork, params: Mapping[str, Any]) -> Sequence[Any]:
        """Its rows, read alone on a pooled connection: no transaction is begun (one
        statement reads a consistent snapshot on its own), so none is rolled back."""
        async with uow.pooled_connection() as connection:
            raw = await connection.get_raw_connection()
            return await self._fetch(raw.driver_connection, params, connection)

    async def _fetch(
        self,
        driver: Connection,
        params: Mapping[str, Any],
        owner: Transaction | AsyncConnection,
    ) -> Sequence[Any]:
        try:
            records = await driver.fetch(self.sql, *self.arguments(params))
        except PostgresError as err:
            await _leave_pool_if_lost(owner, driver)
            violation = from_violation(err.sqlstate, getattr(err, "constraint_name", None))
            if violation is None:
                raise
            raise violation from err
        except BaseException:
            await _leave_pool_if_lost(owner, driver)
            raise
        return [self._converted(record) for record in records]

    def _converted(self, record: Sequence[Any]) -> Any:
        values = zip(self._results, record, strict=True)
        return self._row(*(v if r is None or v is None else r(v) for r, v in values))


class KeyedRead:
    """One row (or none) per key, from a statement selecting `WHERE <key> = ANY(:<keys>)`:
    lookups made while another is on its way share the next statement.

    Every update reads its acting user before anything else, and under load dozens of updates
    do at the same moment; each read's pooled connection, round trip and driver call cost more
    CPU than the rows. The first lookup goes at once (an idle bot waits for no one); those made
    while it is on its way go together in one statement, sent by the first of them to get the
    turn. Each statement still reads one consistent snapshot, as a lookup alone did.
    """

    def __init__(self, statement: Select[Any], *, key: str, keys: str) -> None:
        self._statement = DriverStatement(statement)
        self._key, self._keys = key, keys
        self._queues: WeakKeyDictionary[UnitOfWork, _Queue] = WeakKeyDictionary()

    async def one(self, uow: UnitOfWork, key: Hashable) -> Any | None:
        """The row of `key`, or None."""
        queue = self._queues.get(uow)
        if queue is None:
            queue = self._queues[uow] = _Queue()
        future = queue.waiting.get(key)
        if future is None:
            future = queue.waiting[key] = asyncio.get_running_loop().create_future()
        async with queue.turn:
            if not future.done():  # not read by the turn before ours: we read what waits
                await self._read(uow, queue)
        return future.result()

    async def _read(self, uow: UnitOfWork, queue: _Queue) -> None:
        batch, queue.waiting = queue.waiting, {}
        try:
            rows = await self._statement.read(uow, {self._keys: list(batch)})
        except asyncio.CancelledError:
            # Our update was cancelled, not theirs: the next turn reads them.
            queue.waiting = {**batch, **queue.waiting}
            raise
        except Exception as err:
            for future in batch.values():
                future.set_exception(err)
            return
        found = {getattr(row, self._key): row for row in rows}
        for key, future in batch.items():
            future.set_result(found.get(key))


class _Queue:
    """The lookups of one KeyedRead on one UnitOfWork waiting to be read, and whose turn it is."""

    def __init__(self) -> None:
        self.waiting: dict[Hashable, asyncio.Future[Any]] = {}
        self.turn = asyncio.Lock()


async def _leave_pool_if_lost(owner: Transaction | AsyncConnection, driver: Connection) -> None:
    # SQLAlchemy never saw this statement fail: a connection lost under it (a database
    # restart) must leave the pool, or the next action given it would fail again.
    if driver.is_closed():
        connection = await owner.connection() if isinstance(owner, Transaction) else owner
        await connection.invalidate()


def _bind_conversion(type_: Any) -> Convert:
    return type_.dialect_impl(_DIALECT).bind_processor(_DIALECT)


def _result_conversion(type_: Any) -> Convert:
    if isinstance(type_, Numeric):
        # SQLAlchemy picks a numeric's conversion by the column's type oid, known only once a
        # statement ran; asyncpg already gives numeric as Decimal and float8 as float.
        return None if type_.asdecimal else float
    return type_.dialect_impl(_DIALECT).result_processor(_DIALECT, None)
