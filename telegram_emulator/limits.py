"""Telegram's flood control: short bursts then 1 message/s per private chat, 20/min per group,
30/s overall.

Telegram publishes no exact numbers. Its Bot FAQ ("My bot is hitting limits, how do I avoid
this?") says: inside a chat, avoid more than one message per second, "we may allow short bursts
that go over this limit, but eventually you'll begin receiving 429 errors"; no more than about
30 messages per second in bulk; no more than 20 messages per minute to one group. The numbers
below follow it, and README.md says why each was picked.
"""

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

    def wait_needed(self, now: float, count: int = 1) -> float:
        """Seconds until `count` tokens are available (0 if they are there now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= count else (count - self.tokens) / self.rate

    def take(self, count: int = 1) -> None:
        self.tokens -= count


@dataclass
class Window:
    """At most `limit` messages in any `period` seconds: a burst does not buy a second one."""

    limit: int
    period: float
    sent: deque[float] = field(default_factory=deque)
    stamp: float = 0.0

    def wait_needed(self, now: float, count: int = 1) -> float:
        """Seconds until `count` more fit in the window (0 if they fit now)."""
        while self.sent and self.sent[0] <= now - self.period:
            self.sent.popleft()
        self.stamp = now
        excess = len(self.sent) + count - self.limit
        if excess <= 0:
            return 0.0
        if count > self.limit:
            return self.period  # never fits; ask for a whole window, as Telegram would
        return self.sent[excess - 1] + self.period - now

    def take(self, count: int = 1) -> None:
        self.sent.extend([self.stamp] * count)


class FloodControl:
    """Refuses sends beyond Telegram's limits with 429 and retry_after; can be switched off."""

    # (burst, refill per second): an album of 10 with a few messages around it goes at once,
    # then one message a second, as the FAQ asks.
    PRIVATE = (20, 1.0)
    GROUP = (20, 60.0)  # 20 messages in any minute
    OVERALL = (30, 30.0)  # (burst, per second) over all chats of one bot

    def __init__(self, clock: Clock, *, enabled: bool = True) -> None:
        self.clock = clock
        self.enabled = enabled
        self._chats: dict[tuple[int, int], Bucket | Window] = {}
        self._overall: dict[int, Bucket] = {}
        self.refusals = 0  # how many sends were answered 429, for tests and the web chat

    def _bucket(self, spec: tuple[float, float], now: float) -> Bucket:
        capacity, rate = spec
        return Bucket(capacity, rate, capacity, now)

    def check(self, bot_id: int, chat_id: int, *, is_group: bool, count: int = 1) -> None:
        """Count `count` outgoing messages sent together (an album), or raise 429 for all."""
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
        wait = max(chat.wait_needed(now, count), overall.wait_needed(now, count))
        if wait > 0:
            self.refusals += 1
            raise too_many_requests(max(1, math.ceil(wait)))
        chat.take(count)
        overall.take(count)
