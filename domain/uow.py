"""The unit of work: one transaction per user action, rolled back unless committed.

Two types, so that a signature says which contract it takes:
- `UnitOfWork` is what a service is given: the way to open transactions, one per application.
  Each `async with uow as tx:` opens a new transaction, so one `UnitOfWork` is safely shared
  by concurrent updates and may open one transaction after another.
- `Transaction` is an open transaction: the session and the repositories over it. A helper
  that works inside someone else's transaction takes `tx: Transaction` and never opens one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlalchemy.orm import SessionTransaction

from domain.errors import from_integrity_error
from domain.repositories import (
    ActorRows,
    AdminRepository,
    AthleteRepository,
    AuditLog,
    CoachRepository,
    MetricRepository,
    Outbox,
    PaymentRepository,
    SessionRepository,
    UserRepository,
)
from domain.repositories.locks import hold_lock, try_hold_lock

if TYPE_CHECKING:
    import asyncpg

R = TypeVar("R")


class _Repository(Generic[R]):
    """A transaction's repository, built on first use: most transactions touch one or two."""

    def __init__(self, build: Callable[[AsyncSession], R]) -> None:
        self._build = build

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, tx: Transaction, owner: type | None = None) -> R:
        repository = tx.__dict__[self._name] = self._build(tx.session)
        return repository  # kept on the instance, so this runs once per transaction


class Transaction:
    """An open transaction: its session and repositories; rolled back unless `commit()`ed."""

    actors = _Repository(ActorRows)
    users = _Repository(UserRepository)
    admins = _Repository(AdminRepository)
    athletes = _Repository(AthleteRepository)
    coaches = _Repository(CoachRepository)
    sessions = _Repository(SessionRepository)
    metrics = _Repository(MetricRepository)
    payments = _Repository(PaymentRepository)
    audit = _Repository(AuditLog)
    outbox = _Repository(Outbox)

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._driver: tuple[SessionTransaction, asyncpg.Connection] | None = None

    async def connection(self) -> AsyncConnection:
        """The transaction's connection, for Core statements on hot paths: no ORM in between."""
        return await self.session.connection()

    async def driver_connection(self) -> asyncpg.Connection:
        """The asyncpg connection behind the transaction's, for the hottest statements."""
        current = self.session.sync_session.get_transaction()
        # Looked up once per session transaction (the lookup costs as much as a statement);
        # after a commit or rollback the session holds a new one, maybe on another connection.
        if self._driver is None or current is None or self._driver[0] is not current:
            raw = await (await self.session.connection()).get_raw_connection()
            current = self.session.sync_session.get_transaction()
            assert current is not None  # connection() has just begun one
            self._driver = (current, raw.driver_connection)
        return self._driver[1]

    async def hold_lock(self, name: str) -> None:
        """Wait for, then hold, the named lock until this transaction commits or rolls back."""
        await hold_lock(self.session, name)

    async def try_hold_lock(self, name: str) -> bool:
        """Hold the named lock until this transaction ends, unless another holds it (then False)."""
        return await try_hold_lock(self.session, name)

    async def flush(self) -> None:
        """Write staged changes now, so violations surface as domain errors here."""
        await self._mapped(self.session.flush)

    async def commit(self) -> None:
        """Make the action's changes permanent."""
        await self._mapped(self.session.commit)

    async def _mapped(self, step: Callable[[], Awaitable[None]]) -> None:
        try:
            await step()
        except DBAPIError as err:
            domain_error = from_integrity_error(err)
            if domain_error is None:
                raise
            await self.session.rollback()
            raise domain_error from err


# The transactions open in the current task, innermost last, each with the UnitOfWork that
# opened it. `__aexit__` gets no handle on what `__aenter__` returned, so this is how it finds
# its own transaction; a context variable keeps concurrent tasks' transactions apart (a task
# starts with a copy of its parent's context, and the tuple is never mutated in place).
_open: ContextVar[tuple[tuple[UnitOfWork, Transaction], ...]] = ContextVar(
    "open_transactions", default=()
)


class UnitOfWork:
    """Opens transactions: each `async with uow as tx:` is one, rolled back unless committed."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    @asynccontextmanager
    async def pooled_connection(self) -> AsyncIterator[AsyncConnection]:
        """A pooled connection outside any transaction, for one statement that reads alone.

        No session, no transaction object: the acting user's read, once per update, pays for
        the pool's checkout and nothing more (a session costs as much as the statement).
        """
        async with self._session_factory.kw["bind"].connect() as connection:
            yield connection

    async def __aenter__(self) -> Transaction:
        tx = Transaction(self._session_factory())
        _open.set((*_open.get(), (self, tx)))
        return tx

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        tx = self._leave()
        # close() rolls back whatever was not committed but, unlike rollback(), leaves loaded
        # objects readable, so callers can render what the action returned.
        await tx.session.close()
        # A violation raised by a repository's own statement leaves the block as a DBAPIError;
        # callers should only ever see the domain error it stands for.
        if isinstance(exc, DBAPIError) and (domain_error := from_integrity_error(exc)):
            raise domain_error from exc

    def _leave(self) -> Transaction:
        entries = _open.get()
        for i in range(len(entries) - 1, -1, -1):
            if entries[i][0] is self:
                _open.set(entries[:i] + entries[i + 1 :])
                return entries[i][1]
        raise RuntimeError("a UnitOfWork block was left in another task than it was entered")
