"""Fixtures the metric tests share."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from domain.adapters.cache import RedisKeys
from domain.metrics.latest import LatestMetrics


@pytest.fixture
def latest(redis_client: aioredis.Redis, keys: RedisKeys) -> LatestMetrics:
    """The latest-values cache on this test's Redis keys."""
    return LatestMetrics(redis_client, keys)
