"""The unit of work: one transaction per user action, rolled back unless committed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.errors import from_integrity_error
from domain.repositories import (
    AthleteRepository,
    AuditLog,
    CoachRepository,
    MetricRepository,
    NutritionPlanRepository,
    Outbox,
    PaymentRepository,
    ProgramRepository,
    SessionRepository,
    UserRepository,
    VideoRepository,
)


class UnitOfWork:
    """`async with uow:` opens a transaction; leaving without `commit()` rolls it back."""

    users: UserRepository
    athletes: AthleteRepository
    coaches: CoachRepository
    sessions: SessionRepository
    metrics: MetricRepository
    videos: VideoRepository
    programs: ProgramRepository
    nutrition: NutritionPlanRepository
    payments: PaymentRepository
    audit: AuditLog
    outbox: Outbox

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        """The open session; only valid inside `async with`."""
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside `async with`")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        if self._session is not None:
            raise RuntimeError("UnitOfWork is already open; use one per concurrent action")
        session = self._session = self._session_factory()
        self.users = UserRepository(session)
        self.athletes = AthleteRepository(session)
        self.coaches = CoachRepository(session)
        self.sessions = SessionRepository(session)
        self.metrics = MetricRepository(session)
        self.videos = VideoRepository(session)
        self.programs = ProgramRepository(session)
        self.nutrition = NutritionPlanRepository(session)
        self.payments = PaymentRepository(session)
        self.audit = AuditLog(session)
        self.outbox = Outbox(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        # close() rolls back whatever was not committed but, unlike rollback(), leaves loaded
        # objects readable, so callers can render what the action returned.
        await session.close()
        # A violation raised by a repository's own statement leaves the block as a DBAPIError;
        # callers should only ever see the domain error it stands for.
        if isinstance(exc, DBAPIError) and (domain_error := from_integrity_error(exc)):
            raise domain_error from exc

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
