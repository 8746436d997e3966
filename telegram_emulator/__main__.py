"""`python -m telegram_emulator`: serve the Bot API and the web chat until Ctrl+C.

Prints the web chat URL, the bot token and the base URL to point a bot at.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from telegram_emulator.driver import Emulator
from telegram_emulator.naming import DEFAULT_BOT_NAME

DEFAULT_PORT = 8081


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: where to listen and how the bot is named."""
    parser = argparse.ArgumentParser(
        prog="python -m telegram_emulator",
        description="A Telegram Bot API server with a web chat, for trying and testing bots.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--token", help="the bot token to accept as the primary bot's")
    parser.add_argument("--bot-name", default=DEFAULT_BOT_NAME, help="the bot's first_name")
    parser.add_argument("--bot-username", help="the bot's @username (default: from its name)")
    parser.add_argument("--title", help="the web chat's page title")
    parser.add_argument(
        "--no-limits", action="store_true", help="switch off flood control (429 answers)"
    )
    parser.add_argument(
        "--local-mode", action="store_true", help="serve downloads of any size (local Bot API)"
    )
    parser.add_argument(
        "--state-file",
        help="keep people, chats and ids in this JSON file across restarts (default: keep nothing)",
    )
    return parser.parse_args(argv)


def build(args: argparse.Namespace) -> Emulator:
    """The emulator the command line describes (ValueError for a name Telegram would refuse)."""
    return Emulator(
        host=args.host,
        port=args.port,
        limits=not args.no_limits,
        token=args.token,
        local_mode=args.local_mode,
        bot_name=args.bot_name,
        bot_username=args.bot_username,
        title=args.title,
        state_file=args.state_file,
    )


async def serve(emulator: Emulator, stop: asyncio.Event | None = None) -> None:
    """Run the emulator until `stop` is set (by default: SIGINT or SIGTERM)."""
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
    async with emulator:
        limits = "on" if emulator.world.flood.enabled else "OFF"
        print(f"Telegram emulator listening; Telegram's limits are {limits}.", flush=True)
        print(f"Open the web chat: {emulator.url}/", flush=True)
        print(f"Bot token: {emulator.token}", flush=True)
        print(f"Bot API base URL: {emulator.base_url}", flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    """Entry point of `python -m telegram_emulator`."""
    args = parse_args(argv)
    try:
        emulator = build(args)
    except ValueError as err:
        raise SystemExit(f"telegram_emulator: {err}") from None
    asyncio.run(serve(emulator))


if __name__ == "__main__":
    main()
