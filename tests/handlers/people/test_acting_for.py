""" "Act for" a child through the emulator: /log and /book then use the child without asking."""

from __future__ import annotations

import uuid

from sqlalchemy import update

from domain.models import Athlete, User
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from tests.handlers.people.test_family import parent_row


async def child_of(uow: UnitOfWork, parent_id: uuid.UUID, name: str) -> uuid.UUID:
    async with uow as tx:
        user = tx.users.add(User(role="athlete", first_name=name))
        await tx.flush()
        athlete = tx.athletes.add(
            Athlete(user_id=user.id, parent_id=parent_id, primary_sport="athletics")
        )
        await tx.commit()
    return athlete.id


async def test_acting_for_a_child_applies_to_log_and_book_until_changed(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pat = emulator.user("Pat")
    parent_id = await parent_row(uow, pat)
    await child_of(uow, parent_id, "Mia")
    await child_of(uow, parent_id, "Leo")
    async with run_bot(emulator) as app:
        await pat.send("/log 40m sprint 5.12s")
        await pat.expect_reply(contains="Whose result is it?")
        await pat.send("/children")
        await pat.expect_reply(contains="Your children")
        await pat.press("Act for Mia")
        await pat.expect_reply(contains="acting for Mia")

        await pat.send("/children")
        listing = await pat.expect_reply(contains="Your children")
        await pat.send("/log 40m sprint 5.12s")
        logged = await pat.expect_reply(contains="logged for Mia")
        await pat.send("/book")
        booking = await pat.expect_reply(contains="teach Mia?")
        await pat.press("👥 Someone else", booking)
        asked = await pat.expect("edit", contains="Who is the session for?")
        await pat.send("/cancel")
        await pat.expect_reply()

        await pat.send("/children")
        await pat.expect_reply(contains="Your children")
        await pat.press("Stop acting for Mia")
        await pat.expect_reply(contains="no longer acting")
        await pat.send("/log 40m sprint 5.11s")
        await pat.expect_reply(contains="Whose result is it?")
    assert "You're acting for Mia" in listing["text"]
    assert "/children" in logged["text"]
    assert {"Mia", "Leo"} <= {
        b["text"] for row in asked["reply_markup"]["inline_keyboard"] for b in row
    }
    assert app.user_data[pat.id].get("acting_for") is None


async def test_a_stale_or_forged_choice_is_ignored(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pat = emulator.user("Pat")
    parent_id = await parent_row(uow, pat)
    mia = await child_of(uow, parent_id, "Mia")
    await child_of(uow, parent_id, "Leo")
    other_family = await child_of(uow, await parent_row(uow, emulator.user("Omar"), "Omar"), "Zoe")
    async with run_bot(emulator) as app:
        await pat.send("/children")
        await pat.expect_reply(contains="Your children")
        await pat.press("Act for Mia")
        await pat.expect_reply(contains="acting for Mia")
        app.user_data[pat.id]["acting_for"] = str(other_family)  # as if user_data were forged
        await pat.send("/log 40m sprint 5.12s")
        await pat.expect_reply(contains="Whose result is it?")
        await pat.send("/cancel")
        await pat.expect_reply()

        app.user_data[pat.id]["acting_for"] = str(mia)
        async with uow as tx:  # Mia is moved to another guardian: the choice is stale
            await tx.session.execute(
                update(Athlete).where(Athlete.id == mia).values(parent_id=None)
            )
            await tx.commit()
        await pat.send("/log 40m sprint 5.12s")
        only_leo = await pat.expect_reply(contains="logged for Leo")
    assert "Mia" not in only_leo["text"]


async def test_an_old_stop_button_leaves_another_child_acted_for(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pat = emulator.user("Pat")
    parent_id = await parent_row(uow, pat)
    await child_of(uow, parent_id, "Mia")
    leo = await child_of(uow, parent_id, "Leo")
    async with run_bot(emulator) as app:
        await pat.send("/children")
        await pat.expect_reply(contains="Your children")
        await pat.press("Act for Mia")
        await pat.expect_reply(contains="acting for Mia")
        await pat.send("/children")
        acting_for_mia = await pat.expect_reply(contains="You're acting for Mia")
        await pat.press("Act for Leo", acting_for_mia)
        await pat.expect_reply(contains="acting for Leo")
        await pat.press("Stop acting for Mia", acting_for_mia)  # the older listing's button
        await pat.expect("callback_answer", contains="not acting for Mia")
    assert app.user_data[pat.id].get("acting_for") == str(leo)
