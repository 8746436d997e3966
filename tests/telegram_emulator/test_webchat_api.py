"""The web chat's JSON API, used over HTTP as the page uses it (no browser)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from telegram_emulator import Emulator
from tests.factories import tiny_png
from tests.telegram_emulator.media_files import MediaFiles

Json = dict[str, Any]


@pytest.fixture
async def http(emulator: Emulator) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=emulator.url) as session:
        yield session


async def post(http: aiohttp.ClientSession, path: str, body: Json) -> tuple[int, Json]:
    async with http.post(path, json=body) as response:
        return response.status, await response.json()


async def get(http: aiohttp.ClientSession, path: str) -> Any:
    async with http.get(path) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def create_person(http: aiohttp.ClientSession, first_name: str = "Ana") -> Json:
    status, person = await post(
        http,
        "/api/people",
        {"first_name": first_name, "username": "ana_runs", "language_code": "es"},
    )
    assert status == 200
    return person


async def send(http: aiohttp.ClientSession, person: Json, text: str) -> Json:
    status, body = await post(http, f"/api/people/{person['id']}/send", {"text": text})
    assert status == 200, body
    return body["result"]


async def last_seq(http: aiohttp.ClientSession) -> int:
    return (await get(http, "/api/state"))["last_seq"]


async def test_created_person_is_listed_in_the_state(http: aiohttp.ClientSession) -> None:
    ana = await create_person(http)

    state = await get(http, "/api/state")

    assert ana["first_name"] == "Ana" and ana["username"] == "ana_runs"
    assert [p["id"] for p in state["people"]] == [ana["id"]]
    assert state["people"][0]["blocked"] is False
    assert state["bot"]["is_bot"] is True


async def test_sent_text_appears_in_transcript_and_as_an_event(http: aiohttp.ClientSession) -> None:
    ana = await create_person(http)

    sent = await send(http, ana, "Hi <b>coach</b> & team")

    transcript = await get(http, f"/api/people/{ana['id']}/transcript")
    assert [m["message_id"] for m in transcript] == [sent["message_id"]]
    # The page shows `html`; the person's own markup must come out as text, not tags.
    assert transcript[0]["html"] == "Hi &lt;b&gt;coach&lt;/b&gt; &amp; team"
    events = (await get(http, "/api/events?after=0&timeout=0"))["events"]
    assert [(e["kind"], e["chat_id"]) for e in events] == [("message", ana["id"])]
    assert events[0]["data"]["text"] == "Hi <b>coach</b> & team"
    assert events[0]["data"]["html"] == transcript[0]["html"]


async def test_bot_formatting_and_edits_come_rendered_as_html(
    http: aiohttp.ClientSession, bot: Bot
) -> None:
    ana = await create_person(http)
    await send(http, ana, "/start")
    welcome = await bot.send_message(ana["id"], "Welcome, <b>Ana</b>!", parse_mode=ParseMode.HTML)
    after = await last_seq(http)

    await bot.edit_message_text(
        "<i>Pong</i>", chat_id=ana["id"], message_id=welcome.message_id, parse_mode=ParseMode.HTML
    )

    transcript = await get(http, f"/api/people/{ana['id']}/transcript")
    assert transcript[-1]["html"] == "<i>Pong</i>"
    events = (await get(http, f"/api/events?after={after}&timeout=0"))["events"]
    assert [(e["kind"], e["data"]["html"]) for e in events] == [("edit", "<i>Pong</i>")]


async def test_pressing_an_inline_button_queues_a_callback_query_for_the_bot(
    http: aiohttp.ClientSession, bot: Bot
) -> None:
    ana = await create_person(http)
    await send(http, ana, "/start")
    await bot.get_updates()  # the /start itself
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ping", callback_data="ping")]])
    message = await bot.send_message(ana["id"], "Ready?", reply_markup=keyboard)

    status, body = await post(
        http, f"/api/people/{ana['id']}/press", {"message_id": message.message_id, "label": "Ping"}
    )

    assert status == 200 and body["ok"] is True
    updates = await bot.get_updates(offset=-1)
    query = updates[-1].callback_query
    assert query is not None
    assert (query.data, query.from_user.id, query.message.message_id) == (
        "ping",
        ana["id"],
        message.message_id,
    )


async def test_uploaded_photo_becomes_a_photo_event_and_its_bytes_are_served(
    http: aiohttp.ClientSession,
) -> None:
    ana = await create_person(http)
    picture = tiny_png()
    form = aiohttp.FormData()
    form.add_field("file", picture, filename="dot.png", content_type="image/png")
    form.add_field("caption", "Morning run")

    async with http.post(f"/api/people/{ana['id']}/upload", data=form) as response:
        assert response.status == 200, await response.text()
    events = (await get(http, "/api/events?after=0&timeout=0"))["events"]

    photo = events[-1]["data"]["photo"]
    assert events[-1]["kind"] == "message"
    assert (photo[-1]["width"], photo[-1]["height"]) == (4, 3)
    assert events[-1]["data"]["html"] == "Morning run"
    async with http.get(f"/api/files/{photo[-1]['file_id']}") as response:
        assert response.status == 200
        assert response.content_type == "image/png"
        assert await response.read() == picture


async def test_an_uploaded_gif_goes_as_an_animation_as_telegram_apps_send_it(
    http: aiohttp.ClientSession, media: MediaFiles
) -> None:
    ana = await create_person(http)
    form = aiohttp.FormData()
    form.add_field("file", media.gif.read_bytes(), filename="cheer.gif", content_type="image/gif")

    async with http.post(f"/api/people/{ana['id']}/upload", data=form) as response:
        assert response.status == 200, await response.text()
    message = (await get(http, "/api/events?after=0&timeout=0"))["events"][-1]["data"]

    assert (message["animation"]["width"], message["animation"]["height"]) == (64, 48)
    assert message["document"]["file_id"] == message["animation"]["file_id"]


async def test_a_person_replies_to_the_bots_message_and_the_bot_gets_the_reply(
    http: aiohttp.ClientSession, bot: Bot
) -> None:
    ana = await create_person(http)
    await send(http, ana, "/start")
    question = await bot.send_message(ana["id"], "Which day suits you?\nMonday or Friday")

    status, body = await post(
        http,
        f"/api/people/{ana['id']}/send",
        {"text": "Friday", "reply_to_message_id": question.message_id},
    )

    assert status == 200 and body["result"]["reply_to_message"]["message_id"] == question.message_id
    update = (await bot.get_updates())[-1]
    replied = update.message.reply_to_message
    assert replied is not None
    assert (replied.message_id, replied.text) == (question.message_id, question.text)
    assert replied.from_user.id == bot.id
    # The page shows the quote from the transcript and the event alike.
    transcript = await get(http, f"/api/people/{ana['id']}/transcript")
    assert transcript[-1]["reply_to_message"]["message_id"] == question.message_id


async def test_an_upload_may_be_a_reply(http: aiohttp.ClientSession, bot: Bot) -> None:
    ana = await create_person(http)
    await send(http, ana, "/start")
    question = await bot.send_message(ana["id"], "Send me your best photo")
    form = aiohttp.FormData()
    form.add_field("file", tiny_png(), filename="dot.png", content_type="image/png")
    form.add_field("reply_to_message_id", str(question.message_id))

    async with http.post(f"/api/people/{ana['id']}/upload", data=form) as response:
        assert response.status == 200, await response.text()

    message = (await bot.get_updates())[-1].message
    assert message.photo and message.reply_to_message.message_id == question.message_id


async def test_the_bots_reply_quotes_the_persons_message_without_emulator_fields(
    http: aiohttp.ClientSession, bot: Bot
) -> None:
    ana = await create_person(http)
    mine = await send(http, ana, "/start")
    menu = await bot.send_message(
        ana["id"], "Menu", reply_markup=ReplyKeyboardMarkup([["Book", "Log"]])
    )
    after = await last_seq(http)

    await bot.send_message(
        ana["id"], "Hello!", reply_parameters=ReplyParameters(mine["message_id"])
    )
    await bot.send_message(ana["id"], "Pick one", reply_parameters=ReplyParameters(menu.message_id))

    events = (await get(http, f"/api/events?after={after}&timeout=0"))["events"]
    quoted = [e["data"]["reply_to_message"] for e in events]
    assert [q["message_id"] for q in quoted] == [mine["message_id"], menu.message_id]
    assert quoted[0]["text"] == "/start" and quoted[1]["text"] == "Menu"
    # What the bot's reply quotes is a Bot API Message, with none of the emulator's own fields.
    assert not [key for q in quoted for key in q if key.startswith("_")]


async def test_the_bot_cannot_reply_to_a_deleted_message(
    http: aiohttp.ClientSession, bot: Bot
) -> None:
    ana = await create_person(http)
    mine = await send(http, ana, "/start")
    await bot.delete_message(ana["id"], mine["message_id"])

    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(
            ana["id"], "Hi", reply_parameters=ReplyParameters(mine["message_id"])
        )


async def test_events_long_poll_answers_when_something_happens(http: aiohttp.ClientSession) -> None:
    ana = await create_person(http)
    after = await last_seq(http)
    waiting = asyncio.create_task(get(http, f"/api/events?after={after}&timeout=10"))

    await send(http, ana, "Anyone there?")

    events = (await asyncio.wait_for(waiting, 5))["events"]
    assert [e["data"]["text"] for e in events] == ["Anyone there?"]
    assert all(e["seq"] > after for e in events)


async def test_events_long_poll_times_out_empty(http: aiohttp.ClientSession) -> None:
    await create_person(http)

    body = await get(http, f"/api/events?after={await last_seq(http)}&timeout=0.05")

    assert body == {"events": []}


async def test_blocking_makes_the_bot_fail_with_forbidden(
    http: aiohttp.ClientSession, bot: Bot
) -> None:
    ana = await create_person(http)
    await send(http, ana, "/start")

    status, body = await post(http, f"/api/people/{ana['id']}/block", {"blocked": True})

    assert status == 200 and body == {"ok": True, "blocked": True}
    with pytest.raises(Forbidden):
        await bot.send_message(ana["id"], "Still there?")
    assert (await get(http, "/api/state"))["people"][0]["blocked"] is True


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "description"),
    [
        ("GET", "/api/people/999/transcript", None, 404, "no such person"),
        ("POST", "/api/people/999/send", {"text": "hi"}, 404, "no such person"),
        ("POST", "/api/people/{id}/send", {"text": "   "}, 400, "empty message"),
        ("POST", "/api/people/{id}/press", {"label": "Ping"}, 400, "message_id is required"),
        (
            "POST",
            "/api/people/{id}/press",
            {"message_id": 77, "label": "Ping"},
            400,
            "message not found",
        ),
        ("POST", "/api/people", {"first_name": " "}, 400, "first_name is required"),
        ("POST", "/api/people/{id}/upload", {}, 400, "choose a file to upload"),
        (
            "POST",
            "/api/people/{id}/send",
            {"text": "Sure", "reply_to_message_id": 77},
            400,
            "the message to reply to is not in this chat",
        ),
        (
            "POST",
            "/api/people/{id}/send",
            {"text": "Sure", "reply_to_message_id": "the last one"},
            400,
            "reply_to_message_id must be a message's number",
        ),
        ("GET", "/api/events?after=soon", None, 400, "after and timeout must be numbers"),
        ("GET", "/api/files/EMUnothing", None, 404, "no such file"),
    ],
)
async def test_bad_requests_get_a_polite_json_refusal(
    http: aiohttp.ClientSession,
    method: str,
    path: str,
    body: Json | None,
    status: int,
    description: str,
) -> None:
    ana = await create_person(http)

    async with http.request(method, path.format(id=ana["id"]), json=body) as response:
        answer = await response.json()

    assert response.status == status
    assert answer == {"ok": False, "description": description}


async def test_a_body_that_is_not_json_is_refused_politely(http: aiohttp.ClientSession) -> None:
    ana = await create_person(http)

    async with http.post(
        f"/api/people/{ana['id']}/send",
        data=b"text=hi",
        headers={"Content-Type": "application/json"},
    ) as response:
        answer = await response.json()

    assert response.status == 400
    assert answer == {"ok": False, "description": "the request body is not valid JSON"}


async def test_a_shared_location_reaches_the_bot_and_a_bad_point_is_refused(
    http: aiohttp.ClientSession, bot: Bot
) -> None:
    ana = await create_person(http)
    path = f"/api/people/{ana['id']}/location"

    status, body = await post(http, path, {"latitude": 41.39, "longitude": 2.17})
    refused = [await post(http, path, bad) for bad in ({"latitude": 91, "longitude": 0}, {})]

    assert status == 200 and body["result"]["location"] == {"latitude": 41.39, "longitude": 2.17}
    assert [code for code, _ in refused] == [400, 400]
    assert refused[0][1]["description"] == "that point is not on Earth"


async def test_a_person_attaches_someone_elses_contact_card_as_telegram_sends_it(
    http: aiohttp.ClientSession, bot: Bot
) -> None:
    ana = await create_person(http, "Ana")
    status, bea = await post(http, "/api/people", {"first_name": "Bea", "last_name": "Ruiz"})
    assert status == 200
    await send(http, ana, "/start")
    await bot.get_updates()

    status, body = await post(http, f"/api/people/{ana['id']}/contact", {"person_id": bea["id"]})
    message = (await bot.get_updates(offset=-1))[-1].message

    assert status == 200, body
    assert body["result"]["contact"] == {
        "phone_number": "+15550100002",
        "first_name": "Bea",
        "last_name": "Ruiz",
        "user_id": bea["id"],
    }
    assert message.from_user.id == ana["id"]
    assert (message.contact.user_id, message.contact.first_name) == (bea["id"], "Bea")
    state = await get(http, "/api/state")
    # Attaching a card shares nobody's own number.
    assert [p["phone_number"] for p in state["people"]] == [None, None]


async def test_sharing_ones_own_contact_needs_no_body_and_an_unknown_card_is_refused(
    http: aiohttp.ClientSession,
) -> None:
    ana = await create_person(http)
    path = f"/api/people/{ana['id']}/contact"

    async with http.post(path) as response:
        own = await response.json()
    refused = await post(http, path, {"person_id": 999})
    malformed = await post(http, path, {"person_id": "Bea"})

    assert own["result"]["contact"]["user_id"] == ana["id"]
    assert refused == (404, {"ok": False, "description": "no such person"})
    assert malformed == (400, {"ok": False, "description": "person_id must be a person's id"})
