"""Parents and children through the emulator: add, list, act for, invite, forged presses."""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, text, update
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from bot.app import BotApplication, BotContext
from domain.actors import load_actor
from domain.models import Athlete, AthleteLink, AuditEntry, Invitation, User
from domain.people import queries as people_queries
from domain.policy import Action, AthleteTarget, may
from domain.secrets_box import SecretBox
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from tests.factories import tiny_png
from tests.handlers.chat_steps import forged_data
from tests.handlers.onboarding_flow import press_forged

BOX = SecretBox([b"s" * 32])  # the key of the `services` fixture
LINK = re.compile(r"https://t\.me/(\w+)\?start=inv-([\w-]+)")


async def parent_row(uow: UnitOfWork, person: EmulatedUser, name: str = "Pat") -> uuid.UUID:
    """The parent's own users row, as onboarding would have left it."""
    async with uow as tx:
        user = tx.users.add(
            User(
                role="parent",
                first_name=name,
                telegram_user_id=person.id,
                telegram_chat_id=person.id,
                onboarded_at=datetime.now(UTC),
            )
        )
        await tx.commit()
    return user.id


async def add_child(parent: EmulatedUser, name: str, born: str, sport: str) -> None:
    await parent.send("/addchild")
    await parent.expect_reply(contains="name")
    await parent.send(name)
    await parent.expect_reply(contains="born")
    await parent.send(born)
    await parent.expect_reply(contains="sport")
    await parent.press(sport)
    await parent.expect_reply(contains="health")
    await parent.press("Skip")
    await parent.expect_reply(contains="Done!")


async def invite_link(parent: EmulatedUser, label: str) -> str:
    """Press an invite button on the children list and return the token of the link sent."""
    await parent.press(label)
    reply = await parent.expect_reply(contains="t.me/")
    return LINK.search(reply["text"]).group(2)


async def children_of(uow: UnitOfWork, parent_id: uuid.UUID) -> dict[str, uuid.UUID]:
    async with uow as tx:
        rows = await tx.session.execute(
            select(User.first_name, Athlete.id)
            .join(Athlete, Athlete.user_id == User.id)
            .where(Athlete.parent_id == parent_id)
        )
        return {name: athlete_id for name, athlete_id in rows}


async def audited(uow: UnitOfWork, action: str) -> list[AuditEntry]:
    async with uow as tx:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.at)
        return list(await tx.session.scalars(query))


async def test_a_parent_adds_two_children_acts_for_one_and_invites_child_and_guardian(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pat, mia, dan = emulator.user("Pat"), emulator.user("Mia"), emulator.user("Dan")
    parent_id = await parent_row(uow, pat)
    async with run_bot(emulator) as app:
        await pat.send("/addchild")
        await pat.expect_reply(contains="name")
        await pat.send("Mia Lopez")
        await pat.expect_reply(contains="When was Mia born?")
        await pat.send("last spring")
        await pat.expect_reply(contains="couldn't read that date")
        await pat.send("01.05.2014")
        await pat.expect_reply(contains="1 May 2014 — right?")
        await pat.press("Yes")
        await pat.expect_reply(contains="Which sport does Mia play?")
        await pat.send("Judo")
        await pat.expect_reply(contains="health")
        await pat.send("Asthma, carries an inhaler")
        await pat.expect_reply(contains="Mia is now part of your family")
        await pat.press("Add another child")
        await pat.expect_reply(contains="name")
        await pat.send("Leo")
        await pat.expect_reply(contains="born")
        await pat.send("2016-03-02")
        await pat.expect_reply(contains="sport")
        await pat.press("Football")
        await pat.expect_reply(contains="health")
        await pat.press("Skip")
        await pat.expect_reply(contains="Leo is now part of your family")
        ids = await children_of(uow, parent_id)

        await pat.send("/children")
        listing = await pat.expect_reply(contains="Your children")
        assert "Mia (Judo)" in listing["text"] and "Leo (football)" in listing["text"]
        await pat.press("Act for Mia")
        await pat.expect_reply(contains="acting for Mia")
        assert app.user_data[pat.id]["acting_for"] == str(ids["Mia"])

        token = await invite_link(pat, "Invite Mia")
        assert LINK.search(pat.messages()[-1]["text"]).group(1) == emulator.bot.username
        await mia.send(f"/start inv-{token}")
        await mia.expect_reply(contains="Welcome, Mia")
        await pat.expect_reply(contains="Mia now uses SportsCenter from their own Telegram")

        token = await invite_link(pat, "Add a guardian for Mia")
        await dan.send(f"/start inv-{token}")
        await dan.expect_reply(contains="guardian of Mia")
        await pat.expect_reply(contains="Dan opened your invitation")
        await dan.send("/children")
        seen_by_dan = await dan.expect_reply(contains="Your children")
    assert "Mia" in seen_by_dan["text"] and "Leo" not in seen_by_dan["text"]
    async with uow as tx:
        kid = await tx.users.by_telegram_id(mia.id)
        dan_user = await tx.users.by_telegram_id(dan.id)
        link = (await tx.session.scalars(select(AthleteLink))).one()
        kids_profile = await people_queries.athlete_of_user(tx, kid.id)
    assert kids_profile.id == ids["Mia"]
    assert kid.first_name == "Mia" and kid.role == "athlete"
    assert (link.athlete_id, link.user_id, dan_user.role) == (ids["Mia"], dan_user.id, "parent")
    assert [e.action for e in await audited(uow, "invitation.accepted")] == [
        "invitation.accepted"
    ] * 2


async def test_date_of_birth_and_medical_notes_are_not_plaintext_in_the_database(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pat = emulator.user("Pat")
    await parent_row(uow, pat)
    async with run_bot(emulator):
        await pat.send("/addchild")
        await pat.expect_reply(contains="name")
        await pat.send("Mia")
        await pat.expect_reply(contains="born")
        await pat.send("01/05/2014")
        await pat.expect_reply(contains="right?")
        await pat.press("Yes")
        await pat.expect_reply(contains="sport")
        await pat.press("Tennis")
        await pat.expect_reply(contains="health")
        await pat.send("peanut allergy")
        await pat.expect_reply(contains="Done!")
    async with uow as tx:
        users = [str(r) for r in (await tx.session.execute(text("SELECT * FROM users"))).all()]
        athletes = [str(r) for r in (await tx.session.execute(text("SELECT * FROM athletes")))]
    dump = " ".join(users + athletes)
    assert "peanut" not in dump
    assert "2014-05-01" not in dump and "2014, 5, 1" not in dump


async def test_a_parent_opens_a_childs_profile_from_the_children_list(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pat = emulator.user("Pat")
    await parent_row(uow, pat)
    async with run_bot(emulator):
        await add_child(pat, "Mia", "2014-05-01", "Tennis")
        await add_child(pat, "Leo", "2016-02-03", "Football")
        await pat.send("/children")
        listing = await pat.expect_reply(contains="Your children")
        await pat.press("👤 Leo's profile", listing)
        profile = await pat.expect("message", contains="👤 Leo · Athlete")
    assert "Date of birth: 2016-02-03" in profile["text"]
    # Mia's button is on Mia's row, beside acting for her.
    rows = [[b["text"] for b in row] for row in listing["reply_markup"]["inline_keyboard"]]
    assert ["Act for Mia", "👤 Mia's profile"] in rows


async def test_used_expired_and_forged_invitations_are_refused_and_audited(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pat, dan, eve, zed = (emulator.user(n) for n in ("Pat", "Dan", "Eve", "Zed"))
    await parent_row(uow, pat)
    async with run_bot(emulator):
        await add_child(pat, "Mia", "2014-05-01", "Tennis")
        await pat.send("/children")
        await pat.expect_reply(contains="Your children")
        used = await invite_link(pat, "Add a guardian for Mia")
        expired = await invite_link(pat, "Add a guardian for Mia")
        async with uow as tx:
            await tx.session.execute(
                update(Invitation)
                .where(Invitation.token_hash == _sha(expired))
                .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
            )
            await tx.commit()
        await dan.send(f"/start inv-{used}")
        await dan.expect_reply(contains="guardian of Mia")
        await eve.send(f"/start inv-{used}")
        await eve.expect_reply(contains="already been used")
        await eve.send(f"/start inv-{expired}")
        await eve.expect_reply(contains="has expired")
        await zed.send("/start inv-" + "A" * 32)
        await zed.expect_reply(contains="isn't valid")
    refused = await audited(uow, "invitation.refused")
    assert [e.details["reason"] for e in refused] == ["used", "expired", "unknown"]
    assert all(used not in str(e.details) and expired not in str(e.details) for e in refused)
    async with uow as tx:
        links = await tx.session.scalar(select(func.count()).select_from(AthleteLink))
    assert links == 1


async def test_two_people_opening_one_link_at_once_only_one_gets_it(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pat, dan, eve = emulator.user("Pat"), emulator.user("Dan"), emulator.user("Eve")
    await parent_row(uow, pat)
    async with run_bot(emulator):
        await add_child(pat, "Mia", "2014-05-01", "Tennis")
        await pat.send("/children")
        await pat.expect_reply(contains="Your children")
        token = await invite_link(pat, "Add a guardian for Mia")
        await asyncio.gather(dan.send(f"/start inv-{token}"), eve.send(f"/start inv-{token}"))
        replies = [(await u.expect_reply())["text"] for u in (dan, eve)]
    assert sum("guardian of Mia" in r for r in replies) == 1
    assert sum("already been used" in r for r in replies) == 1
    async with uow as tx:
        assert await tx.session.scalar(select(func.count()).select_from(AthleteLink)) == 1


def _forge(app: BotApplication) -> None:
    """Test only: show the presser a button carrying whatever callback data /forge names."""

    async def forge(update: Update, context: BotContext) -> None:
        button = InlineKeyboardButton("Forged", callback_data=context.args[0])
        await update.effective_message.reply_text(
            "forged", reply_markup=InlineKeyboardMarkup([[button]])
        )

    app.add_handler(CommandHandler("forge", forge))


async def test_forged_family_buttons_are_refused_audited_and_change_nothing(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pat, other = emulator.user("Pat"), emulator.user("Olga")
    await parent_row(uow, pat)
    other_id = await parent_row(uow, other, "Olga")
    async with run_bot(emulator, _forge) as app:
        await add_child(other, "Zoe", "2013-02-03", "Swimming")
        zoe = (await children_of(uow, other_id))["Zoe"]
        forged = [
            forged_data("fam", "act", zoe),
            forged_data("fam", "inv", zoe),
            forged_data("fam", "stop", zoe),
            forged_data("fam", "grd", zoe),
            forged_data("fam", "act", uuid.uuid4()),
            "fam:act:not-an-id",
            "fam:drop:all",
            "fam:act:" + "A" * 56,  # 64 bytes, Telegram's maximum
        ]
        for data in forged:
            await pat.send(f"/forge {data}")
            await pat.expect_reply(contains="forged")
            await pat.press("Forged")
            await pat.expect("callback_answer", contains="isn't available")
        assert "acting_for" not in app.user_data.get(pat.id, {})
    refused = await audited(uow, "callback.refused")
    assert [e.details["data"] for e in refused] == forged
    async with uow as tx:
        assert await tx.session.scalar(select(func.count()).select_from(Invitation)) == 0


async def test_someone_who_is_not_a_parent_is_refused_politely(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ana, newcomer = emulator.user("Ana", language_code="es"), emulator.user("Neo")
    async with uow as tx:
        tx.users.add(User(role="athlete", first_name="Ana", telegram_user_id=ana.id))
        await tx.commit()
    async with run_bot(emulator):
        await ana.send("/addchild")
        await ana.expect_reply(contains="Solo los padres")
        await newcomer.send("/addchild")
        await newcomer.expect_reply(contains="Only parents")
        await newcomer.send("Mia")
        await newcomer.expect_reply(contains="/help")  # no flow was started
    async with uow as tx:
        assert await tx.session.scalar(select(func.count()).select_from(Athlete)) == 0


async def test_a_photo_mid_flow_gets_a_hint_back_works_and_old_buttons_expire(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pat = emulator.user("Pat", language_code="es")
    await parent_row(uow, pat)
    async with run_bot(emulator):
        await pat.send("/addchild")
        await pat.expect_reply(contains="¿Cómo se llama")
        await pat.send("Mía")
        await pat.expect_reply(contains="¿Cuándo nació Mía?")
        await pat.send_photo(tiny_png())
        await pat.expect_reply(contains="mensaje de texto")
        await pat.press("« Atrás")
        await pat.expect_reply(contains="¿Cómo se llama")
        await pat.send("Mía")
        await pat.expect_reply(contains="¿Cuándo nació Mía?")
        await pat.press("Cancelar")
        await pat.expect_reply(contains="Cancelado")
        await pat.press("Cancelar")  # on an older question of the finished flow
        await pat.expect("callback_answer", contains="caducado")


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def test_a_mentor_invited_for_a_child_follows_them_but_cannot_book(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pat, mo = emulator.user("Pat"), emulator.user("Mo")
    await parent_row(uow, pat)
    async with run_bot(emulator):
        await add_child(pat, "Mia", "2014-05-01", "Football")
        await pat.send("/children")
        await pat.expect_reply(contains="Your children")
        token = await invite_link(pat, "Invite a mentor for Mia")
        await mo.send(f"/start inv-{token}")
        await mo.expect_reply(contains="mentor of Mia")
        await pat.expect_reply(contains="Mo opened your invitation and is now a mentor of Mia")
    async with uow as tx:
        mentor = await tx.users.by_telegram_id(mo.id)
    actor = await load_actor(uow, telegram_user_id=mo.id)
    (mia_id,) = actor.mentored_athlete_ids
    assert mentor.role == "mentor"
    assert may(actor, Action.VIEW_METRICS, AthleteTarget(mia_id))
    assert not may(actor, Action.BOOK_FOR_ATHLETE, AthleteTarget(mia_id))
    assert not may(actor, Action.VIEW_SENSITIVE, AthleteTarget(mia_id))


async def test_a_childs_ambiguous_birth_date_is_echoed_back_to_confirm(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pat = emulator.user("Pat")
    parent_id = await parent_row(uow, pat)
    async with run_bot(emulator):
        await pat.send("/addchild")
        await pat.expect_reply(contains="name")
        await pat.send("Mia")
        await pat.expect_reply(contains="born")
        await pat.send("03/04/2014")
        await pat.expect_reply(contains="3 April 2014 — right?")
        await pat.press("No")
        await pat.expect_reply(contains="year-month-day")
        await pat.send("2014-03-04")
        await pat.expect_reply(contains="sport")
        await pat.press("Tennis")
        await pat.expect_reply(contains="health")
        await pat.press("Skip")
        await pat.expect_reply(contains="Done!")
    async with uow as tx:
        child = await tx.session.scalar(
            select(User).where(User.id != parent_id, User.role == "athlete")
        )
    assert BOX.decrypt_date(child.date_of_birth_encrypted) == date(2014, 3, 4)


async def test_after_adding_a_child_book_opens_the_booking_for_that_child_only(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pat, eve = emulator.user("Pat"), emulator.user("Eve")
    parent_id = await parent_row(uow, pat)
    await parent_row(uow, eve, name="Eve")
    async with run_bot(emulator):
        await add_child(pat, "Mia", "2014-05-01", "Football")
        await add_child(pat, "Leo", "2016-03-02", "Football")
        await pat.press("📅 Book for Leo")
        # Two children, yet no "Who is the session for?": the button named Leo.
        await pat.expect_reply(contains="should the coach teach Leo?")
        leo = (await children_of(uow, parent_id))["Leo"]
        await eve.send("/help")
        await eve.expect_reply()
        await press_forged(emulator, eve, forged_data("bk", "for", leo))
        refused = await eve.expect("callback_answer")
    assert "teach Leo" not in (eve.messages()[-1].get("text") or "")
    assert refused["text"]
