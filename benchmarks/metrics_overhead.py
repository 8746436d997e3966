"""What the metrics and the log context cost an update and a Bot API call, in microseconds.

The per-update work `BotApplication.process_update` adds (open the update's scope, the handler
naming itself, count and time the update, the DEBUG check, close the scope) and the per-call
work `AiohttpRequest.do_request` adds (label the method and result, count and time the call),
each run 200,000 times against the same loop without it; best of 5 rounds. No services needed.

Last line: {"update_overhead_us", "api_call_overhead_us"}.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable

from bot import metrics, update_scope
from bot.update_scope import UpdateScope

ROUNDS = 5
N = 200_000
log = logging.getLogger("bench")


async def handler(update: object, context: object) -> None:
    return None


async def bare(n: int) -> None:
    for i in range(n):
        await handler(i, None)


async def instrumented(n: int) -> None:
    named = metrics._naming(handler, "bench.handler")
    for i in range(n):
        scope = UpdateScope(i, 4242)
        token = update_scope.enter(scope)
        try:
            await named(i, None)
        finally:
            seconds = metrics.record_update(scope)
            if log.isEnabledFor(logging.DEBUG):
                log.debug("update handled", extra={"duration_ms": seconds})
            update_scope.leave(token)


async def api_bare(n: int) -> None:
    for _ in range(n):
        time.perf_counter()


async def api_instrumented(n: int) -> None:
    url = "http://127.0.0.1:1/bot1:abc/sendMessage"
    for _ in range(n):
        began = time.perf_counter()
        method, result = metrics.api_method("POST", url), metrics.api_result(200)
        metrics.record_api_call(method, result, time.perf_counter() - began)


def best_us(run: Callable[[int], Awaitable[None]]) -> float:
    """Microseconds per iteration, best of ROUNDS."""
    times = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        asyncio.run(run(N))
        times.append((time.perf_counter() - began) / N * 1e6)
    return min(times)


def main() -> None:
    logging.basicConfig(level=logging.INFO)  # as `sportscenter run` by default: DEBUG off
    update = best_us(instrumented) - best_us(bare)
    print(f"per update: {update:.2f} µs")
    api = best_us(api_instrumented) - best_us(api_bare)
    print(f"per Bot API call: {api:.2f} µs")
    figures = {"update_overhead_us": round(update, 2), "api_call_overhead_us": round(api, 2)}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
