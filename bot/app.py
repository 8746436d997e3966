"""The application, built in one place: Telegram client, persistence, guards, handlers, menus.

Handlers are found, not listed: every capability package of `handlers` is imported and its
`register(application)` called (see `handlers/__init__.py` for the contract).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil
import warnings
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, cast

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseHandler,
    BaseUpdateProcessor,
    CallbackContext,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    ExtBot,
    TypeHandler,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot import errors, guards, metrics, update_scope
from bot.bounded_bot import BoundedBot
from bot.i18n import DEFAULT_LANGUAGE, languages, t
from bot.jobs import schedule_maintenance
from bot.persistence import RedisPersistence
from bot.settings import Settings
from bot.telegram_http import AiohttpRequest
from bot.update_scope import UpdateScope
from bot.user_turns import UserTurns, owner_of
from bot.wiring import Services
from domain.adapters import city_zones
from domain.admin import admins
from domain.policy import Actor
from domain.uow import UnitOfWork

logger = logging.getLogger(__name__)

# Our flows mix message and button steps with per_message=False on purpose: a button is tied
# to the user's flow, not to one message, and stale or forged presses are caught by each
# flow's typed callback data and refused by bot.callbacks. PTB warns about that combination on
# every ConversationHandler.
warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)

# The group every feature handler uses; fallbacks are kept at its end (add_fallback_handler).
FEATURE_GROUP = 0
# Before the features, after the guards: updates that must reach their handler whatever flow
# the person is in (a payment Telegram already took); such a handler ends the update there.
PRIORITY_GROUP = -1
# Enough for a busy bot; updates of one user still run one after another (PerUserUpdates).
MAX_CONCURRENT_UPDATES = 64
# Updates let in at once, most of them waiting behind their own user's earlier ones: PTB has
# already made a task of each, so this only bounds how many queue for the user's turn.
MAX_ADMITTED_UPDATES = 4096
# Connections to the Bot API: enough for concurrent updates without scanning a huge pool.
HTTP_POOL_SIZE = 16
# The user_data key a chosen language is kept under; it wins over Telegram's language_code.
LANGUAGE_KEY = "language"

Command = tuple[str, str]  # (command without "/", i18n key of its description)


@dataclass
class CommandMenus:
    """The bot's command menus: everyone's, and extra commands per role."""

    default: list[Command] = field(default_factory=list)
    by_role: dict[str, list[Command]] = field(default_factory=dict)

    def for_role(self, role: str | None) -> list[Command]:
        """Everyone's commands followed by those of `role`."""
        return [*self.default, *self.by_role.get(role or "", [])]


class BotApplication(
    Application[Any, "BotContext", dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
):
    """PTB's Application carrying SportsCenter's services (which are never persisted)."""

    def __init__(self, *, services: Services, settings: Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services
        self.settings = settings
        self.menus = CommandMenus()
        # Commands meant for groups, let through there by bot.guards (flows' GROUP_COMMANDS).
        self.group_commands: set[str] = set()
        # Update ids this process claimed (bot.guards) and has not finished yet.
        self.claimed_updates: set[int] = set()
        # One update per user at a time across every process of this bot (see bot.user_turns).
        self.user_turns = UserTurns(services.redis, services.keys, shared=replicated(settings))
        self.menus_set = False
        self._fallbacks: list[BaseHandler[Any, Any, Any]] = []
        # Saves of persistence, counted: see save_state().
        self._saves_wanted = 0
        self._saves_done = 0
        self._save_lock = asyncio.Lock()

    def add_handler(self, handler: BaseHandler[Any, Any, Any], group: int = FEATURE_GROUP) -> None:
        """Add a handler; in the feature group it goes before the fallbacks, whenever added."""
        if group >= PRIORITY_GROUP:  # the guards are no handler an update is counted under
            metrics.labelled(handler)
        if isinstance(handler, ConversationHandler):
            _require_cancel(handler)
            if isinstance(self.persistence, RedisPersistence):
                self.persistence.track_conversation(handler)
        if group != FEATURE_GROUP or not self._fallbacks:
            super().add_handler(handler, group)
            return
        # PTB runs the first matching handler of a group, so order is precedence.
        for fallback in self._fallbacks:
            self.remove_handler(fallback, FEATURE_GROUP)
        super().add_handler(handler, group)
        for fallback in self._fallbacks:
            super().add_handler(fallback, FEATURE_GROUP)

    def add_fallback_handler(self, handler: BaseHandler[Any, Any, Any]) -> None:
        """Handle in the feature group only what no feature handler takes, even one added later."""
        metrics.labelled(handler)
        super().add_handler(handler, FEATURE_GROUP)
        self._fallbacks.append(handler)

    def add_flows(self, flows: Iterable[ModuleType]) -> None:
        """Add each flow module's handlers, in order, its commands to the menus, and note the
        commands it means for groups."""
        for module in flows:
            module.register(self)
            self.menus.default.extend(getattr(module, "COMMANDS", []))
            for role, commands in getattr(module, "ROLE_COMMANDS", {}).items():
                self.menus.by_role.setdefault(role, []).extend(commands)
            self.group_commands.update(getattr(module, "GROUP_COMMANDS", ()))

    async def start(self) -> None:
        """Start processing; sets the command menus first if `post_init` did not run."""
        # post_init only runs under run_polling/run_webhook; a runner that drives initialize()
        # and start() itself still gets its menus.
        if not self.menus_set:
            await set_command_menus(self)
        # The city index takes a second or two to build: not on the first person's time, and
        # not beside the first updates either (its JSON parse holds the GIL in one call, which
        # stalled the event loop for seconds): built here, before any update is processed.
        await asyncio.to_thread(city_zones.load)
        await self.services.limiter.load_scripts()
        await super().start()

    async def end_conversations_of(self, telegram_user_id: int) -> int:
        """End every flow the person is in, here and in Redis (an admin's reset); how many."""
        ended = 0
        for handlers in self.handlers.values():
            for handler in handlers:
                if isinstance(handler, ConversationHandler):
                    ended += await self._end_in(handler, telegram_user_id)
        return ended

    async def _end_in(self, handler: ConversationHandler[Any], telegram_user_id: int) -> int:
        # PTB keeps each flow's states in a dict keyed (chat id, user id) for these per-user
        # flows; ending one is forgetting its key, and telling persistence it ended.
        states = handler._conversations
        mine = [key for key in states if len(key) > 1 and key[1] == telegram_user_id]
        for key in mine:
            states.pop(key, None)
            if handler.persistent and self.persistence is not None:
                await self.persistence.update_conversation(str(handler.name), key, None)
        nested = [
            await self._end_in(inner, telegram_user_id)
            for state in handler.states.values()
            for inner in state
            if isinstance(inner, ConversationHandler)
        ]
        return len(mine) + sum(nested)

    async def initialize(self) -> None:
        """Initialize, then let the persistence refresh conversation states before updates."""
        await super().initialize()
        if isinstance(self.persistence, RedisPersistence):
            # PTB keeps no public handle on them; the mapping is filled once here and kept.
            self.persistence.watch_conversations(self._conversation_handler_conversations)

    async def process_update(self, update: object) -> None:
        """In the user's turn: process one update (their state read fresh), save what it
        changed, then mark it done; count and time it."""
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        user = update.effective_user
        scope = UpdateScope(update.update_id, user.id if user is not None else None)
        token = update_scope.enter(scope)
        try:
            async with self.user_turns.turn(owner_of(update)):
                await super().process_update(update)
                # Write-through: a restart, or another replica, resumes from the new state.
                await self.save_state()
                await guards.finish_update(self, update)
        except BaseException:
            scope.outcome = "error"
            raise
        finally:
            seconds = metrics.record_update(scope)
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("update handled", extra={"duration_ms": round(seconds * 1000, 1)})
            update_scope.leave(token)

    async def save_state(self) -> None:
        """Persist all state changed so far; concurrent callers share one save."""
        # A save snapshots everything changed before it starts, so an update whose changes
        # were made before a save began is covered by it: under load one save serves many
        # updates instead of each paying for its own.
        self._saves_wanted += 1
        mine = self._saves_wanted
        async with self._save_lock:
            if self._saves_done >= mine:
                return
            covers = self._saves_wanted
            await self.update_persistence()
            self._saves_done = covers


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The `context` every handler gets: PTB's, plus services, the unit of work, the acting
    user and the language."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self._telegram_language: str | None = None
        self._actor: Actor | None = None
        self._actor_loaded = False

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> BotContext:
        """Build the context, remembering the language Telegram reports for the user."""
        context = cast(BotContext, super().from_update(update, application))
        if isinstance(update, Update) and update.effective_user is not None:
            context._telegram_language = update.effective_user.language_code
        return context

    @property
    def application(self) -> BotApplication:
        """The running application."""
        return cast(BotApplication, self._application)

    @property
    def services(self) -> Services:
        """Database, Redis, cache, limiter and storage."""
        return self.application.services

    @property
    def uow(self) -> UnitOfWork:
        """Opens the transactions of the domain calls a handler makes."""
        return self.services.uow

    @property
    def actor(self) -> Actor | None:
        """Who is acting, with their relations, language and time zone; None before sign-up.

        Loaded once per update, before any handler (`bot.guards.load_acting_user`). A handler
        whose domain call changes its own user's role or relations (signing up, adding a child,
        accepting an invitation) renders from what that call returns, not from this actor.
        """
        if not self._actor_loaded:
            raise RuntimeError("no acting user: bot.guards.load_acting_user did not run")
        return self._actor

    @actor.setter
    def actor(self, actor: Actor | None) -> None:
        self._actor, self._actor_loaded = actor, True

    @property
    def timezone(self) -> str:
        """The time zone the acting user sees times in (UTC before sign-up)."""
        return self.actor.timezone if self.actor is not None else "UTC"

    @property
    def lang(self) -> str | None:
        """The user's language: the one they chose in the bot, else Telegram's."""
        chosen = self.user_data.get(LANGUAGE_KEY) if self.user_data is not None else None
        return chosen if isinstance(chosen, str) else self._telegram_language


class PerUserUpdates(BaseUpdateProcessor):
    """Runs updates concurrently, except that one user's updates run in the order they came.

    PTB takes its own semaphore before `do_process_update`. Were that the bound on running
    updates, a user with ten updates queued would hold ten of its slots while only one of them
    can run: a burst from a few people filled every slot, and the bot waited on those few
    people's round trips one update at a time. So PTB's bound counts updates let in (waiting
    behind their own user's, or running), and the bound on running ones is taken only once the
    user's turn has come.
    """

    def __init__(self, max_running: int, *, max_admitted: int = MAX_ADMITTED_UPDATES) -> None:
        super().__init__(max(max_admitted, max_running))
        self._running = asyncio.Semaphore(max_running)
        self._locks: dict[int, asyncio.Lock] = {}
        self._queued: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the same user's earlier updates, then for a free slot; process this one."""
        owner = owner_of(update)
        if owner is None:
            async with self._running:
                await coroutine
            return
        # Two quick taps must not both read the same conversation state and both advance it.
        lock = self._locks.setdefault(owner, asyncio.Lock())
        self._queued[owner] = self._queued.get(owner, 0) + 1
        try:
            async with lock, self._running:
                await coroutine
        finally:
            self._queued[owner] -= 1
            if not self._queued[owner]:
                del self._queued[owner], self._locks[owner]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def replicated(settings: Settings) -> bool:
    """Whether other processes may handle this bot's updates: only behind a webhook (a polling
    bot is one process, as Telegram allows one getUpdates consumer per bot)."""
    return settings.webhook_url is not None


def build_application(
    settings: Settings,
    services: Services,
    *,
    base_url: str,
    base_file_url: str,
    token: str,
    request: BaseRequest | None = None,
) -> BotApplication:
    """The whole bot, ready to initialize and run; `request` replaces the HTTP client in tests."""
    bot = BoundedBot(
        token=token,
        base_url=base_url,
        base_file_url=base_file_url,
        local_mode=settings.telegram_local_mode,
        rate_limiter=outgoing_rate_limiter(settings),
        request=request or AiohttpRequest(connection_pool_size=HTTP_POOL_SIZE),
        get_updates_request=request or AiohttpRequest(connection_pool_size=1),
    )
    builder = (
        Application.builder()
        .application_class(BotApplication, kwargs={"services": services, "settings": settings})
        .context_types(ContextTypes(context=BotContext))
        .bot(bot)
        .persistence(
            RedisPersistence(services.redis, services.keys, shared_state=replicated(settings))
        )
        .concurrent_updates(PerUserUpdates(MAX_CONCURRENT_UPDATES))
        .post_init(set_command_menus)
    )
    application = cast(BotApplication, builder.build())
    application.add_handler(TypeHandler(Update, guards.admit_update), guards.ADMISSION_GROUP)
    application.add_handler(
        TypeHandler(Update, guards.keep_to_private_chats), guards.PRIVATE_CHAT_GROUP
    )
    application.add_handler(TypeHandler(Update, guards.load_acting_user), guards.ACTOR_GROUP)
    application.add_error_handler(errors.on_error)
    register_handlers(application, handler_packages())
    schedule_maintenance(application)
    return application


def outgoing_rate_limiter(settings: Settings) -> AIORateLimiter:
    """Pace sends to Telegram's limits and wait out 429s (up to three times) instead of failing."""
    if settings.outgoing_rate_limit == "off":
        logger.warning("outgoing rate limit is OFF: sends are not paced, 429s are still retried")
        return AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)
    return AIORateLimiter(max_retries=3)


def handler_packages() -> list[ModuleType]:
    """Every capability package of `handlers`, in name order."""
    import handlers

    names = sorted(info.name for info in pkgutil.iter_modules(handlers.__path__) if info.ispkg)
    return [importlib.import_module(f"handlers.{name}") for name in names]


def handler_modules() -> list[ModuleType]:
    """Every flow module the capability packages register, package by package."""
    return [module for package in handler_packages() for module in package.flows()]


def register_handlers(application: BotApplication, packages: Iterable[ModuleType]) -> None:
    """Let each capability package add its flows and announce their commands."""
    for package in packages:
        package.register(application)


async def set_command_menus(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Set everyone's menu in every catalogue language, and the admins' menu (post_init)."""
    app = cast(BotApplication, application)
    app.menus_set = True
    for lang in languages():
        # The default-language menu also serves every language without a catalogue.
        code = None if lang == DEFAULT_LANGUAGE else lang
        await _set_menu(app, app.menus.default, lang, BotCommandScopeDefault(), code)
    # ADMIN_TELEGRAM_IDS seeds the admins while there are none; the database says who they are.
    chats = await admins.seed(app.services.uow, telegram_user_ids=app.settings.admin_telegram_ids)
    if app.menus.by_role.get("admin"):
        for chat_id, lang in chats:
            await set_chat_menu(app, chat_id, "admin", lang)


async def set_chat_menu(
    application: BotApplication, chat_id: int, role: str | None, lang: str | None
) -> None:
    """Show one private chat the menu of its user's role, in their language."""
    commands = application.menus.for_role(role)
    await _set_menu(application, commands, lang, BotCommandScopeChat(chat_id), None)


async def _set_menu(
    application: BotApplication,
    commands: list[Command],
    lang: str | None,
    scope: BotCommandScopeDefault | BotCommandScopeChat,
    language_code: str | None,
) -> None:
    menu = [BotCommand(command, t(key, lang)) for command, key in commands]
    try:
        await application.bot.set_my_commands(menu, scope=scope, language_code=language_code)
    except TelegramError as err:
        # A missing menu is cosmetic; it must not keep the bot from starting.
        logger.warning("could not set the %s command menu: %r", scope.type, err)


def _require_cancel(handler: ConversationHandler[Any]) -> None:
    # /cancel must end any flow; a flow without it would trap the user until it times out.
    for fallback in handler.fallbacks:
        if isinstance(fallback, CommandHandler) and "cancel" in fallback.commands:
            return
    raise ValueError(
        f"conversation {handler.name!r} needs a /cancel fallback: "
        "handlers.shared.common.cancel_fallback()"
    )
