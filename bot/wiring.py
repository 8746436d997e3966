"""Builds the long-lived services (database, Redis, storage) from settings, in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.settings import Settings
from domain.cache import Cache, RateLimiter, RedisKeys, connect_redis
from domain.db import create_engine, create_session_factory
from domain.payments import PaymentConfig
from domain.secrets_box import SecretBox
from domain.slot_lookup import SlotCache
from domain.storage import MediaStorage, build_storage
from domain.uow import UnitOfWork


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
    admin_telegram_ids: frozenset[int] = frozenset()
    # Stars unless a provider token is set; see bot.settings.
    payments: PaymentConfig = field(default_factory=PaymentConfig)

    def uow(self) -> UnitOfWork:
        """A fresh unit of work for one user action."""
        return UnitOfWork(self.session_factory)

    @property
    def slots(self) -> SlotCache:
        """Coaches' free slots, cached in Redis, and their invalidation."""
        return SlotCache(self.uow, self.cache, self.keys)

    async def close(self) -> None:
        """Release pooled connections."""
        await self.redis.aclose()
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
        region=settings.s3_region,
        signing_key=settings.signing_key,
        public_base_url=settings.public_base_url,
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
        admin_telegram_ids=frozenset(settings.admin_telegram_ids),
        payments=payment_config(settings),
    )


def payment_config(settings: Settings) -> PaymentConfig:
    """How sessions are invoiced: the provider token (unset: Stars) and the Stars rate."""
    token = settings.payments_provider_token
    return PaymentConfig(
        provider_token=token.get_secret_value() if token is not None else None,
        stars_per_unit=settings.stars_per_unit,
    )
