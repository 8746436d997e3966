"""The event loop the long-running commands run on: uvloop, unless EVENT_LOOP=asyncio.

uvloop runs the same asyncio code on libuv, with transports and callbacks written in C. An
update makes several round trips (Redis, Postgres, the Bot API), and on asyncio's own loop
their socket writes, readiness polling and callbacks were the largest share of the bot's CPU;
on uvloop `benchmarks/updates.py` handles about 1.8 times the updates a second (README,
"Benchmarks"). asyncio's loop stays one setting away, to rule the loop out when chasing a
problem or to measure the difference, and is used where uvloop does not exist (Windows).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, Literal, TypeVar

T = TypeVar("T")
EventLoop = Literal["uvloop", "asyncio"]

log = logging.getLogger(__name__)


def run(main: Coroutine[Any, Any, T], loop: EventLoop = "uvloop") -> T:
    """Run `main` to completion on a new event loop of the kind asked for, as asyncio.run."""
    if loop == "uvloop":
        try:
            import uvloop
        except ImportError:  # not built for this platform: asyncio's loop does the same work
            log.warning("uvloop is not installed; running on asyncio's event loop")
        else:
            return uvloop.run(main)
    return asyncio.run(main)


def running() -> str:
    """Which event loop runs the calling code: "uvloop" or "asyncio"."""
    module = type(asyncio.get_running_loop()).__module__
    return "uvloop" if module.startswith("uvloop") else "asyncio"
