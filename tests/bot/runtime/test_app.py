import asyncio
from datetime import UTC, datetime

import pytest
from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.app import (
    LANGUAGE_KEY,
    PRIORITY_GROUP,
    BotApplication,
    BotContext,
    PerUserUpdates,
    set_command_menus,
)
from bot.guards import ACTOR_GROUP, ADMISSION_GROUP, PRIVATE_CHAT_GROUP
from bot.i18n import t
from bot.jobs import maintain_metric_partitions
from bot.wiring import Services
from domain.adapters import city_zones
from domain.metrics.queries.partitions import (
    add_months,
    existing_partitions,
    month_start,
    partition_name,
)
from handlers.shared.common import cancel_fallback
from tests.bot.runtime.fakes import USER_ID, FakeTelegram, callback_update, message_update


async def test_guards_come_first_and_common_handlers_are_found_in_the_package(
    app: BotApplication,
) -> None:
    groups = [ADMISSION_GROUP, PRIVATE_CHAT_GROUP, ACTOR_GROUP, PRIORITY_GROUP, 0]
    assert sorted(app.handlers) == groups
    assert ("help", "command.help") in app.menus.default
    commands = {c for h in app.handlers[0] if isinstance(h, CommandHandler) for c in h.commands}
    assert {"start", "help", "cancel"} <= commands


async def test_start_greets_the_user_by_name_and_points_to_help(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    await app.process_update(message_update(app.bot, "/start"))

    # handlers/people/onboarding.py answers /start for a new user with its greeting and first
    # question.
    (greeting,) = telegram.texts(USER_ID)
    assert greeting.startswith(t("onboarding.greeting", "en", name="Ann"))


async def test_help_lists_every_command_of_the_menu(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    await app.process_update(message_update(app.bot, "/help"))

    (reply,) = telegram.texts()
    for command, key in app.menus.default:
        assert f"/{command} – {t(key, 'en')}" in reply


async def test_cancel_outside_a_flow_says_there_is_nothing_to_cancel(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    await app.process_update(message_update(app.bot, "/cancel"))

    assert telegram.texts() == [t("common.nothing_to_cancel", "en")]


async def test_cancel_inside_a_flow_ends_it(app: BotApplication, telegram: FakeTelegram) -> None:
    async def begin(update: Update, context: BotContext) -> int:
        await update.effective_message.reply_text("what is your sport?")
        return 1

    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("begin", begin)],
            states={1: [MessageHandler(filters.TEXT & ~filters.COMMAND, begin)]},
            fallbacks=[cancel_fallback()],
        )
    )

    await app.process_update(message_update(app.bot, "/begin"))
    await app.process_update(message_update(app.bot, "/cancel"))
    await app.process_update(message_update(app.bot, "football"))

    assert telegram.texts() == [
        "what is your sport?",
        t("common.cancelled", "en"),
        t("common.unexpected_message", "en"),
    ]


async def test_a_conversation_without_a_cancel_fallback_is_refused(app: BotApplication) -> None:
    async def begin(update: Update, context: BotContext) -> int:
        return 1

    with pytest.raises(ValueError, match="cancel"):
        app.add_handler(
            ConversationHandler(
                entry_points=[CommandHandler("begin", begin)], states={}, fallbacks=[]
            )
        )


async def test_an_unknown_command_is_named_in_the_reply(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    await app.process_update(message_update(app.bot, "/teleport@sc_bot now"))

    assert telegram.texts() == [t("common.unknown_command", "en", command="/teleport")]


async def test_a_photo_outside_any_flow_gets_a_hint_towards_help(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    await app.process_update(message_update(app.bot, photo=True))

    assert telegram.texts() == [t("common.unexpected_message", "en")]


async def test_a_button_from_a_finished_flow_is_answered(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    await app.process_update(callback_update(app.bot, "old"))

    (answer,) = telegram.of("answerCallbackQuery")
    assert answer.params["text"] == t("common.stale_button", "en")


async def test_a_feature_handler_added_after_the_fallbacks_still_wins(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    async def onboarding(update: Update, context: BotContext) -> None:
        await update.effective_message.reply_text("pick your role")

    app.add_handler(CommandHandler("help", onboarding))  # /help has only a fallback
    await app.process_update(message_update(app.bot, "/help"))

    assert telegram.texts() == ["pick your role"]


async def test_context_carries_the_services_and_the_users_language(
    app: BotApplication, services: Services
) -> None:
    seen: list[tuple[Services, str | None]] = []

    async def look(update: Update, context: BotContext) -> None:
        seen.append((context.services, context.lang))
        async with context.uow as tx:
            assert tx.users is not None
        context.user_data[LANGUAGE_KEY] = "ru"

    app.add_handler(CommandHandler("look", look))
    await app.process_update(message_update(app.bot, "/look", language="pt-BR"))
    await app.process_update(message_update(app.bot, "/look", language="pt-BR"))

    assert seen == [(services, "pt-BR"), (services, "ru")]
    assert "services" not in app.bot_data


async def test_command_menus_are_set_for_everyone_in_the_default_scope(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    await set_command_menus(app)

    default = [c for c in telegram.of("setMyCommands") if "language_code" not in c.params]
    (menu,) = default
    assert menu.params["scope"] == {"type": "default"}
    assert [c["command"] for c in menu.params["commands"]] == ["start", "help", "cancel"]
    assert menu.params["commands"][1]["description"] == t("command.help", "en")
    assert app.menus_set


async def test_one_users_updates_run_in_order_while_other_users_run_alongside() -> None:
    processor = PerUserUpdates(8)
    events: list[str] = []
    release_first = asyncio.Event()
    other_done = asyncio.Event()

    async def first() -> None:
        events.append("a1 start")
        await release_first.wait()
        events.append("a1 end")

    async def second() -> None:
        events.append("a2")

    async def other() -> None:
        events.append("b")
        other_done.set()

    bot = None
    a1 = message_update(bot, "one", user_id=1)  # type: ignore[arg-type]
    a2 = message_update(bot, "two", user_id=1)  # type: ignore[arg-type]
    b = message_update(bot, "hi", user_id=2)  # type: ignore[arg-type]
    tasks = [
        asyncio.create_task(processor.process_update(a1, first())),
        asyncio.create_task(processor.process_update(a2, second())),
        asyncio.create_task(processor.process_update(b, other())),
    ]
    await other_done.wait()
    assert events == ["a1 start", "b"]  # user 2 did not wait for user 1
    release_first.set()
    await asyncio.gather(*tasks)

    assert events == ["a1 start", "b", "a1 end", "a2"]


async def test_updates_waiting_behind_their_users_earlier_ones_hold_no_running_slot() -> None:
    processor = PerUserUpdates(2)
    release = asyncio.Event()
    ran: list[str] = []
    other_ran = asyncio.Event()

    async def slow(name: str) -> None:
        ran.append(name)
        await release.wait()

    async def other() -> None:
        ran.append("b")
        other_ran.set()

    bot = None
    a = [message_update(bot, str(i), user_id=1) for i in range(3)]  # type: ignore[arg-type]
    b = message_update(bot, "hi", user_id=2)  # type: ignore[arg-type]
    tasks = [asyncio.create_task(processor.process_update(u, slow(u.message.text))) for u in a]
    tasks.append(asyncio.create_task(processor.process_update(b, other())))

    # Two slots, and user 1 has three updates: only one of them can run, so user 2 gets one.
    await asyncio.wait_for(other_ran.wait(), timeout=5)
    assert ran == ["0", "b"]
    release.set()
    await asyncio.gather(*tasks)
    assert ran == ["0", "b", "1", "2"]


async def test_metric_partitions_are_kept_ahead_by_a_recurring_job(app, uow) -> None:
    jobs = app.job_queue.get_jobs_by_name("metric-partitions")
    assert len(jobs) == 1
    context = BotContext.from_job(jobs[0], app)
    await maintain_metric_partitions(context)
    async with uow as tx:
        names = await existing_partitions(tx)
    this_month = month_start(datetime.now(UTC).date())
    assert {partition_name(add_months(this_month, i)) for i in range(4)} <= names


async def test_concurrent_saves_share_one_persistence_write(app: BotApplication) -> None:
    calls: list[int] = []
    first_started, release = asyncio.Event(), asyncio.Event()

    async def slow_update_persistence() -> None:
        calls.append(len(calls))
        first_started.set()
        await release.wait()

    app.update_persistence = slow_update_persistence  # type: ignore[method-assign]
    first = asyncio.create_task(app.save_state())
    await first_started.wait()
    # These four finished their changes while the first save ran: one more save covers all.
    later = [asyncio.create_task(app.save_state()) for _ in range(4)]
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(first, *later)
    assert len(calls) == 2


async def test_the_city_index_is_built_before_updates_are_processed(app: BotApplication) -> None:
    # Building it parses a large JSON file in one call that holds the GIL: a thread running
    # it beside the first updates stalled the event loop for seconds on a busy machine.
    city_zones._cities.cache_clear()
    await app.start()
    try:
        assert city_zones._cities.cache_info().currsize == 1
    finally:
        await app.stop()
