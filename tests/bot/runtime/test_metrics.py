"""Updates are counted under the handler that took them and how they ended; Bot API calls by
method and result; labels never carry who sent an update."""

from __future__ import annotations

from prometheus_client import REGISTRY
from telegram import Update
from telegram.ext import CommandHandler

from bot.app import BotApplication, BotContext
from bot.metrics import api_method, api_result
from domain.errors import NotAllowed
from tests.bot.runtime.fakes import message_update


def updates(handler: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "sportscenter_updates_total", {"handler": handler, "outcome": outcome}
    )
    return value or 0.0


async def ping(update: Update, context: BotContext) -> None:
    await update.effective_message.reply_text("pong")


async def refuse(update: Update, context: BotContext) -> None:
    raise NotAllowed("not yours")


async def fail(update: Update, context: BotContext) -> None:
    raise RuntimeError("boom")


PING = f"{__name__}.ping"


async def test_an_update_is_counted_under_its_handler_and_a_copy_as_a_duplicate(
    app: BotApplication,
) -> None:
    app.add_handler(CommandHandler("ping", ping))
    ok, duplicate = updates(PING, "ok"), updates("none", "duplicate")

    await app.process_update(message_update(app.bot, "/ping", update_id=7001))
    await app.process_update(message_update(app.bot, "/ping", update_id=7001))

    assert updates(PING, "ok") == ok + 1
    assert updates("none", "duplicate") == duplicate + 1
    seconds = REGISTRY.get_sample_value("sportscenter_update_seconds_count", {"handler": PING})
    assert seconds is not None and seconds >= 1


async def test_a_refusal_and_a_failure_are_told_apart(app: BotApplication) -> None:
    app.add_handler(CommandHandler("refuse", refuse))
    app.add_handler(CommandHandler("fail", fail))
    refused_label, failed_label = f"{__name__}.refuse", f"{__name__}.fail"
    refused, failed = updates(refused_label, "refused"), updates(failed_label, "error")

    await app.process_update(message_update(app.bot, "/refuse", update_id=7002))
    await app.process_update(message_update(app.bot, "/fail", update_id=7003))

    assert updates(refused_label, "refused") == refused + 1
    assert updates(failed_label, "error") == failed + 1


async def test_a_handler_in_a_conversation_is_named_by_its_own_callback(
    app: BotApplication,
) -> None:
    # The real /start flow: a ConversationHandler whose entry point is people.onboarding.begin.
    before = updates("people.onboarding.begin", "ok")

    await app.process_update(message_update(app.bot, "/start", update_id=7004, user_id=4242))

    assert updates("people.onboarding.begin", "ok") == before + 1
    exposed = "\n".join(
        f"{sample.name}{sample.labels}"
        for metric in REGISTRY.collect()
        for sample in metric.samples
    )
    assert "4242" not in exposed


def test_bot_api_labels_are_bounded() -> None:
    assert api_method("POST", "http://x/bot1:abc/sendMessage") == "sendMessage"
    # A file path is no method: downloads are one label whatever the file.
    assert api_method("GET", "http://x/file/bot1:abc/videos/file_7.mp4") == "file_download"
    assert api_method("POST", "http://x/bot1:abc/" + "x" * 200) == "other"
    assert [api_result(s) for s in (200, 429, 403, 400, 502)] == [
        "ok",
        "too_many_requests",
        "forbidden",
        "client_error",
        "server_error",
    ]
