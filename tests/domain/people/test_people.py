from sqlalchemy import select

from domain.models import User, UserStatus
from domain.people.reachability import mark_unreachable
from domain.uow import UnitOfWork


async def _add_user(uow: UnitOfWork, telegram_user_id: int) -> None:
    async with uow as tx:
        tx.users.add(User(role="athlete", first_name="Ann", telegram_user_id=telegram_user_id))
        await tx.commit()


async def _status(uow: UnitOfWork, telegram_user_id: int) -> str | None:
    async with uow as tx:
        query = select(User.status).where(User.telegram_user_id == telegram_user_id)
        return (await tx.session.execute(query)).scalar_one()


async def test_a_user_who_blocked_the_bot_is_marked_blocked(uow: UnitOfWork) -> None:
    await _add_user(uow, 501)
    await _add_user(uow, 502)

    assert await mark_unreachable(uow, telegram_user_id=501) is True

    assert await _status(uow, 501) == UserStatus.BLOCKED
    assert await _status(uow, 502) == "active"


async def test_marking_an_unknown_telegram_account_changes_nothing(uow: UnitOfWork) -> None:
    assert await mark_unreachable(uow, telegram_user_id=999_999) is False
