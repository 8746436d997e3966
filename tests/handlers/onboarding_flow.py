"""Steps of the guided profile as a person takes them in the emulator, for handler tests."""

from __future__ import annotations

import secrets
from typing import Any

from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from telegram_emulator.world import CallbackQuery

ATHLETE, PARENT, COACH = "🏃 Athlete", "👪 Parent", "🧑‍🏫 Coach"
Json = dict[str, Any]


async def step(user: EmulatedUser, contains: str) -> Json:
    """The bot's next message or edit containing `contains`."""
    return await user.expect_reply(contains=contains)


async def answer(user: EmulatedUser, text: str, then: str) -> Json:
    """Type an answer and wait for the next question."""
    await user.send(text)
    return await step(user, then)


async def press(user: EmulatedUser, label: str, then: str) -> Json:
    """Press a button and wait for the next question."""
    await user.press(label)
    return await step(user, then)


async def common_steps(user: EmulatedUser, role: str | None, born: str = "14.03.1990") -> None:
    """/start up to the time zone question: role, name, phone, email skipped, birth date."""
    await user.send("/start")
    await step(user, "SportsCenter")
    if role is not None:
        await press(user, role, "What's your name?")
    full_name = " ".join(filter(None, (user.person.first_name, user.person.last_name)))
    await press(user, f"Use “{full_name}”", "phone number")
    await user.share_contact()
    await step(user, "email")
    await press(user, "Skip", "date of birth")
    await answer(user, born, "time zone")


async def sign_up_athlete(user: EmulatedUser) -> Json:
    """The whole guided profile of an adult athlete; returns the last message."""
    await common_steps(user, ATHLETE)
    await press(user, "Yes", "Which sport")
    await press(user, "🎾 Tennis", "position")
    await answer(user, "baseline", "How tall")
    await answer(user, "5'11\"", "How much do you weigh")
    await answer(user, "155 lb", "dominant hand")
    await press(user, "Right", "emergency")
    await answer(user, "Maria Lopez +34 600 123 456", "health")
    await user.send("Asthma, inhaler in the bag")
    return await step(user, "All set")


async def press_forged(emulator: Emulator, user: EmulatedUser, data: str) -> None:
    """Send a button press with made-up callback data, as a modified client could."""
    message = user.messages()[-1]
    query_id = str(secrets.randbits(63))
    bot = emulator.bot
    bot.callback_queries[query_id] = CallbackQuery(
        query_id, user.id, message["message_id"], emulator.world.clock()
    )
    await bot.push_update(
        "callback_query",
        {
            "id": query_id,
            "from": user.person.as_user(),
            "message": message,
            "chat_instance": str(user.id),
            "data": data,
        },
    )
