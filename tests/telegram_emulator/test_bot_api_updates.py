"""Getting updates: long polling with getUpdates, and webhooks posted to a server we run."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update, WebhookInfo
from telegram.error import BadRequest, Conflict, Forbidden

from telegram_emulator import EmulatedUser, Emulator

PROMPT_DELAY_S = 0.2  # how long after the poll starts the person writes
DELIVERY_WAIT_S = 5.0


@dataclass
class Delivery:
    """One POST the emulator made to the bot's webhook."""

    at: float
    update: dict
    secret: str | None


@dataclass
class WebhookReceiver:
    """The bot's side of a webhook: records every POST and answers with `status`."""

    url: str = ""
    status: int = 200
    deliveries: asyncio.Queue[Delivery] = field(default_factory=asyncio.Queue)
    # While set, answers wait until the test lets them go (release): deliveries stay in flight.
    held: asyncio.Event | None = None
    status_of_chat: dict[int, int] = field(default_factory=dict)

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        self.deliveries.put_nowait(
            Delivery(
                asyncio.get_running_loop().time(),
                update,
                request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
            )
        )
        if self.held is not None:
            await self.held.wait()
        chat = update.get("message", {}).get("chat", {}).get("id")
        return web.Response(status=self.status_of_chat.get(chat, self.status))

    def hold(self) -> None:
        self.held = asyncio.Event()

    def release(self) -> None:
        assert self.held is not None
        self.held.set()
        self.held = None

    def pending(self) -> list[dict]:
        """Deliveries received and not yet taken with next()."""
        found = []
        while not self.deliveries.empty():
            found.append(self.deliveries.get_nowait().update)
        return found

    async def next(self) -> Delivery:
        return await asyncio.wait_for(self.deliveries.get(), DELIVERY_WAIT_S)


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    hook = WebhookReceiver()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    hook.url = f"http://127.0.0.1:{port}/hook"
    yield hook
    await runner.cleanup()


async def confirm_all(bot: Bot) -> None:
    updates = await bot.get_updates(timeout=0)
    if updates:
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)


async def offer_button(bot: Bot, person: EmulatedUser) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Join", callback_data="join")]])
    await bot.send_message(person.id, "Join the team?", reply_markup=markup)


# --- long polling --------------------------------------------------------------------------------


async def test_long_poll_returns_as_soon_as_an_update_arrives(bot: Bot, ana: EmulatedUser) -> None:
    await confirm_all(bot)

    async def write_later() -> None:
        await asyncio.sleep(PROMPT_DELAY_S)
        await ana.send("Are you there?")

    loop = asyncio.get_running_loop()
    writer = asyncio.create_task(write_later())
    started = loop.time()
    updates = await bot.get_updates(timeout=30)
    waited = loop.time() - started
    await writer

    assert [u.message.text for u in updates if u.message] == ["Are you there?"]
    assert PROMPT_DELAY_S <= waited < 5


async def test_long_poll_without_updates_answers_empty_after_its_timeout(
    bot: Bot, ana: EmulatedUser
) -> None:
    await confirm_all(bot)
    loop = asyncio.get_running_loop()
    started = loop.time()

    assert await bot.get_updates(timeout=1) == ()
    assert loop.time() - started >= 1


async def test_updates_come_back_until_confirmed_by_offset(bot: Bot, ana: EmulatedUser) -> None:
    await ana.send("one")
    await ana.send("two")

    first = await bot.get_updates()
    again = await bot.get_updates()
    rest = await bot.get_updates(offset=first[1].update_id)
    after_all = await bot.get_updates(offset=first[-1].update_id + 1)

    assert all(isinstance(u, Update) for u in first)
    assert [u.message.text for u in first if u.message] == ["/start", "one", "two"]
    assert [u.update_id for u in again] == [u.update_id for u in first]
    assert [u.message.text for u in rest if u.message] == ["one", "two"]
    assert after_all == ()
    assert await bot.get_updates() == ()


async def test_limit_caps_how_many_updates_one_poll_returns(bot: Bot, ana: EmulatedUser) -> None:
    await ana.send("one")

    assert len(await bot.get_updates(limit=1)) == 1
    assert len(await bot.get_updates()) == 2


async def test_allowed_updates_filters_and_is_remembered(bot: Bot, ana: EmulatedUser) -> None:
    await confirm_all(bot)
    await offer_button(bot, ana)
    await ana.send("just text")
    await ana.press("Join")

    only_presses = await bot.get_updates(allowed_updates=["callback_query"])
    still_only_presses = await bot.get_updates()
    everything = await bot.get_updates(allowed_updates=[])

    assert [u.callback_query.data for u in only_presses if u.callback_query] == ["join"]
    assert len(only_presses) == 1
    assert [u.update_id for u in still_only_presses] == [u.update_id for u in only_presses]
    assert [u.message.text if u.message else "press" for u in everything] == ["just text", "press"]


async def test_a_second_poller_ends_the_first_with_a_conflict(
    bot: Bot, emulator: Emulator, ana: EmulatedUser
) -> None:
    await confirm_all(bot)
    state, earlier_poll = emulator.bot, emulator.bot.poller
    first = asyncio.create_task(bot.get_updates(timeout=30))
    async with state.updates_changed:  # until the server holds the first poll
        await asyncio.wait_for(
            state.updates_changed.wait_for(lambda: state.poller is not earlier_poll), 5
        )

    async with Bot(emulator.token, base_url=emulator.base_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()

    with pytest.raises(Conflict, match=r"terminated by other getUpdates request"):
        await asyncio.wait_for(first, 5)


# --- webhooks ------------------------------------------------------------------------------------


async def test_without_a_webhook_the_info_shows_pending_updates(
    bot: Bot, ana: EmulatedUser
) -> None:
    info = await bot.get_webhook_info()

    assert isinstance(info, WebhookInfo)
    assert info.url == ""
    assert info.pending_update_count == 1


async def test_webhook_posts_each_update_with_the_secret_token(
    bot: Bot, ana: EmulatedUser, receiver: WebhookReceiver
) -> None:
    assert (
        await bot.set_webhook(
            receiver.url, secret_token="s3cret-token_1", drop_pending_updates=True
        )
        is True
    )

    await ana.send("Hello hook")
    delivery = await receiver.next()

    assert delivery.secret == "s3cret-token_1"
    update = Update.de_json(delivery.update, bot)
    assert update.message is not None and update.message.text == "Hello hook"
    assert update.message.from_user is not None and update.message.from_user.id == ana.id
    info = await bot.get_webhook_info()
    assert info.url == receiver.url and info.max_connections == 40


async def test_webhook_without_a_secret_sends_no_secret_header(
    bot: Bot, ana: EmulatedUser, receiver: WebhookReceiver
) -> None:
    await bot.set_webhook(receiver.url)

    delivery = await receiver.next()

    assert delivery.secret is None
    assert delivery.update["message"]["text"] == "/start"


async def test_a_failed_delivery_is_retried_with_backoff_and_then_confirmed(
    bot: Bot, ana: EmulatedUser, receiver: WebhookReceiver
) -> None:
    receiver.status = 500
    await bot.set_webhook(receiver.url, drop_pending_updates=True)
    await ana.send("first")

    tries = [await receiver.next() for _ in range(3)]

    assert {t.update["update_id"] for t in tries} == {tries[0].update["update_id"]}
    assert tries[1].at - tries[0].at >= 0.05
    assert tries[2].at - tries[1].at >= 0.1
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message is not None and "500" in info.last_error_message
    assert info.last_error_date is not None

    receiver.status = 200
    await ana.send("second")
    later = [await receiver.next()]
    while later[-1].update["message"]["text"] != "second":
        later.append(await receiver.next())
    assert {d.update["update_id"] for d in later[:-1]} == {tries[0].update["update_id"]}


async def test_webhook_sends_one_update_per_chat_at_a_time_and_chats_at_once(
    emulator: Emulator, bot: Bot, receiver: WebhookReceiver
) -> None:
    ana, ben = emulator.user("Ana"), emulator.user("Ben")
    await bot.set_webhook(receiver.url, drop_pending_updates=True)
    receiver.hold()
    await ana.send("ana 1")
    await ana.send("ana 2")
    await ben.send("ben 1")

    in_flight = {(await receiver.next()).update["message"]["text"] for _ in range(2)}
    await asyncio.sleep(0.2)  # time enough for a wrongly sent "ana 2" to arrive

    assert in_flight == {"ana 1", "ben 1"}
    assert receiver.pending() == []
    receiver.release()
    assert (await receiver.next()).update["message"]["text"] == "ana 2"


async def test_webhook_keeps_within_max_connections(
    emulator: Emulator, bot: Bot, receiver: WebhookReceiver
) -> None:
    people = [emulator.user(f"P{i}") for i in range(3)]
    await bot.set_webhook(receiver.url, max_connections=2, drop_pending_updates=True)
    receiver.hold()
    for person in people:
        await person.send("hi")

    first = [await receiver.next() for _ in range(2)]
    await asyncio.sleep(0.2)

    assert receiver.pending() == []
    receiver.release()
    third = await receiver.next()
    assert {d.update["message"]["from"]["id"] for d in [*first, third]} == {p.id for p in people}


async def test_a_failing_chat_waits_alone_while_other_chats_are_delivered(
    emulator: Emulator, bot: Bot, receiver: WebhookReceiver
) -> None:
    ana, ben = emulator.user("Ana"), emulator.user("Ben")
    receiver.status_of_chat[ana.id] = 500
    await bot.set_webhook(receiver.url, drop_pending_updates=True)
    await ana.send("ana 1")
    await ana.send("ana 2")
    await ben.send("ben 1")
    await ben.send("ben 2")

    seen = [(await receiver.next()).update["message"]["text"] for _ in range(5)]

    assert [text for text in seen if text.startswith("ben")] == ["ben 1", "ben 2"]
    assert {text for text in seen if text.startswith("ana")} == {"ana 1"}
    del receiver.status_of_chat[ana.id]
    later = [(await receiver.next()).update["message"]["text"]]
    while later[-1] != "ana 2":
        later.append((await receiver.next()).update["message"]["text"])
    assert set(later[:-1]) == {"ana 1"}  # retried until it went through, then the next


async def test_webhook_delivers_only_allowed_updates(
    bot: Bot, ana: EmulatedUser, receiver: WebhookReceiver
) -> None:
    await bot.set_webhook(
        receiver.url, allowed_updates=["callback_query"], drop_pending_updates=True
    )
    await offer_button(bot, ana)
    await ana.send("not wanted")
    await ana.press("Join")

    delivery = await receiver.next()

    assert "message" not in delivery.update
    assert delivery.update["callback_query"]["data"] == "join"
    assert (await bot.get_webhook_info()).allowed_updates == ("callback_query",)


async def test_get_updates_is_a_conflict_while_a_webhook_is_set(
    bot: Bot, ana: EmulatedUser, receiver: WebhookReceiver
) -> None:
    receiver.status = 500  # keep the /start pending
    await bot.set_webhook(receiver.url)

    with pytest.raises(Conflict, match=r"(?i)can't use getUpdates method while webhook is active"):
        await bot.get_updates()

    assert await bot.delete_webhook() is True
    assert (await bot.get_webhook_info()).url == ""
    assert [u.message.text for u in await bot.get_updates() if u.message] == ["/start"]


async def test_deleting_the_webhook_can_drop_pending_updates(bot: Bot, ana: EmulatedUser) -> None:
    assert await bot.delete_webhook(drop_pending_updates=True) is True

    assert await bot.get_updates() == ()
    assert (await bot.get_webhook_info()).pending_update_count == 0


@pytest.mark.parametrize(
    "url", ["http://example.org/hook", "http://10.1.2.3/hook", "ftp://127.0.0.1/hook"]
)
async def test_webhook_urls_must_be_https_except_on_loopback(bot: Bot, url: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)https url must be provided for webhook"):
        await bot.set_webhook(url)
    assert (await bot.get_webhook_info()).url == ""


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook", "http://localhost:9/hook"])
async def test_loopback_http_webhooks_are_accepted(bot: Bot, url: str) -> None:
    assert await bot.set_webhook(url, drop_pending_updates=True) is True
    assert (await bot.get_webhook_info()).url == url
    await bot.delete_webhook()


@pytest.mark.parametrize("secret", ["no spaces!", "sécret", "x" * 257])
async def test_a_secret_token_outside_a_z_0_9_dash_underscore_is_refused(
    bot: Bot, receiver: WebhookReceiver, secret: str
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)secret token contains unallowed characters"):
        await bot.set_webhook(receiver.url, secret_token=secret)
    assert (await bot.get_webhook_info()).url == ""


async def test_in_groups_the_bot_gets_only_commands_mentions_and_replies(emulator, bot) -> None:
    ana, ben = emulator.user("Ana"), emulator.user("Ben")
    team = emulator.group("Team", [ana, ben])
    await ben.send("see you at practice", chat=team)
    await ana.send("/help", chat=team)
    await ana.send(f"@{emulator.bot.username} when is practice?", chat=team)
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates] == [
        "/help",
        f"@{emulator.bot.username} when is practice?",
    ]


async def test_a_bot_added_to_a_group_is_told_and_may_write_there_until_removed(
    emulator, bot
) -> None:
    ana, ben = emulator.user("Ana"), emulator.user("Ben")
    team = emulator.group("Team", [ana, ben], with_bot=False)
    await ana.send("/help", chat=team)
    with pytest.raises(Forbidden, match="not a member"):
        await bot.send_message(team.id, "hello")

    await ana.add_bot_to(team)
    added = await bot.get_updates(timeout=0)
    await ben.send("/help", chat=team)
    await bot.send_message(team.id, "hello")
    await ana.remove_bot_from(team)
    rest = await bot.get_updates(offset=added[-1].update_id + 1, timeout=0)

    change = added[0].my_chat_member
    assert (change.old_chat_member.status, change.new_chat_member.status) == ("left", "member")
    assert (change.from_user.id, change.chat.id) == (ana.id, team.id)
    assert [u.id for u in added[1].message.new_chat_members] == [bot.id]
    assert rest[0].message.text == "/help"
    assert rest[1].my_chat_member.new_chat_member.status == "left"
    with pytest.raises(Forbidden, match="not a member"):
        await bot.send_message(team.id, "still there?")
