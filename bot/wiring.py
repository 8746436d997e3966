"""Builds the long-lived services (database, Redis, storage) from settings, in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

from dramatiq.brokers.redis import RedisBroker
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.settings import Settings
from domain.adapters.cache import Cache, RateLimiter, RedisKeys, connect_redis
from domain.adapters.cache.card_places import CardPlaces
from domain.adapters.db import create_engine, create_session_factory
from domain.adapters.storage import MediaStorage, build_storage
from domain.booking.packs import SessionPacks
from domain.booking.refunds import CancellationRefund
from domain.booking.slot_cache import SlotCache
from domain.booking.waitlist import DEFAULT_OFFER_HOURS
from domain.clubs.packs.ledger import PackLedger, refund_or_give_back
from domain.metrics.latest import LatestMetrics
from domain.payments.checkout import PaymentConfig
from domain.retention import RetentionPeriods
from domain.secrets_box import SecretBox
from domain.uow import UnitOfWork
from domain.videos.queue import VideoQueue, video_broker
from domain.videos.status import VideoStatusMirror
from domain.videos.uploads import VideoIntake


@dataclass
class Services:
    """Everything a handler or job needs beyond the update itself."""

    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    redis: Redis
    keys: RedisKeys
    cache: Cache
    limiter: RateLimiter
    storage: MediaStorage
    secrets: SecretBox
    # The task engine's broker video jobs go through (domain.videos.queue).
    video_broker: RedisBroker
    admin_telegram_ids: frozenset[int] = frozenset()
    # Stars unless a provider token is set; see bot.settings.
    payments: PaymentConfig = field(default_factory=PaymentConfig)
    # A local Bot API server hands over files past the cloud's 20 MB (TELEGRAM_LOCAL_MODE).
    telegram_local_mode: bool = False
    # How long raw videos, renditions and metric months stay hot (the retention job).
    retention: RetentionPeriods = field(default_factory=RetentionPeriods)
    # How long the first in line has to take a freed place (WAITLIST_OFFER_HOURS).
    waitlist_offer_hours: int = DEFAULT_OFFER_HOURS
    # Opens one transaction per `async with services.uow as tx:`; shared by everything.
    uow: UnitOfWork = field(init=False)

    def __post_init__(self) -> None:
        self.uow = UnitOfWork(self.session_factory)

    @property
    def slots(self) -> SlotCache:
        """Coaches' free slots, cached in Redis, and their invalidation."""
        return SlotCache(self.uow, self.cache, self.keys)

    @property
    def cancellation_refund(self) -> CancellationRefund:
        """The refund inside a cancellation, the interface booking reaches it through: a pack's
        session back for a lesson paid with a pack, else payments' own refund."""
        return refund_or_give_back

    @property
    def session_packs(self) -> SessionPacks:
        """The packs of lessons a booking draws from (`domain.clubs.packs.ledger`)."""
        return PackLedger()

    @property
    def card_places(self) -> CardPlaces:
        """Where each chat shows a session's card, to refresh it in place."""
        return CardPlaces(self.redis, self.keys)

    @property
    def latest_metrics(self) -> LatestMetrics:
        """Athletes' latest value per metric, cached in Redis."""
        return LatestMetrics(self.redis, self.keys)

    @property
    def video_queue(self) -> VideoQueue:
        """The durable queue of video processing jobs."""
        return VideoQueue(self.video_broker)

    @property
    def video_status(self) -> VideoStatusMirror:
        """Videos' processing status, mirrored in Redis."""
        return VideoStatusMirror(self.redis, self.keys)

    @property
    def videos(self) -> VideoIntake:
        """Where a received video goes: storage, status mirror, queue."""
        return VideoIntake(
            self.storage,
            self.video_status,
            self.video_queue,
            local_mode=self.telegram_local_mode,
            limiter=self.limiter,
            box=self.secrets,
        )

    async def close(self) -> None:
        """Release pooled connections."""
        await self.redis.aclose()
        self.video_broker.client.close()
        await self.engine.dispose()


def build_services(settings: Settings) -> Services:
    """Connect nothing yet (pools connect lazily), but configure every client."""
    engine = create_engine(settings.database_url)
    redis = connect_redis(settings.redis_url)
    keys = RedisKeys(settings.redis_key_prefix)
    storage = build_storage(
        backend=settings.storage_backend,
        media_dir=settings.media_dir,
        bucket=settings.s3_bucket,
        endpoint_url=settings.s3_endpoint_url,
        public_endpoint_url=settings.s3_public_endpoint_url,
        region=settings.s3_region,
        signing_key=settings.signing_key,
        public_base_url=settings.public_base_url,
        archive_storage_class=settings.archive_storage_class,
    )
    return Services(
        engine=engine,
        session_factory=create_session_factory(engine),
        redis=redis,
        keys=keys,
        cache=Cache(redis),
        limiter=RateLimiter(redis, keys),
        storage=storage,
        secrets=SecretBox(settings.encryption_keys),
        # After VIDEO_JOB_TIMEOUT_S without a heartbeat, a worker's jobs go to another.
        video_broker=video_broker(
            settings.redis_url, keys, heartbeat_timeout_s=settings.video_job_timeout_s
        ),
        admin_telegram_ids=frozenset(settings.admin_telegram_ids),
        payments=payment_config(settings),
        telegram_local_mode=settings.telegram_local_mode,
        retention=RetentionPeriods(
            raw_video_days=settings.raw_video_retention_days,
            rendition_days=settings.rendition_retention_days,
            metrics_months=settings.metrics_retention_months,
        ),
        waitlist_offer_hours=settings.waitlist_offer_hours,
    )


def payment_config(settings: Settings) -> PaymentConfig:
    """How sessions are invoiced: the provider token (unset: Stars) and the Stars rate."""
    token = settings.payments_provider_token
    return PaymentConfig(
        provider_token=token.get_secret_value() if token is not None else None,
        stars_per_unit=settings.stars_per_unit,
    )
