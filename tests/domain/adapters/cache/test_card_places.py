import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis

from domain.adapters.cache import RedisKeys
from domain.adapters.cache.card_places import KEPT_AFTER_END, CardPlace, CardPlaces

CHAT = 4242
FIRST, SECOND = uuid.uuid4(), uuid.uuid4()


@pytest.fixture
def places(redis_client: aioredis.Redis, keys: RedisKeys) -> CardPlaces:
    return CardPlaces(redis_client, keys)


def ending(hours: float) -> datetime:
    return datetime.now(UTC) + timedelta(hours=hours)


async def test_a_remembered_card_is_found_per_chat_and_session(places: CardPlaces) -> None:
    await places.remember(CHAT, FIRST, CardPlace(10, buttons=True, caption=False), ends=ending(3))
    await places.remember(CHAT, SECOND, CardPlace(11, buttons=False, caption=True), ends=ending(5))

    assert await places.place_of(CHAT, FIRST) == CardPlace(10, buttons=True, caption=False)
    assert await places.place_of(CHAT, SECOND) == CardPlace(11, buttons=False, caption=True)
    assert await places.place_of(CHAT + 1, FIRST) is None


async def test_a_card_shown_again_elsewhere_moves(places: CardPlaces) -> None:
    await places.remember(CHAT, FIRST, CardPlace(10, buttons=False, caption=False), ends=ending(3))
    await places.remember(CHAT, FIRST, CardPlace(12, buttons=True, caption=False), ends=ending(3))

    assert await places.place_of(CHAT, FIRST) == CardPlace(12, buttons=True, caption=False)


async def test_a_message_that_shows_something_else_is_forgotten(places: CardPlaces) -> None:
    await places.remember(CHAT, FIRST, CardPlace(10, buttons=True, caption=False), ends=ending(3))
    await places.remember(CHAT, SECOND, CardPlace(11, buttons=True, caption=False), ends=ending(3))

    await places.forget_message(CHAT, 10)
    await places.forget_message(CHAT, 99)  # no card there: nothing happens

    assert await places.place_of(CHAT, FIRST) is None
    assert await places.place_of(CHAT, SECOND) is not None


async def test_the_key_lives_until_a_while_after_its_last_session_ends(
    places: CardPlaces, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    key = keys.session_cards(CHAT)
    place = CardPlace(10, buttons=True, caption=False)
    later = (KEPT_AFTER_END + timedelta(hours=5)).total_seconds()

    await places.remember(CHAT, FIRST, place, ends=ending(5))
    await places.remember(CHAT, SECOND, place, ends=ending(1))  # ends sooner: no shorter life

    assert later - 60 < await redis_client.ttl(key) <= later


async def test_a_card_of_a_session_long_over_is_dropped_at_the_next_write(
    places: CardPlaces,
) -> None:
    place = CardPlace(10, buttons=True, caption=False)
    await places.remember(CHAT, SECOND, place, ends=ending(1))
    await places.remember(CHAT, FIRST, place, ends=datetime.now(UTC) - KEPT_AFTER_END * 2)
    assert await places.place_of(CHAT, FIRST) is not None  # the chat's key lives on

    await places.remember(CHAT, SECOND, place, ends=ending(1))

    assert await places.place_of(CHAT, FIRST) is None
    assert await places.place_of(CHAT, SECOND) is not None


async def test_without_redis_nothing_is_remembered_and_nothing_fails(
    dead_redis: aioredis.Redis, keys: RedisKeys
) -> None:
    places = CardPlaces(dead_redis, keys)
    place = CardPlace(10, buttons=True, caption=False)

    await places.remember(CHAT, FIRST, place, ends=ending(1))
    await places.forget_message(CHAT, 10)

    assert await places.place_of(CHAT, FIRST) is None
