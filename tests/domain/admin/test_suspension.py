"""A suspension: the person's future sessions cancelled on the coach's terms, refunds, notices;
and nothing more allowed until it is lifted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from domain.actors import actor_for_user
from domain.admin import people as admin_people
from domain.errors import NotAllowed
from domain.models import Admin, Notification, SessionParticipant, TrainingSession, User
from domain.payments.records import refund_for_cancellation
from domain.people.phone_numbers import phone_index
from domain.policy import Action, Actor, AthleteTarget, may
from domain.secrets_box import SecretBox
from domain.short_ids import short_id
from domain.uow import UnitOfWork
from tests.domain.payments.test_payments import NOW, THURSDAY_4PM, pay, priced_session
from tests.factories import booking_world


class NoSlotCache:
    """The slot cache's invalidation, remembered instead of done (no Redis in this test)."""

    def __init__(self) -> None:
        self.forgotten: list[object] = []

    async def forget_session(self, *args: object) -> None:
        self.forgotten.append(args)


async def an_admin(uow: UnitOfWork) -> Actor:
    async with uow as tx:
        user = tx.users.add(User(role="admin", first_name="Ada", telegram_user_id=770_001))
        await tx.flush()
        tx.admins.add(Admin(user_id=user.id))
        await tx.flush()
        actor = await actor_for_user(tx, user)
        await tx.commit()
    return actor


async def actor_of(uow: UnitOfWork, user: User) -> Actor:
    async with uow as tx:
        return await actor_for_user(tx, await tx.users.get(user.id))


async def test_a_suspended_coach_s_paid_session_is_cancelled_and_the_stars_come_back(uow) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world)
    await pay(uow, world, session, in_stars=True)
    past = await priced_session(uow, world, start=datetime(2026, 12, 1, 15, tzinfo=UTC))
    admin, slots = await an_admin(uow), NoSlotCache()
    changed = await admin_people.suspend(
        uow, admin=admin, user_id=world.coach_user.id, reason="Fake certificates",
        now=NOW, slots=slots, refund=refund_for_cancellation,
    )  # fmt: skip
    assert changed.sessions_cancelled == 1 and changed.card.status == "suspended"
    assert len(slots.forgotten) == 1
    async with uow as tx:
        cancelled = await tx.sessions.get(session.id)
        untouched = await tx.sessions.get(past.id)
        kinds = {(n.kind, n.recipient_id) for n in await tx.session.scalars(select(Notification))}
    assert (cancelled.status, cancelled.cancel_reason, cancelled.payment_status) == (
        "cancelled", "suspended", "refunded",
    )  # fmt: skip
    assert untouched.status == "scheduled"  # the past is not rewritten
    assert ("star_refund", world.parent.id) in kinds
    assert ("session_cancelled", world.parent.id) in kinds
    assert ("account_suspended", world.coach_user.id) in kinds
    assert ("session_cancelled", world.coach_user.id) not in kinds  # told of the suspension
    coach = await actor_of(uow, world.coach_user)
    assert not may(coach, Action.VIEW_PROFILE, AthleteTarget(world.child.id))


async def test_a_suspended_parent_leaves_a_group_and_cannot_book_until_unsuspended(uow) -> None:
    world = await booking_world(uow)
    async with uow as tx:
        group = tx.sessions.add(
            TrainingSession(coach_id=world.coach.id, session_type="group", capacity=4,
                            start_time=THURSDAY_4PM, end_time=THURSDAY_4PM + timedelta(hours=1),
                            participant_count=0, status="scheduled")
        )  # fmt: skip
        await tx.flush()
        for child, parent in ((world.child, world.parent), (world.other_child, world.other_parent)):
            tx.session.add(
                SessionParticipant(session_id=group.id, athlete_id=child.id, booked_by=parent.id)
            )
        group.participant_count = 2
        await tx.commit()
    admin = await an_admin(uow)
    await admin_people.suspend(
        uow, admin=admin, user_id=world.parent.id, reason="Abusive messages",
        now=NOW, slots=NoSlotCache(), refund=refund_for_cancellation,
    )  # fmt: skip
    async with uow as tx:
        kept = await tx.session.get(TrainingSession, group.id, populate_existing=True)
    assert (kept.status, kept.participant_count) == ("scheduled", 1)
    pia = await actor_of(uow, world.parent)
    assert not may(pia, Action.BOOK_FOR_ATHLETE, AthleteTarget(world.child.id))
    with pytest.raises(admin_people.AlreadyInStatus):
        await admin_people.suspend(
            uow, admin=admin, user_id=world.parent.id, reason="Twice",
            now=NOW, slots=NoSlotCache(), refund=refund_for_cancellation,
        )  # fmt: skip
    await admin_people.unsuspend(uow, admin=admin, user_id=world.parent.id, now=NOW)
    pia = await actor_of(uow, world.parent)
    assert may(pia, Action.BOOK_FOR_ATHLETE, AthleteTarget(world.child.id))


async def test_only_admins_suspend_and_never_an_admin(uow) -> None:
    world = await booking_world(uow)
    admin = await an_admin(uow)
    with pytest.raises(NotAllowed):
        await admin_people.suspend(
            uow, admin=await actor_of(uow, world.parent), user_id=world.other_parent.id,
            reason="Because", now=NOW, slots=NoSlotCache(), refund=refund_for_cancellation,
        )  # fmt: skip
    with pytest.raises(admin_people.CannotSuspend):
        await admin_people.suspend(
            uow, admin=admin, user_id=admin.user_id, reason="Myself",
            now=NOW, slots=NoSlotCache(), refund=refund_for_cancellation,
        )  # fmt: skip


async def test_find_reads_a_phone_number_through_its_encryption(uow) -> None:
    box = SecretBox([b"p" * 32])
    world = await booking_world(uow)
    async with uow as tx:
        parent = await tx.users.get(world.parent.id)
        parent.phone_number = box.encrypt("+34600123456")
        parent.phone_number_index = phone_index("+34600123456", box)
        await tx.commit()
    admin = await an_admin(uow)
    found = await admin_people.find(uow, admin=admin, query="600123456", box=box)
    assert found.card is not None and found.card.user_id == world.parent.id
    by_short_id = await admin_people.find(
        uow, admin=admin, query=short_id(world.coach_user.id), box=box
    )
    assert by_short_id.card is not None and by_short_id.card.name.startswith("Cora")
    nobody = await admin_people.find(uow, admin=admin, query="9" * 40, box=box)
    assert nobody.card is None and nobody.matches == []
