"""Teams in the chat, end to end through the emulator: a coach creates a team (bad seasons
refused), a parent joins her child and an adult athlete herself by the family link, a co-coach
joins by the single-use link, the roster shows guardians, the team's Telegram group is linked,
nothing posted in the group names anyone, a team message reaches the families with Seen
counted, a family's reply reaches the coach, and forged presses are refused."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import BotApplication, BotContext
from bot.outbox import send_due_notifications
from domain.models import Athlete, Coach, Team, TeamMember, TeamMessageSeen, User
from domain.uow import UnitOfWork
from handlers.clubs.callbacks import (
    JoinPress,
    MemberAction,
    MemberPress,
    TeamAction,
    TeamPress,
    TeamSeen,
)
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from tests.factories import BookingWorld, booking_world
from tests.handlers.chat_steps import open_chats
from tests.handlers.clubs.team_steps import (
    COACH_LINK,
    FAMILY_LINK,
    create_team_in_chat,
    labels,
    open_team,
)
from tests.handlers.coaching.coach_steps import sign_up

# Every personal word the cast could leak into a group: names and a medical note.
PERSONAL = ("Kim", "Lea", "Ana", "Pia", "Omar", "Klein", "asthma")


@dataclass
class TeamCast:
    world: BookingWorld
    cora: EmulatedUser  # the head coach
    pia: EmulatedUser  # Kim's mother; Kim has no Telegram
    omar: EmulatedUser  # Lea's father
    ana: EmulatedUser  # an adult athlete
    max: EmulatedUser  # a second coach, who becomes a co-coach
    zed: EmulatedUser  # a coach of another team


async def _cast(emulator: Emulator, uow: UnitOfWork) -> TeamCast:
    cora, pia, omar = emulator.user("Cora"), emulator.user("Pia"), emulator.user("Omar")
    ana, max_, zed = emulator.user("Ana"), emulator.user("Max"), emulator.user("Zed")
    world = await booking_world(uow, telegram_ids=iter([cora.id, pia.id, omar.id]))
    async with uow as tx:
        ana_user = tx.users.add(User(role="athlete", first_name="Ana", telegram_user_id=ana.id))
        coaches = [
            tx.users.add(
                User(role="coach", first_name=who.person.first_name, telegram_user_id=who.id)
            )
            for who in (max_, zed)
        ]
        await tx.flush()
        tx.athletes.add(
            Athlete(user_id=ana_user.id, primary_sport="tennis", medical_conditions="asthma")
        )
        for user in coaches:
            tx.coaches.add(Coach(user_id=user.id, specializations=["tennis"]))
        await tx.commit()
    return TeamCast(world, cora, pia, omar, ana, max_, zed)


async def _forge(application: BotApplication, person: EmulatedUser, data: str) -> str:
    """`person` presses a button carrying `data` they were never sent; the answer's text."""
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("forged", callback_data=data)]])
    await application.bot.send_message(person.id, "forged", reply_markup=markup)
    await person.expect_reply(contains="forged")
    await person.press("forged")
    answer = await person.expect("callback_answer")
    return str(answer.get("text") or "")


async def _team(uow: UnitOfWork) -> Team:
    async with uow as tx:
        return (await tx.session.scalars(select(Team))).one()


async def _members(uow: UnitOfWork) -> set[uuid.UUID]:
    async with uow as tx:
        query = select(TeamMember.athlete_id).where(TeamMember.left_at.is_(None))
        return set(await tx.session.scalars(query))


async def test_a_team_is_created_joined_linked_to_its_group_and_written_to(
    emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await _cast(emulator, uow)
    cora, pia, omar, ana = cast.cora, cast.pia, cast.omar, cast.ana
    async with run_bot(emulator) as application:
        await open_chats(cora, pia, omar, ana, cast.max, cast.zed)
        created = await create_team_in_chat(cora)
        family_code = FAMILY_LINK.search(created)
        coach_code = COACH_LINK.search(created)
        assert family_code and coach_code, created

        # The coach opening the families' link is told it is theirs.
        await cora.send(f"/start team-{family_code[1]}")
        await cora.expect_reply(contains="You coach this team")

        # A parent picks her child; an adult athlete joins herself.
        await pia.send(f"/start team-{family_code[1]}")
        await pia.expect_reply(contains="Join U12 Tigers?")
        await pia.press("👶 Add a child first")  # the families' own flow takes over
        await pia.expect_reply(contains="What is your child's name?")
        await pia.send("/cancel")
        await pia.expect_reply()
        await pia.send(f"/start team-{family_code[1]}")  # the link again, as the hint says
        await pia.expect_reply(contains="Join U12 Tigers?")
        await pia.press("✅ Join as Kim")
        await pia.expect_reply(contains="Kim is on U12 Tigers now")
        await ana.send(f"/start team-{family_code[1]}")
        await ana.expect_reply(contains="Join U12 Tigers?")
        await ana.press("✅ Join as Ana")
        await ana.expect_reply(contains="Ana is on U12 Tigers now")

        # The co-coach link works once.
        await cast.max.send(f"/start teamcoach-{coach_code[1]}")
        await cast.max.expect_reply(contains="You are now a coach of U12 Tigers")
        await cast.max.send(f"/start teamcoach-{coach_code[1]}")
        await cast.max.expect_reply(contains="used already")

        # The roster, with guardians.
        await open_team(cora)
        await cora.press("👥 Roster")
        roster = await cora.expect_reply(contains="the roster")
        assert "• Ana" in roster["text"] and "• Kim: guardians Pia" in roster["text"]

        # The group: the bot added, a parent cannot link it, the coach does.
        group = emulator.group("Tigers families", [cora, pia, omar], with_bot=False)
        await cora.add_bot_to(group)
        await cora.expect_reply(contains="/linkteam", chat=group)
        await pia.send(f"/linkteam {family_code[1]}", chat=group)
        await pia.expect_reply(chat=group)
        assert (await _team(uow)).telegram_group_chat_id is None
        await cora.send(f"/linkteam {family_code[1]}", chat=group)
        await cora.expect_reply(contains="now linked to U12 Tigers", chat=group)
        assert (await _team(uow)).telegram_group_chat_id == group.id

        # Omar's Lea joins: the coaches are told who, the group only that the roster grew.
        await omar.send(f"/start team-{family_code[1]}")
        await omar.expect_reply(contains="Join U12 Tigers?")
        await omar.press("✅ Join as Lea")
        await omar.expect_reply(contains="Lea is on U12 Tigers now")
        await send_due_notifications(BotContext(application))
        await cora.expect_reply(contains="3 on the roster now", chat=group)
        assert any("Lea joined U12 Tigers" in (m.get("text") or "") for m in cora.messages())

        # A message naming a child is refused for the group; a plain one goes everywhere.
        await open_team(cora)
        await cora.press("📣 Message the team")
        await cora.expect_reply(contains="Your message to U12 Tigers?")
        await cora.send("Well played Kim!")
        await cora.expect_reply(contains="Send it where?")
        await cora.press("👪💬 To both")
        refusal = await cora.expect("callback_answer")
        assert "names Kim" in (refusal.get("text") or "")
        await cora.press("📣 Message the team")
        await cora.expect_reply(contains="Your message to U12 Tigers?")
        await cora.send("Practice moves to 18:00 on Tuesday. Bring water.")
        await cora.press("👪💬 To both")
        await cora.expect_reply(contains="Sent to the group and to 3 family members")
        await send_due_notifications(BotContext(application))
        await cora.expect_reply(contains="Practice moves to 18:00", chat=group)
        for family in (pia, omar, ana):
            await family.expect_reply(contains="📣 U12 Tigers · Cora")

        # Nothing the bot said in the group names anyone or tells anything personal.
        said = [m.get("text") or "" for m in cora.messages(chat=group) if m["from"]["is_bot"]]
        assert len(said) == 5, said  # hello, no to Pia, linked, the roster grew, the announcement
        assert not [word for word in PERSONAL for text in said if word.lower() in text.lower()]

        # Seen is counted once per person; the coach sees the count.
        await pia.press("👍 Seen")
        assert "coach sees" in ((await pia.expect("callback_answer")).get("text") or "")
        await pia.press("👍 Seen")
        await ana.press("👍 Seen")
        await ana.expect("callback_answer")
        await open_team(cora)
        page = cora.messages()[-1]["text"]
        assert "👍 2 of 3 seen" in page, page

        # A family's reply reaches the coach privately, saying who sent it.
        await pia.press("↩️ Reply to coach")
        await pia.expect_reply(contains="Your reply to the coach of U12 Tigers")
        await pia.send("Kim will be 10 minutes late.")
        await pia.expect_reply(contains="Sent to the coach of U12 Tigers")
        await send_due_notifications(BotContext(application))
        reply = await cora.expect_reply(contains="Reply from Pia (Kim, U12 Tigers)")
        assert "Kim will be 10 minutes late." in reply["text"]


async def test_forged_presses_from_another_teams_coach_or_a_non_members_parent_are_refused(
    emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await _cast(emulator, uow)
    cora, pia, omar, zed = cast.cora, cast.pia, cast.omar, cast.zed
    async with run_bot(emulator) as application:
        await open_chats(cora, pia, omar, zed)
        created = await create_team_in_chat(cora)
        family_code = FAMILY_LINK.search(created)
        assert family_code
        await pia.send(f"/start team-{family_code[1]}")
        await pia.expect_reply(contains="Join U12 Tigers?")
        await pia.press("✅ Join as Kim")
        await pia.expect_reply(contains="Kim is on U12 Tigers now")
        await open_team(cora)
        await cora.press("📣 Message the team")
        await cora.expect_reply(contains="Your message to U12 Tigers?")
        await cora.send("Bring water.")
        await cora.expect_reply(contains="Send it where?")
        await cora.press("👪 To the families (private)")
        await cora.expect_reply(contains="Sent to 1 family members")
        team = await _team(uow)
        seen = next(
            b["callback_data"]
            for m in reversed(await _delivered(application, pia))
            for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row
            if b["text"] == "👍 Seen"
        )

        # Zed coaches no team of Cora's: her roster and the removal of Kim are refused.
        roster = TeamPress(TeamAction.ROSTER, team.id).pack()
        assert "not allowed" in (await _forge(application, zed, roster)).lower()
        remove = MemberPress(MemberAction.REMOVE, team.id, cast.world.child.id).pack()
        assert "not allowed" in (await _forge(application, zed, remove)).lower()
        # Omar's Lea is on no team: Seen on Kim's team's message, and Kim's Join, are refused.
        assert await _forge(application, omar, seen)
        assert TeamSeen.parse(seen) is not None
        join = JoinPress(family_code[1], cast.world.child.id).pack()
        assert await _forge(application, omar, join)
    assert await _members(uow) == {cast.world.child.id}
    async with uow as tx:
        assert list(await tx.session.scalars(select(TeamMessageSeen))) == []


async def _delivered(application: BotApplication, person: EmulatedUser) -> list[dict]:
    await send_due_notifications(BotContext(application))
    await person.expect_reply(contains="📣 U12 Tigers")
    return person.messages()


async def test_the_bot_removed_from_the_group_unlinks_it_and_posts_go_nowhere(
    emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await _cast(emulator, uow)
    cora, pia = cast.cora, cast.pia
    async with run_bot(emulator) as application:
        await open_chats(cora, pia)
        created = await create_team_in_chat(cora)
        family_code = FAMILY_LINK.search(created)
        assert family_code
        group = emulator.group("Tigers families", [cora, pia], with_bot=False)
        await cora.add_bot_to(group)
        await cora.expect_reply(contains="/linkteam", chat=group)
        await cora.send(f"/linkteam {family_code[1]}", chat=group)
        await cora.expect_reply(contains="now linked", chat=group)
        await pia.send(f"/start team-{family_code[1]}")
        await pia.expect_reply(contains="Join U12 Tigers?")
        await pia.press("✅ Join as Kim")
        await pia.expect_reply(contains="Kim is on U12 Tigers now")

        await pia.remove_bot_from(group)
        for _ in range(50):  # the update is handled in the background
            if (await _team(uow)).telegram_group_chat_id is None:
                break
            await asyncio.sleep(0.1)
        await send_due_notifications(BotContext(application))

    assert (await _team(uow)).telegram_group_chat_id is None
    said = [m.get("text") or "" for m in cora.messages(chat=group) if m["from"]["is_bot"]]
    assert not [text for text in said if "new player" in text]


async def test_an_admin_starts_a_team_for_a_coach_who_then_runs_it(
    emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await _cast(emulator, uow)
    ada = emulator.user("Ada")
    await sign_up(uow, ada, "admin")
    async with run_bot(emulator):
        await open_chats(ada, cast.cora)
        await ada.send("/teams")
        await ada.expect_reply(contains="no teams yet")
        await ada.press("➕ New team")
        await ada.expect_reply(contains="Which coach will head the team?")
        await ada.press("Cora Klein")
        await ada.expect_reply(contains="The team's name?")
        await ada.send("Seniors")
        await ada.expect_reply(contains="Which sport?")
        await ada.send("tennis")
        await ada.expect_reply(contains="The age group?")
        await ada.send("Adults")
        await ada.expect_reply(contains="The season?")
        await ada.send("2026-09-01 - 2027-06-30")
        await ada.expect_reply(contains="Seniors is created")
        await _open_as(cast.cora, "Seniors · Adults")
        page = cast.cora.messages()[-1]["text"]
        assert "Coaches: Cora (head coach)" in page, page
        assert "👥 Roster" in labels(cast.cora)


async def _open_as(person: EmulatedUser, label: str) -> None:
    await person.send("/teams")
    await person.expect_reply(contains="Your teams")
    await person.press(label)
    await person.expect_reply(contains="🏅")


async def test_a_parent_takes_her_child_off_the_team_and_the_coach_removes_another(
    emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await _cast(emulator, uow)
    cora, pia, ana = cast.cora, cast.pia, cast.ana
    async with run_bot(emulator):
        await open_chats(cora, pia, ana)
        created = await create_team_in_chat(cora)
        family_code = FAMILY_LINK.search(created)
        assert family_code
        for person, name in ((pia, "Kim"), (ana, "Ana")):
            await person.send(f"/start team-{family_code[1]}")
            await person.expect_reply(contains="Join U12 Tigers?")
            await person.press(f"✅ Join as {name}")
            await person.expect_reply(contains=f"{name} is on U12 Tigers now")

        await _open_as(pia, "U12 Tigers · U12 (Kim)")
        page = pia.messages()[-1]["text"]
        assert "players on the roster" in page and "Kim" not in page.split("\n", 1)[1]
        await pia.press("➖ Take Kim off the team")
        assert "off U12 Tigers" in ((await pia.expect("callback_answer")).get("text") or "")
        await open_team(cora)
        await cora.press("👥 Roster")
        await cora.expect_reply(contains="the roster")
        await cora.press("➖ Remove Ana")
        assert "Ana is off the team" in ((await cora.expect("callback_answer")).get("text") or "")
    assert await _members(uow) == set()
