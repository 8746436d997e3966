"""Telegram's flood control: about 1 message/s per chat, 20/min per group, 30/s overall."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram_emulator.errors import too_many_requests

Clock = Callable[[], float]


@dataclass
class Bucket:
    """A token bucket: `capacity` messages at once, refilled at `rate` per second."""

    capacity: float
    rate: float
    tokens: float
    stamp: float

    def wait_needed(self, now: float) -> float:
        """Seconds until one token is available (0 if one is there now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


@dataclass
class Window:
    """At most `limit` messages in any `period` seconds: a burst does not buy a second one."""

    limit: int
    period: float
    sent: deque[float] = field(default_factory=deque)
    stamp: float = 0.0

    def wait_needed(self, now: float) -> float:
        """Seconds until the oldest message in the window leaves it (0 if there is room)."""
        while self.sent and self.sent[0] <= now - self.period:
            self.sent.popleft()
        self.stamp = now
        return 0.0 if len(self.sent) < self.limit else self.sent[0] + self.period - now

    def take(self) -> None:
        self.sent.append(self.stamp)


class FloodControl:
    """Refuses sends beyond Telegram's limits with 429 and retry_after; can be switched off."""

    PRIVATE = (3, 1.0)  # small burst, then 1 message per second
    GROUP = (20, 60.0)  # 20 messages in any minute
    OVERALL = (30, 30.0)

    def __init__(self, clock: Clock, *, enabled: bool = True) -> None:
        self.clock = clock
        self.enabled = enabled
        self._chats: dict[tuple[int, int], Bucket | Window] = {}
        self._overall: dict[int, Bucket] = {}
        self.refusals = 0  # how many sends were answered 429, for tests and the web chat

    def _bucket(self, spec: tuple[float, float], now: float) -> Bucket:
        capacity, rate = spec
        return Bucket(capacity, rate, capacity, now)

    def check(self, bot_id: int, chat_id: int, *, is_group: bool) -> None:
        """Count one outgoing message, or raise 429 if it would exceed a limit."""
        if not self.enabled:
            return
        now = self.clock()
        chat = self._chats.get((bot_id, chat_id))
        if chat is None:
            chat = self._chats[(bot_id, chat_id)] = (
                Window(*self.GROUP) if is_group else self._bucket(self.PRIVATE, now)
            )
        overall = self._overall.get(bot_id)
        if overall is None:
            overall = self._overall[bot_id] = self._bucket(self.OVERALL, now)
        wait = max(chat.wait_needed(now), overall.wait_needed(now))
        if wait > 0:
            self.refusals += 1
            raise too_many_requests(max(1, math.ceil(wait)))
        chat.take()
        overall.take()
