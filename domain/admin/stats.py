"""/stats: the service's figures at a glance, as the chat layer words and draws them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from domain.adapters.cache import REDIS_UNAVAILABLE
from domain.admin import queries
from domain.policy import Action, Actor, System, require
from domain.uow import UnitOfWork
from domain.videos.queue import VideoQueue

NEW_WITHIN = timedelta(days=7)


@dataclass(frozen=True)
class Stats:
    """People, sessions, money, videos and the queues behind the bot."""

    people: dict[str, dict[str, int]]  # role -> status -> count
    new_this_week: int
    sessions: dict[str, int]  # status -> count
    revenue: list[tuple[datetime, str, Decimal]]  # (month, currency, kept), oldest first
    videos: dict[str, int]  # analyzed / failed -> count
    outbox_backlog: int
    outbox_oldest_due: datetime | None
    video_queue_depth: int | None  # None: Redis did not answer


async def stats(uow: UnitOfWork, *, admin: Actor, now: datetime, videos: VideoQueue) -> Stats:
    """Every figure /stats shows, read in one transaction (the queue depth from Redis)."""
    require(admin, Action.ADMIN_COMMAND, System())
    async with uow as tx:
        people: dict[str, dict[str, int]] = {}
        for role, status, count in await queries.people_by_role_and_status(tx):
            people.setdefault(role, {})[status] = count
        new = await queries.signed_up_since(tx, now - NEW_WITHIN)
        sessions = {status: count for status, count in await queries.sessions_by_status(tx)}
        revenue = [(m, c, kept) for m, c, kept in await queries.revenue_by_month(tx)]
        video_counts = {status: count for status, count in await queries.videos_by_status(tx)}
        backlog, oldest = await queries.outbox_backlog(tx, now)
    try:
        depth: int | None = await videos.depth()
    except REDIS_UNAVAILABLE:
        depth = None
    return Stats(people, new, sessions, revenue, video_counts, backlog, oldest, depth)
