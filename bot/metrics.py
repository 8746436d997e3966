"""Prometheus metrics of the bot and the video worker, served on /metrics (`bot.health_server`).

Every label is bounded: handlers are named by their code (`booking.book.start_booking`), Bot API
methods by the method, outcomes by a fixed word; no user, chat or update id is ever a label.
The per-update and per-call paths cost about a microsecond (`benchmarks/metrics_overhead.py`):
they add to plain numbers (`CountedAndTimed`), and nothing is formatted until a scrape.

What the database or Redis knows (the outbox's backlog, the video queue's depth) is read when
Prometheus scrapes (`bot.health_server.Backlog`), never on the hot path.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Awaitable, Callable, Iterator
from functools import cache, wraps
from typing import Any

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from telegram.ext import BaseHandler, ConversationHandler

from bot.update_scope import UpdateScope, current

# Bot updates are tens of milliseconds; a chart or an export takes seconds.
UPDATE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
API_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
VIDEO_BUCKETS = (1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)


class CountedAndTimed(Collector):
    """A counter over two labels and a histogram over the first, kept as plain numbers.

    For the hot paths (every update, every Bot API call): `prometheus_client`'s own Counter
    and Histogram take a lock per increment and cost several microseconds an update between
    them; these are only ever touched on the event loop's thread, scrapes included
    (`bot.health_server` renders /metrics on the loop), so they need none. Exposed at scrape
    time as the usual `<counter>_total` and `<histogram>_bucket/_count/_sum` families.
    """

    def __init__(
        self,
        counter: tuple[str, str],
        histogram: tuple[str, str],
        labels: tuple[str, str],
        buckets: tuple[float, ...],
    ) -> None:
        self._counter, self._histogram, self._labels = counter, histogram, labels
        self._bounds = buckets
        self._counts: dict[tuple[str, str], int] = {}
        # Per first label: a count per bucket (the last one +Inf), then the sum of the times.
        self._timings: dict[str, list[float]] = {}

    def record(self, first: str, second: str, seconds: float) -> None:
        """Count one event and file its time under `first`."""
        key = (first, second)
        self._counts[key] = self._counts.get(key, 0) + 1
        timing = self._timings.get(first)
        if timing is None:
            timing = self._timings[first] = [0.0] * (len(self._bounds) + 2)
        timing[bisect_left(self._bounds, seconds)] += 1  # the first bucket whose le >= seconds
        timing[-1] += seconds

    def collect(self) -> Iterator[Metric]:
        """The counter and the histogram as they stand."""
        counter = CounterMetricFamily(*self._counter, labels=list(self._labels))
        for key, count in self._counts.items():
            counter.add_metric(list(key), count)
        yield counter
        histogram = HistogramMetricFamily(*self._histogram, labels=[self._labels[0]])
        for first, timing in self._timings.items():
            running, buckets = 0.0, []
            for bound, count in zip([*map(str, self._bounds), "+Inf"], timing[:-1], strict=True):
                running += count
                buckets.append((bound, running))
            histogram.add_metric([first], buckets, sum_value=timing[-1])
        yield histogram


UPDATES = CountedAndTimed(
    ("sportscenter_updates", "Updates processed, by the handler that took them and how they ended"),
    (
        "sportscenter_update_seconds",
        "Time to process one update (guards, handler, state saved), by handler",
    ),
    ("handler", "outcome"),
    UPDATE_BUCKETS,
)
BOT_API = CountedAndTimed(
    (
        "sportscenter_bot_api_calls",
        "Bot API requests, by method and result (too_many_requests: a 429)",
    ),
    ("sportscenter_bot_api_seconds", "Time of one Bot API request, by method"),
    ("method", "result"),
    API_BUCKETS,
)
REGISTRY.register(UPDATES)
REGISTRY.register(BOT_API)
NOTICES = Counter(
    "sportscenter_notices_total",
    "Outbox notices handled by the sender: sent, retry, final (given up), blocked, deferred",
    ["outcome"],
)


@cache
def outbox_gauges() -> tuple[Gauge, Gauge]:
    """The backlog gauges, registered only in processes that send notices: a worker showing
    0 would claim an empty outbox it never looked at."""
    due = Gauge("sportscenter_outbox_backlog", "Unsent notices that are due (read at scrape time)")
    oldest = Gauge(
        "sportscenter_outbox_oldest_due_age_seconds",
        "How long the oldest due unsent notice has been waiting (0 when none)",
    )
    return due, oldest


BOOKINGS = Counter(
    "sportscenter_bookings_total",
    "Bookings and moves confirmed: booked, moved, slot_taken, refused, invalid",
    ["outcome"],
)
PAYMENTS = Counter(
    "sportscenter_payments_total",
    "Payment events: checkout_ok, checkout_refused, recorded, redelivered, returned, unmatched",
    ["event"],
)
VIDEO_JOBS = Counter(
    "sportscenter_video_jobs_total",
    "Video job attempts, by outcome: done, failed (tried again), given_up, crashed",
    ["outcome"],
)
VIDEO_JOB_SECONDS = Histogram(
    "sportscenter_video_job_seconds",
    "Time of one video job attempt, by outcome",
    ["outcome"],
    buckets=VIDEO_BUCKETS,
)
VIDEO_QUEUE_DEPTH = Gauge(
    "sportscenter_video_queue_depth",
    "Video jobs waiting or in a worker's hands (read at scrape time)",
)


def record_update(scope: UpdateScope) -> float:
    """Count one finished update and file its duration; returns the duration in seconds."""
    seconds = time.perf_counter() - scope.started
    UPDATES.record(scope.handler, scope.outcome, seconds)
    return seconds


def record_api_call(method: str, result: str, seconds: float) -> None:
    """Count one Bot API request and file its time."""
    BOT_API.record(method, result, seconds)


def api_method(http_method: str, url: str) -> str:
    """The Bot API method a request calls, as a bounded label."""
    if http_method != "POST":
        return "file_download"  # GET of a file path: the path is no label
    name = url.rpartition("/")[2]
    # Method names are short identifiers; anything else is not a call we know.
    return name if name.isalnum() and len(name) <= 40 else "other"


def api_result(status: int) -> str:
    """A Bot API answer's HTTP status as a bounded result."""
    if status == 200:
        return "ok"
    if status == 429:
        return "too_many_requests"
    if status == 403:
        return "forbidden"
    return "client_error" if status < 500 else "server_error"


Callback = Callable[..., Awaitable[Any]]


def labelled(handler: BaseHandler[Any, Any, Any]) -> None:
    """Make `handler` (and every handler inside a conversation) name itself in the update's
    scope when it runs, so the update is counted under it."""
    if isinstance(handler, ConversationHandler):
        inner = [*handler.entry_points, *handler.fallbacks]
        inner += [h for state in handler.states.values() for h in state]
        for nested in inner:
            labelled(nested)
        return
    callback = handler.callback
    if getattr(callback, "metrics_label", None) is not None:
        return  # a handler object shared by several flows is wrapped once
    handler.callback = _naming(callback, handler_label(callback))


def handler_label(callback: object) -> str:
    """A callback's name for metrics and logs: its module under `handlers` and its name."""
    function = getattr(callback, "func", callback)  # functools.partial
    module = getattr(function, "__module__", "") or ""
    name = getattr(function, "__qualname__", type(function).__name__)
    return f"{module.removeprefix('handlers.')}.{name}"


def _naming(callback: Callback, label: str) -> Callback:
    # A plain function handing back the callback's coroutine, which PTB awaits: naming costs
    # an update no coroutine of its own.
    @wraps(callback)
    def named(update: object, context: object) -> Awaitable[Any]:
        scope = current()
        if scope is not None:
            scope.handler = label
        return callback(update, context)

    named.metrics_label = label  # type: ignore[attr-defined]
    return named


def count_notices(outcomes: dict[str, int]) -> None:
    """Count what one outbox drain did with each notice."""
    for outcome, count in outcomes.items():
        NOTICES.labels(outcome).inc(count)


def count_booking(outcome: str) -> None:
    """Count one booking attempt at the confirm step."""
    BOOKINGS.labels(outcome).inc()


def count_payment(event: str) -> None:
    """Count one payment event."""
    PAYMENTS.labels(event).inc()


def count_video_job(outcome: str, seconds: float | None = None) -> None:
    """Count one video job attempt and, when it ran, observe its time."""
    VIDEO_JOBS.labels(outcome).inc()
    if seconds is not None:
        VIDEO_JOB_SECONDS.labels(outcome).observe(seconds)
