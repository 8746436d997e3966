"""The whole runtime against the emulator over HTTP: polling, webhook, floods, blocks, restarts."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web
from sqlalchemy import select
from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.app import BotApplication, BotContext
from bot.sending import send_text
from bot.webhook_server import SECRET_HEADER, webhook_app
from bot.wiring import Services
from domain.models import User
from handlers.shared.common import cancel_fallback
from telegram_emulator import Emulator
from telegram_emulator.limits import FloodControl

Setup = Callable[[BotApplication], None]


async def test_start_is_answered_over_http(emulator: Emulator, run_bot, uow) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator):
        await ana.send("/start")
        reply = await ana.expect_reply(contains="SportsCenter")
    assert "Ana" in reply["text"]


async def test_commands_menu_is_set_on_start(emulator: Emulator, run_bot, uow) -> None:
    async with run_bot(emulator):
        commands = emulator.bot.commands[("default", "")]
    assert {c["command"] for c in commands} >= {"start", "help", "cancel"}


def _burst(count: int) -> Setup:
    async def burst(update: Update, context: BotContext) -> None:
        for i in range(count):
            await update.effective_message.reply_text(f"part {i + 1} of {count}")

    return lambda app: app.add_handler(CommandHandler("burst", burst))


async def test_a_429_is_waited_out_and_every_message_arrives(run_bot, uow) -> None:
    # Past the burst Telegram lets through to one private chat, so some sends get a 429.
    count = FloodControl.PRIVATE[0] + 3
    async with Emulator(limits=True) as limited:
        ana = limited.user("Ana")
        async with run_bot(limited, _burst(count)):
            await ana.send("/burst")
            for i in range(count):
                await ana.expect_reply(contains=f"part {i + 1} of {count}", timeout=10)
        assert limited.world.flood.refusals >= 1


async def test_a_user_who_blocked_the_bot_is_marked_unreachable_and_not_retried(
    emulator: Emulator, run_bot, uow
) -> None:
    ana, ben = emulator.user("Ana"), emulator.user("Ben")
    async with uow as tx:
        tx.users.add(User(role="athlete", first_name="Ana", telegram_user_id=ana.id))
        await tx.commit()
    may_answer = asyncio.Event()

    async def slow_echo(update: Update, context: BotContext) -> None:
        await may_answer.wait()
        await update.effective_message.reply_text("echo")

    async with run_bot(emulator, lambda app: app.add_handler(CommandHandler("echo", slow_echo))):
        await ana.send("/echo")
        ana.block_bot()
        may_answer.set()
        await ben.send("/start")  # the bot keeps serving others
        await ben.expect_reply(contains="SportsCenter")
        for _ in range(100):
            async with uow as tx:
                status = await tx.session.scalar(
                    select(User.status).where(User.telegram_user_id == ana.id)
                )
            if status == "blocked":
                break
            await asyncio.sleep(0.02)
    assert status == "blocked"
    assert ana.events("message")[-1].data["text"] == "/echo"  # nothing got through


async def test_long_text_reaches_the_user_in_parts_under_the_limit(
    emulator: Emulator, run_bot, uow
) -> None:
    paragraphs = [f"Paragraph {i}: " + "drill " * 60 for i in range(40)]
    text = "\n\n".join(paragraphs)

    async def report(update: Update, context: BotContext) -> None:
        await send_text(context.bot, update.effective_chat.id, text)

    ana = emulator.user("Ana")
    async with run_bot(emulator, lambda app: app.add_handler(CommandHandler("report", report))):
        await ana.send("/report")
        parts = [await ana.expect_reply(timeout=10)]
        while "Paragraph 39" not in parts[-1]["text"]:
            parts.append(await ana.expect_reply(timeout=10))
    assert len(parts) >= 3
    assert all(len(p["text"]) <= 4096 for p in parts)
    assert " ".join(" ".join(p["text"] for p in parts).split()) == " ".join(text.split())


NAME, SPORT = range(2)


def _flow(app: BotApplication) -> None:
    async def begin(update: Update, context: BotContext) -> int:
        await update.effective_message.reply_text("What is your name?")
        return NAME

    async def name(update: Update, context: BotContext) -> int:
        context.user_data["name"] = update.effective_message.text
        await update.effective_message.reply_text("Which sport?")
        return SPORT

    async def sport(update: Update, context: BotContext) -> int:
        await update.effective_message.reply_text(
            f"Saved {context.user_data['name']}, {update.effective_message.text}"
        )
        return ConversationHandler.END

    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("survey", begin)],
            states={
                NAME: [MessageHandler(filters.TEXT & ~filters.COMMAND, name)],
                SPORT: [MessageHandler(filters.TEXT & ~filters.COMMAND, sport)],
            },
            fallbacks=[cancel_fallback()],
            name="test_profile",
            persistent=True,
        )
    )


async def test_a_restart_mid_conversation_resumes_at_the_same_step(
    emulator: Emulator, run_bot, uow
) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator, _flow):
        await ana.send("/survey")
        await ana.expect_reply(contains="name")
        await ana.send("Ana")
        await ana.expect_reply(contains="sport")
    async with run_bot(emulator, _flow):  # a new Application on the same Redis
        await ana.send("tennis")
        reply = await ana.expect_reply(contains="Saved")
    assert reply["text"] == "Saved Ana, tennis"


@asynccontextmanager
async def webhook_server(
    app: BotApplication, services: Services, secret: str, fail_first: int = 0
) -> AsyncIterator[str]:
    """Our webhook endpoint on a free port; the first `fail_first` answers become 500s."""
    failures = [fail_first]

    @web.middleware
    async def flaky(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ):
        response = await handler(request)
        if request.path == "/telegram" and response.status == 200 and failures[0] > 0:
            failures[0] -= 1
            return web.Response(
                status=500, text="proxy error"
            )  # processed, but Telegram can't know
        return response

    server_app = webhook_app(app, services, secret=secret)
    server_app.middlewares.append(flaky)
    runner = web.AppRunner(server_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/telegram"
    finally:
        await runner.cleanup()


def _counting(calls: list[int]) -> Setup:
    async def count(update: Update, context: BotContext) -> None:
        calls.append(update.update_id)
        await update.effective_message.reply_text(f"counted {len(calls)}")

    return lambda app: app.add_handler(CommandHandler("count", count))


async def test_webhook_redelivery_after_a_500_has_one_effect(
    emulator: Emulator, run_bot, services: Services, uow
) -> None:
    calls: list[int] = []
    secret = uuid.uuid4().hex
    ana = emulator.user("Ana")
    async with (
        run_bot(emulator, _counting(calls), polling=False) as app,
        webhook_server(app, services, secret, fail_first=1) as url,
    ):
        await app.bot.set_webhook(url, secret_token=secret)
        await ana.send("/count")
        await ana.expect_reply(contains="counted 1")
        for _ in range(200):  # the 500 made the emulator deliver the same update again
            if not emulator.bot.updates:
                break
            await asyncio.sleep(0.01)
        info = await app.bot.get_webhook_info()
    assert info.pending_update_count == 0
    assert "500" in (info.last_error_message or "")
    assert len(calls) == 1


async def test_webhook_with_a_wrong_secret_is_refused_and_not_processed(
    emulator: Emulator, run_bot, services: Services, uow
) -> None:
    calls: list[int] = []
    async with (
        run_bot(emulator, _counting(calls), polling=False) as app,
        webhook_server(app, services, "right-secret") as url,
        aiohttp.ClientSession() as http,
    ):
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 5, "type": "private"},
                "from": {"id": 5, "is_bot": False, "first_name": "Eve"},
                "text": "/count",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
        async with http.post(url, json=update, headers={SECRET_HEADER: "wrong"}) as wrong:
            status = wrong.status
        async with http.post(url, json=update) as missing:
            missing_status = missing.status
    assert (status, missing_status) == (403, 403)
    assert calls == []


NOT_UPDATES = [
    None,
    [],
    "text",
    5,
    {},
    {"update_id": "x"},
    {"update_id": 1, "message": 5},
    {"update_id": 2, "message": {"message_id": 1}},
    {"update_id": 3, "message": {"message_id": 1, "date": "z", "chat": {"id": 1, "type": "x"}}},
]


async def test_webhook_json_that_is_not_an_update_gets_400_and_no_traceback(
    emulator: Emulator, run_bot, services: Services, uow, caplog
) -> None:
    async with (
        run_bot(emulator, polling=False) as app,
        webhook_server(app, services, "s") as url,
        aiohttp.ClientSession() as http,
    ):
        statuses = []
        for body in NOT_UPDATES:
            async with http.post(url, json=body, headers={SECRET_HEADER: "s"}) as response:
                statuses.append(response.status)
    assert statuses == [400] * len(NOT_UPDATES)
    assert not [record for record in caplog.records if record.exc_info]


async def test_help_in_a_group_points_to_the_private_chat_and_plain_chatter_is_left_alone(
    emulator: Emulator, run_bot, uow
) -> None:
    ana, ben = emulator.user("Ana"), emulator.user("Ben")
    team = emulator.group("U14 sprinters", [ana, ben])
    async with run_bot(emulator):
        await ben.send("see you at practice", chat=team)
        await ana.send("/help", chat=team)
        reply = await ana.expect_reply(contains=f"t.me/{emulator.bot.username}", chat=team)
    # Every command is personal: the group hears where to talk, not the list of commands.
    assert reply["chat"]["type"] == "group" and "\n" not in reply["text"]
    bot_messages = [
        e
        for e in ana.emulator.world.events
        if e.chat_id == team.id and e.data.get("from", {}).get("is_bot")
    ]
    assert len(bot_messages) == 1  # nothing said about the chatter


async def test_webhook_shutdown_finishes_the_update_in_flight(
    emulator: Emulator, run_bot, services: Services, uow
) -> None:
    started, release, finished = asyncio.Event(), asyncio.Event(), []

    async def slow(update: Update, context: BotContext) -> None:
        started.set()
        await release.wait()
        await update.effective_message.reply_text("finished")
        finished.append(update.update_id)

    ana = emulator.user("Ana")
    secret = uuid.uuid4().hex
    setup = lambda app: app.add_handler(CommandHandler("slow", slow))  # noqa: E731
    async with run_bot(emulator, setup, polling=False) as app:
        runner = web.AppRunner(webhook_app(app, services, secret=secret), shutdown_timeout=10)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        await app.bot.set_webhook(f"http://127.0.0.1:{port}/telegram", secret_token=secret)
        await ana.send("/slow")
        await started.wait()
        stopping = asyncio.create_task(runner.cleanup())  # SIGTERM arrives mid-update
        await asyncio.sleep(0)
        release.set()
        await stopping
        await ana.expect_reply(contains="finished")
    assert len(finished) == 1
