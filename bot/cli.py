"""The `sportscenter` command."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger("sportscenter")


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    """Create the database if needed and upgrade it to the newest schema."""
    from bot.migrate import migrate
    from domain.secrets_box import SecretBox

    # The key encrypts values a revision moves into encrypted columns (phone numbers, 0010).
    created = migrate(settings.database_url, SecretBox(settings.encryption_keys))
    print(
        f"database is at the newest schema; new metric partitions: {', '.join(created) or 'none'}"
    )
    return 0


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    """Check that settings are valid and Postgres, Redis and storage answer."""
    import asyncio

    from bot.health import check_services

    problems = asyncio.run(check_services(settings))
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("settings valid; Postgres, Redis and media storage answer")
    return 1 if problems else 0


def cmd_rotate_keys(settings: Settings, args: argparse.Namespace) -> int:
    """Re-encrypt stored sensitive fields under the first DATA_ENCRYPTION_KEY key."""
    import asyncio

    from bot.key_rotation import rotate_keys

    return asyncio.run(rotate_keys(settings))


def cmd_restore_metrics(settings: Settings, args: argparse.Namespace) -> int:
    """Attach an archived month of metrics again: restore-metrics 2024-01 (or its partition)."""
    import asyncio

    from bot.retention import restore_metrics

    return asyncio.run(restore_metrics(settings, args.month))


def refuse_without_key(settings: Settings) -> str | None:
    """Why a real bot must not start: with a token, a key derived from DATABASE_URL is no key."""
    if settings.telegram_bot_token and not settings.data_encryption_key:
        return (
            "DATA_ENCRYPTION_KEY is required with TELEGRAM_BOT_TOKEN: without it sensitive "
            "fields and media links use a development key anyone who knows DATABASE_URL can derive"
        )
    return None


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """Start the bot (with no TELEGRAM_BOT_TOKEN: against the local emulator and web chat)."""
    import asyncio

    from bot.runner import run_bot

    asyncio.run(run_bot(settings))
    return 0


def cmd_emulator(settings: Settings, args: argparse.Namespace) -> int:
    """Start the Telegram Bot API emulator and its web chat alone."""
    import asyncio

    from bot.runner import run_emulator

    asyncio.run(run_emulator(settings))
    return 0


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    """Process uploaded training videos (run as many as you like)."""
    import asyncio

    from bot.video_worker import run_worker

    asyncio.run(run_worker(settings))
    return 0


def unreachable_service(err: BaseException, settings: Settings) -> str | None:
    """One line for a service that is down or missing at start-up, or None for anything else."""
    from bot.service_errors import describe_unreachable

    return describe_unreachable(err, settings)


def damaged_state_file(err: BaseException) -> str | None:
    """The line for an emulator state file that cannot be read, or None for anything else."""
    # Imported only here: the emulator is loaded by the commands that start it, not by every one.
    state_file = sys.modules.get("telegram_emulator.state_file")
    if state_file is not None and isinstance(err, state_file.StateFileError):
        return str(err)
    return None


def health_port_unavailable(err: BaseException) -> str | None:
    """The line for a health port that cannot be listened on, or None for anything else."""
    from bot.health_server import HealthPortUnavailable

    return str(err) if isinstance(err, HealthPortUnavailable) else None


def say(settings: Settings, line: str) -> None:
    """A start-up failure's one line: on stderr, or as a JSON log line with LOG_FORMAT=json."""
    if settings.log_format == "json":
        log.error(line)
    else:
        print(f"sportscenter: {line}", file=sys.stderr)


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "run": cmd_run,
    "migrate": cmd_migrate,
    "check": cmd_check,
    "emulator": cmd_emulator,
    "worker": cmd_worker,
    "rotate-keys": cmd_rotate_keys,
    "restore-metrics": cmd_restore_metrics,
}
# Commands that serve real people: they refuse to start on a development key.
NEEDS_REAL_KEY = frozenset({"run", "worker"})


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: one subcommand per operation."""
    parser = argparse.ArgumentParser(
        prog="sportscenter", description="SportsCenter Telegram bot service."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, func in COMMANDS.items():
        command = sub.add_parser(name, help=(func.__doc__ or "").strip(), description=func.__doc__)
        if name == "restore-metrics":
            command.add_argument(
                "month", help="YYYY-MM, or a partition such as performance_metrics_y2024m01"
            )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    # Imported here, not at the top: each video's own process runs this module again as
    # multiprocessing's `__mp_main__` (domain.videos.processing), and needs no settings.
    from bot.logs import configure_logging
    from bot.settings import SettingsError, load_settings

    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as err:
        print(f"sportscenter: configuration error: {err}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, fmt=settings.log_format, user_key=settings.signing_key)
    if args.command in NEEDS_REAL_KEY and (reason := refuse_without_key(settings)):
        say(settings, f"configuration error: {reason}")
        return 2
    try:
        return COMMANDS[args.command](settings, args)
    except Exception as err:
        if damaged := damaged_state_file(err):
            say(settings, damaged)
            return 2
        reason = unreachable_service(err, settings) or health_port_unavailable(err)
        if reason is None:
            raise
        log.debug("start-up failed", exc_info=err)
        say(settings, reason)
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
