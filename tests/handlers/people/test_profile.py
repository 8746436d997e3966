"""/profile through the emulator: show, edit one field, stale and forged buttons."""

from __future__ import annotations

from sqlalchemy import func, select

from domain.models import Athlete, AuditEntry, User
from domain.secrets_box import SecretBox
from domain.short_ids import short_id
from telegram_emulator import Emulator
from tests.handlers.onboarding_flow import press, press_forged, sign_up_athlete, step

BOX = SecretBox([b"s" * 32])  # the key of the `services` fixture


async def _refusals(uow) -> int:
    async with uow as tx:
        return await tx.session.scalar(
            select(func.count()).where(AuditEntry.action == "callback.refused")
        )


async def test_profile_shows_the_fields_and_edits_one(emulator: Emulator, run_bot, uow) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator):
        await sign_up_athlete(ana)
        await ana.send("/profile")
        shown = await step(ana, "👤 Ana · Athlete")
        await press(ana, "✏️ Email", "new value for “Email”")
        await ana.send("not-an-email")
        await step(ana, "doesn't look like an email")
        await ana.send("ana@example.com")
        saved = await step(ana, "Saved ✅")
        await press(ana, "✏️ Dominant hand", "new value")
        await press(ana, "Both", "Dominant hand: Both")
    assert "Medical notes: Asthma, inhaler in the bag" in shown["text"]
    assert "Height: 5'11\"" in shown["text"] and "Date of birth: 1990-03-14" in shown["text"]
    assert "Email: ana@example.com" in saved["text"]
    async with uow as tx:
        user = await tx.session.scalar(select(User))
        athlete = await tx.session.scalar(select(Athlete))
    assert (user.email, athlete.dominant_hand) == ("ana@example.com", "both")


async def test_the_profile_button_of_the_menu_shows_it(emulator: Emulator, run_bot, uow) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator):
        await sign_up_athlete(ana)
        await press(ana, "👤 My profile", "Sport: tennis")


async def test_a_button_of_a_finished_edit_has_expired(emulator: Emulator, run_bot, uow) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator):
        await sign_up_athlete(ana)
        await ana.send("/profile")
        await step(ana, "👤 Ana")
        await press(ana, "✏️ Position", "new value")
        ask = ana.messages()[-1]
        await ana.send("net")
        await step(ana, "Position: net")
        await ana.press("✖️ Cancel", ask)  # from the edit that has just ended
        answer = await ana.expect("callback_answer")
    assert answer["text"] == "This step has expired. Send /profile to start again."


async def test_editing_someone_elses_profile_by_a_forged_button_is_refused_and_audited(
    emulator: Emulator, run_bot, uow
) -> None:
    ana, eve = emulator.user("Ana"), emulator.user("Eve")
    async with run_bot(emulator):
        await sign_up_athlete(ana)
        await sign_up_athlete(eve)
        async with uow as tx:
            ana_id = await tx.session.scalar(select(User.id).where(User.telegram_user_id == ana.id))
        await press_forged(emulator, eve, f"profile:edit:{short_id(ana_id)}:email")
        refused = await eve.expect("callback_answer")
        await press_forged(emulator, eve, "profile:edit:garbage:email")
        await eve.expect("callback_answer", contains="isn't available")
        await press_forged(emulator, eve, "profile:view:AAAAAAAAAAAAAAAAAAAAAA")
        await eve.expect("callback_answer", contains="isn't available")
        await eve.send("hello")
        await step(eve, "wasn't expecting")  # no edit was started
    assert refused["text"] == "This isn't available any more."
    assert await _refusals(uow) == 3


async def test_a_parent_views_their_child_with_medical_notes_another_parent_cannot(
    emulator: Emulator, run_bot, uow
) -> None:
    mum, other = emulator.user("Mum"), emulator.user("Other")
    async with uow as tx:
        parent = tx.users.add(User(role="parent", first_name="Mum", telegram_user_id=mum.id))
        tx.users.add(User(role="parent", first_name="Other", telegram_user_id=other.id))
        kid = tx.users.add(User(role="athlete", first_name="Kid"))
        await tx.flush()
        athlete = tx.athletes.add(Athlete(user_id=kid.id, parent_id=parent.id,
                                           primary_sport="swimming",
                                           medical_conditions=BOX.encrypt("peanuts")))  # fmt: skip
        await tx.commit()
    async with run_bot(emulator):
        await mum.send("/profile")
        await step(mum, "👤 Mum · Parent")
        await press_forged(emulator, mum, f"profile:view:{short_id(athlete.id)}")
        child = await step(mum, "👤 Kid · Athlete")
        await other.send("/profile")
        await step(other, "👤 Other")
        await press_forged(emulator, other, f"profile:view:{short_id(athlete.id)}")
        await other.expect("callback_answer", contains="isn't available")
    assert "Medical notes: peanuts" in child["text"]
    assert await _refusals(uow) == 1


async def test_profile_before_signing_up_points_to_start(emulator: Emulator, run_bot, uow) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator):
        await ana.send("/profile")
        await step(ana, "Send /start to create your profile")


async def test_an_ambiguous_birth_date_is_confirmed_before_it_is_saved(
    emulator: Emulator, run_bot, uow
) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator):
        await sign_up_athlete(ana)
        await ana.send("/profile")
        await step(ana, "👤 Ana · Athlete")
        await press(ana, "✏️ Date of birth", "new value")
        await ana.send("05/06/1991")
        await step(ana, "5 June 1991 — right?")
        await press(ana, "No", "month in words")
        await ana.send("06/05/1991")
        await step(ana, "6 May 1991 — right?")
        await press(ana, "Yes", "Date of birth: 1991-05-06")
    async with uow as tx:
        user = await tx.session.scalar(select(User))
    assert str(BOX.decrypt_date(user.date_of_birth_encrypted)) == "1991-05-06"


async def test_a_bare_offset_in_the_profile_names_the_zones_that_have_it(
    emulator: Emulator, run_bot, uow
) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator):
        await sign_up_athlete(ana)
        await ana.send("/profile")
        await step(ana, "👤 Ana · Athlete")
        await press(ana, "✏️ Time zone", "Type your city")
        await ana.send("UTC+2")
        await step(ana, "doesn't follow summer time")
        await ana.send("Sevilla")
        await step(ana, "Time zone: Europe/Madrid")


async def test_a_shared_location_sets_the_profile_time_zone(
    emulator: Emulator, run_bot, uow
) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator):
        await sign_up_athlete(ana)
        await ana.send("/profile")
        await step(ana, "👤 Ana · Athlete")
        await press(ana, "✏️ Time zone", "share your location")
        await ana.share_location(48.14, 11.58)  # Munich
        await step(ana, "Time zone: Europe/Berlin")
    async with uow as tx:
        assert (await tx.session.scalar(select(User))).timezone == "Europe/Berlin"
