"""The guided profile through the emulator: each role, bad answers, Back, Cancel, restarts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, text

from domain.models import Athlete, AuditEntry, User
from telegram_emulator import Emulator
from tests.factories import tiny_png
from tests.handlers.onboarding_flow import (
    ATHLETE,
    COACH,
    PARENT,
    answer,
    common_steps,
    press,
    press_forged,
    sign_up_athlete,
    step,
)

STICKER = {"file_id": "st1", "file_unique_id": "st1", "width": 512, "height": 512,
           "is_animated": False, "is_video": False, "type": "regular", "emoji": "🙂"}  # fmt: skip


def buttons(message: dict) -> list[tuple[str, str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


async def user_row(uow, telegram_id: int) -> User | None:
    async with uow as tx:
        return await tx.session.scalar(select(User).where(User.telegram_user_id == telegram_id))


async def test_an_adult_athlete_signs_up_and_everything_is_saved(
    emulator: Emulator, run_bot, uow
) -> None:
    ana = emulator.user("Ana", last_name="Lopez")
    async with run_bot(emulator):
        done = await sign_up_athlete(ana)
        menu = emulator.bot.commands.get(("chat", f"{ana.id}"), None)
    user = await user_row(uow, ana.id)
    async with uow as tx:
        athlete = await tx.session.scalar(select(Athlete).where(Athlete.user_id == user.id))
    assert (user.role, user.first_name, user.last_name, user.units) == (
        "athlete", "Ana", "Lopez", "imperial",
    )  # fmt: skip
    assert user.onboarded_at is not None and user.email is None and user.timezone == "UTC"
    assert (athlete.primary_sport, athlete.position, athlete.height_cm) == (
        "tennis",
        "baseline",
        180,
    )
    assert str(athlete.weight_kg) == "70.31" and athlete.dominant_hand == "right"
    assert buttons(done) == [
        ("📅 Book a session", "bk:start"),
        ("🗓 My sessions", "ses:list"),
        ("👤 My profile", "profile:show"),
    ]
    assert menu is None or {c["command"] for c in menu} >= {"start", "profile"}


async def test_encrypted_columns_hold_no_plaintext(
    emulator: Emulator, run_bot, uow, services
) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator):
        await sign_up_athlete(ana)
    async with uow as tx:
        row = (await tx.session.execute(text(
            "SELECT u.date_of_birth, u.date_of_birth_encrypted, a.emergency_contact_name,"
            " a.emergency_contact_phone, a.medical_conditions, u.phone_number FROM users u"
            " JOIN athletes a ON a.user_id = u.id"))).one()  # fmt: skip
    assert row[0] is None  # the plain DATE column stays empty
    assert all(value for value in row[1:])  # each field was given, and is stored
    raw = " ".join(row[1:])
    for secret in ("1990", "Maria", "600123456", "Asthma", "1555"):
        assert secret not in raw
    assert services.secrets.decrypt(row[5]).startswith("+1555")


async def test_a_parent_signs_up_and_is_pointed_at_adding_a_child(
    emulator: Emulator, run_bot, uow
) -> None:
    pia = emulator.user("Pia")
    async with run_bot(emulator):
        await common_steps(pia, PARENT)
        await press(pia, "Yes", "All set")
        done = pia.messages()[-1]
    assert "add your first child" in done["text"]
    assert [data for _, data in buttons(done)] == [
        "fam:add",
        "bk:start",
        "ses:list",
        "fam:list",
        "profile:show",
    ]
    assert (await user_row(uow, pia.id)).role == "parent"


async def test_a_coach_signs_up_and_is_handed_to_the_coach_setup(
    emulator: Emulator, run_bot, uow
) -> None:
    cora = emulator.user("Cora")
    async with run_bot(emulator):
        await common_steps(cora, COACH)
        done = await press(cora, "Yes", "Next: set up your coach profile")
    assert buttons(done)[0] == ("🧑‍🏫 Coach profile & verification", "coach:setup")
    assert (await user_row(uow, cora.id)).role == "coach"


async def test_a_configured_admin_is_never_asked_for_a_role(
    emulator: Emulator, run_bot, uow
) -> None:
    ada = emulator.user("Ada")
    async with run_bot(emulator, admins=[ada.id]):
        await ada.send("/start")
        first = await step(ada, "What's your name?")
        assert "who are you" not in first["text"]
        await press(ada, "Use “Ada”", "phone number")
        await ada.share_contact()
        await step(ada, "email")
        await press(ada, "Skip", "date of birth")
        await answer(ada, "1980-01-01", "time zone")
        done = await press(ada, "Yes", "You're an admin")
    assert ("✅ Coaches to verify", "admin:pending") in buttons(done)
    assert (await user_row(uow, ada.id)).role == "admin"


async def test_an_athlete_under_16_is_asked_to_have_a_parent_sign_up(
    emulator: Emulator, run_bot, uow
) -> None:
    kid = emulator.user("Kid")
    async with run_bot(emulator):
        await kid.send("/start")
        await step(kid, "who are you")
        await press(kid, ATHLETE, "What's your name?")
        await press(kid, "Use “Kid”", "phone number")
        await kid.share_contact()
        await step(kid, "email")
        await press(kid, "Skip", "date of birth")
        await answer(kid, "2014-05-01", "ask a parent to sign up")
        await kid.send("hello")
        await step(kid, "wasn't expecting")  # the flow has ended
    assert await user_row(uow, kid.id) is None


async def test_wrong_answers_are_asked_again_and_earlier_answers_kept(
    emulator: Emulator, run_bot, uow
) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator):
        await ana.send("/start")
        await step(ana, "who are you")
        await press(ana, ATHLETE, "What's your name?")
        await answer(ana, "Ana Ruiz", "phone number")
        await ana.share_contact()
        await step(ana, "email")
        await answer(ana, "ana@", "doesn't look like an email")
        await answer(ana, "ana@example.com", "date of birth")
        await answer(ana, "31.02.1990", "couldn't read that date")
        await emulator.client._post(ana.person, emulator.client.chat_of(ana.person),
                                    {"sticker": STICKER})  # fmt: skip
        await step(ana, "answer with a text message")
        await ana.send_photo(tiny_png())
        await step(ana, "answer with a text message")
        await answer(ana, "1990-02-28", "time zone")
        await press(ana, "Change", "Type your city")
        await answer(ana, "Xqzzyville", "couldn't find that place")
        await answer(ana, "Berlin", "Which sport")
        await answer(ana, "Rowing", "position")
        await press(ana, "Skip", "How tall")
        await answer(ana, "400", "between 50 and 250 cm")
        await answer(ana, "1.70 m", "weigh")
        await answer(ana, "62", "dominant hand")
        await press(ana, "Left", "emergency")
        await press(ana, "Skip", "health")
        await press(ana, "Skip", "All set")
    user = await user_row(uow, ana.id)
    assert (user.first_name, user.last_name, user.email, user.timezone, user.units) == (
        "Ana", "Ruiz", "ana@example.com", "Europe/Berlin", "metric",
    )  # fmt: skip
    async with uow as tx:
        athlete = await tx.session.scalar(select(Athlete))
    assert (athlete.primary_sport, athlete.height_cm, athlete.medical_conditions) == (
        "rowing", 170, None,
    )  # fmt: skip


async def test_back_returns_to_the_previous_question(emulator: Emulator, run_bot, uow) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator):
        await ana.send("/start")
        await step(ana, "who are you")
        await press(ana, ATHLETE, "What's your name?")
        await press(ana, "⬅️ Back", "who are you")
        await press(ana, PARENT, "What's your name?")
        await answer(ana, "Ana", "phone number")
        await press(ana, "⬅️ Back", "What's your name?")  # the phone's reply keyboard
        await answer(ana, "Anita", "phone number")
        await ana.share_contact()
        await step(ana, "email")
        await press(ana, "Skip", "date of birth")
        await answer(ana, "1990-01-01", "time zone")
        await press(ana, "Yes", "All set, Anita")
    assert (await user_row(uow, ana.id)).role == "parent"


async def test_cancel_button_and_slash_cancel_end_the_flow_and_save_nothing(
    emulator: Emulator, run_bot, uow
) -> None:
    ana, ben = emulator.user("Ana"), emulator.user("Ben")
    async with run_bot(emulator):
        await ana.send("/start")
        await step(ana, "who are you")
        await press(ana, ATHLETE, "What's your name?")
        await press(ana, "✖️ Cancel", "Sign-up cancelled")
        await ana.send("Ana")
        await step(ana, "wasn't expecting")
        await ben.send("/start")
        await step(ben, "who are you")
        await press(ben, COACH, "What's your name?")
        await answer(ben, "Ben", "phone number")
        await answer(ben, "/cancel", "cancelled")
        await ben.send("Ben")
        await step(ben, "wasn't expecting")
    assert await user_row(uow, ana.id) is None and await user_row(uow, ben.id) is None


async def test_someone_elses_contact_is_refused(emulator: Emulator, run_bot, uow) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator):
        await ana.send("/start")
        await step(ana, "who are you")
        await press(ana, PARENT, "What's your name?")
        await answer(ana, "Ana", "phone number")
        contact = {"phone_number": "+34600000000", "first_name": "Eve", "user_id": ana.id + 1}
        await emulator.client._post(ana.person, emulator.client.chat_of(ana.person),
                                    {"contact": contact})  # fmt: skip
        await step(ana, "someone else's contact")
        await answer(ana, "+34 600 000 000", "Share my phone number")  # typed: not checked
        await ana.share_contact()
        await step(ana, "email")


async def test_a_restart_mid_onboarding_resumes_at_the_same_question(
    emulator: Emulator, run_bot, uow
) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator):
        await ana.send("/start")
        await step(ana, "who are you")
        await press(ana, ATHLETE, "What's your name?")
        await answer(ana, "Ana Ruiz", "phone number")
        await ana.share_contact()
        await step(ana, "email")
        await answer(ana, "ana@example.com", "date of birth")
    async with run_bot(emulator):  # a new Application on the same Redis
        await answer(ana, "1990-02-28", "time zone")
        await press(ana, "Yes", "Which sport")
    async with run_bot(emulator):
        await press(ana, "⚽ Football", "position")
    user = await user_row(uow, ana.id)
    assert user is None  # nothing saved before the last answer


async def test_a_spanish_speaker_gets_spanish_from_start_to_end(
    emulator: Emulator, run_bot, uow
) -> None:
    eva = emulator.user("Eva", language_code="es")
    async with run_bot(emulator):
        await eva.send("/start")
        await step(eva, "¡Hola, Eva! Soy SportsCenter")
        await press(eva, "🏃 Deportista", "¿Cómo te llamas?")
        await press(eva, "Usar «Eva»", "número de teléfono")
        await eva.press("📱 Compartir mi número")
        await step(eva, "correo electrónico")
        await answer(eva, "eva@", "no parece un correo")
        await press(eva, "Omitir", "fecha de nacimiento")
        await answer(eva, "14 de marzo de 1995", "¿Tu zona horaria es Europe/Madrid?")
        await press(eva, "Sí", "¿Qué deporte practicas?")
        await press(eva, "⚽ Fútbol", "posición")
        await answer(eva, "portero", "¿Cuánto mides?")
        await answer(eva, "175", "¿Cuánto pesas?")
        await answer(eva, "68", "mano dominante")
        await press(eva, "Derecha", "emergencia")
        await press(eva, "Omitir", "salud")
        done = await press(eva, "Omitir", "¡Listo, Eva!")
        await eva.send("/start")
        back = await step(eva, "¡Hola de nuevo, Eva!")
    menu_es = [
        ("📅 Reservar una sesión", "bk:start"),
        ("🗓 Mis sesiones", "ses:list"),
        ("👤 Mi perfil", "profile:show"),
    ]
    assert buttons(done) == menu_es
    assert buttons(back) == menu_es
    user = await user_row(uow, eva.id)
    assert (user.language_code, user.timezone) == ("es", "Europe/Madrid")


async def test_a_known_user_gets_their_menu_and_an_invite_link_is_left_to_families(
    emulator: Emulator, run_bot, uow
) -> None:
    pia, ivo = emulator.user("Pia"), emulator.user("Ivo")
    async with uow as tx:
        tx.users.add(User(role="parent", first_name="Pia", telegram_user_id=pia.id,
                           status="blocked"))  # fmt: skip
        await tx.commit()
    async with run_bot(emulator):
        await pia.send("/start")
        menu = await step(pia, "Welcome back to SportsCenter, Pia!")
        await ivo.send("/start inv-abc123")
        other = await ivo.expect_reply()
    assert [data for _, data in buttons(menu)] == [
        "fam:add",
        "bk:start",
        "ses:list",
        "fam:list",
        "profile:show",
    ]
    assert "Let's set up your profile" not in other["text"]
    assert (await user_row(uow, pia.id)).status == "active"


async def test_forged_and_stale_onboarding_buttons_are_refused_and_audited(
    emulator: Emulator, run_bot, uow
) -> None:
    eve = emulator.user("Eve")
    async with run_bot(emulator):
        await eve.send("/start")
        await step(eve, "who are you")
        await press_forged(emulator, eve, "onb:role:admin")
        refused = await eve.expect("callback_answer")
        await press_forged(emulator, eve, "onb:hand:left")  # not the question being asked
        await eve.expect("callback_answer", contains="isn't available")
        await press_forged(emulator, eve, "onb:zzz:&&")
        await eve.expect("callback_answer", contains="isn't available")
        await press(eve, "✖️ Cancel", "cancelled")
        await press_forged(emulator, eve, "onb:role:athlete")  # the flow has ended
        expired = await eve.expect("callback_answer")
    assert refused["text"] == "This isn't available any more."
    assert expired["text"] == "This step has expired. Send /start to continue."
    assert await user_row(uow, eve.id) is None
    async with uow as tx:
        refusals = await tx.session.scalar(
            select(func.count()).where(AuditEntry.action == "callback.refused")
        )
    assert refusals == 3, [e.details for e in await _audits(uow)]


async def _audits(uow):
    async with uow as tx:
        return list(await tx.session.scalars(select(AuditEntry)))


async def test_a_bare_offset_asks_which_zone_with_buttons(emulator: Emulator, run_bot, uow) -> None:
    pia = emulator.user("Pia")
    async with run_bot(emulator):
        await common_steps(pia, PARENT)
        await press(pia, "Change", "Type your city")
        await pia.send("+1")
        asked = await step(pia, "Which of these is your zone")
        offered = [label for label, _ in buttons(asked)]
        zone_button = next(label for label in offered if "Berlin" in label or "Madrid" in label)
        await press(pia, zone_button, "All set")
    user = await user_row(uow, pia.id)
    assert user.timezone in ("Europe/Berlin", "Europe/Madrid")


async def test_a_shared_location_sets_the_time_zone(emulator: Emulator, run_bot, uow) -> None:
    pia = emulator.user("Pia")
    async with run_bot(emulator):
        await common_steps(pia, PARENT)
        await press(pia, "Change", "Type your city")
        await pia.share_location(37.3891, -5.9845)  # Sevilla
        await step(pia, "All set")
    assert (await user_row(uow, pia.id)).timezone == "Europe/Madrid"


async def test_cities_in_english_or_spanish_are_accepted(emulator: Emulator, run_bot, uow) -> None:
    pia = emulator.user("Pia", language_code="es")
    async with run_bot(emulator):
        await pia.send("/start")
        await step(pia, "SportsCenter")
        await press(pia, "👪 Madre o padre", "nombre")
        await press(pia, "Usar «Pia»", "teléfono")
        await pia.share_contact()
        await step(pia, "correo")
        await press(pia, "Omitir", "fecha de nacimiento")
        await answer(pia, "1990-03-14", "zona horaria")
        await press(pia, "Cambiar", "Escribe tu ciudad")
        await answer(pia, "Múnich", "Listo")
    assert (await user_row(uow, pia.id)).timezone == "Europe/Berlin"


async def test_an_ambiguous_birth_date_is_echoed_back_to_confirm(
    emulator: Emulator, run_bot, uow, services
) -> None:
    pia = emulator.user("Pia")
    async with run_bot(emulator):
        await pia.send("/start")
        await step(pia, "SportsCenter")
        await press(pia, PARENT, "What's your name?")
        await press(pia, "Use “Pia”", "phone number")
        await pia.share_contact()
        await step(pia, "email")
        await press(pia, "Skip", "date of birth")
        await answer(pia, "03/04/1990", "3 April 1990 — right?")
        await press(pia, "No", "month in words")
        await answer(pia, "04/03/1990", "4 March 1990 — right?")
        await press(pia, "Yes", "time zone")
        await press(pia, "Yes", "All set")
    user = await user_row(uow, pia.id)
    assert services.secrets.decrypt_date(user.date_of_birth_encrypted) == date(1990, 3, 4)
