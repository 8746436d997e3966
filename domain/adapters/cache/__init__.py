"""Redis: key names, the client factory, the rate limiter and the JSON cache."""

from domain.adapters.cache.cache import JSON, Cache, encode_json
from domain.adapters.cache.client import REDIS_UNAVAILABLE, connect_redis
from domain.adapters.cache.keys import EntityId, RedisKeys
from domain.adapters.cache.ratelimit import Admission, RateDecision, RateLimiter

__all__ = [
    "JSON",
    "REDIS_UNAVAILABLE",
    "Admission",
    "Cache",
    "EntityId",
    "RateDecision",
    "RateLimiter",
    "RedisKeys",
    "connect_redis",
    "encode_json",
]
