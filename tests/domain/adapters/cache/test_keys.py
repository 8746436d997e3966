from datetime import date, datetime
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.adapters.cache import RedisKeys

ATHLETE = UUID("8c1e7f0a-3b55-4c1e-9a7d-2f4b6d8e0a11")


def test_every_key_follows_the_spec_pattern_under_the_prefix() -> None:
    keys = RedisKeys("sc:")

    assert keys.session(42) == "sc:session:42"
    assert keys.ratelimit(42, "book") == "sc:ratelimit:42:book"
    assert keys.latest_metrics(ATHLETE) == f"sc:metrics:{ATHLETE}:latest"
    assert keys.availability(ATHLETE, date(2025, 3, 7)) == f"sc:availability:{ATHLETE}:2025-03-07"
    assert keys.video_status(ATHLETE) == f"sc:video:status:{ATHLETE}"


def test_the_runtime_keys_sit_under_the_prefix_too() -> None:
    keys = RedisKeys("sc:")

    assert keys.session_cards(-1001234) == "sc:card:-1001234"


def test_an_empty_prefix_gives_the_bare_spec_patterns() -> None:
    keys = RedisKeys("")

    assert keys.session(7) == "session:7"
    assert keys.video_status(7) == "video:status:7"


def test_a_prefix_with_whitespace_is_rejected() -> None:
    with pytest.raises(ValueError):
        RedisKeys("sc :")


@given(user_id=st.integers(min_value=1), video_id=st.uuids(), day=st.dates())
def test_ids_and_days_render_verbatim_into_the_key(user_id: int, video_id: UUID, day: date) -> None:
    keys = RedisKeys("sc:")

    assert keys.session(user_id).split(":") == ["sc", "session", str(user_id)]
    assert keys.video_status(video_id).split(":") == ["sc", "video", "status", str(video_id)]
    day_part = keys.availability(user_id, day).split(":")[-1]
    assert date.fromisoformat(day_part) == day
    assert len(day_part) == len("YYYY-MM-DD")


@pytest.mark.parametrize("bad_id", ["", "a:b", "a b", "tab\there", "line\n"])
def test_ids_that_would_break_the_pattern_are_rejected(bad_id: str) -> None:
    keys = RedisKeys("sc:")

    with pytest.raises(ValueError):
        keys.session(bad_id)
    with pytest.raises(ValueError):
        keys.ratelimit(bad_id, "book")
    with pytest.raises(ValueError):
        keys.latest_metrics(bad_id)
    with pytest.raises(ValueError):
        keys.availability(bad_id, date(2025, 1, 1))
    with pytest.raises(ValueError):
        keys.video_status(bad_id)


@pytest.mark.parametrize("endpoint", ["", "book:now", "book now", "book*", "x" * 65])
def test_endpoints_that_are_not_short_identifiers_are_rejected(endpoint: str) -> None:
    with pytest.raises(ValueError):
        RedisKeys("sc:").ratelimit(42, endpoint)


def test_a_bool_is_not_accepted_as_an_id() -> None:
    with pytest.raises(TypeError):
        RedisKeys("sc:").session(True)


def test_availability_needs_a_date_not_a_datetime() -> None:
    with pytest.raises(TypeError):
        RedisKeys("sc:").availability(1, datetime(2025, 3, 7, 9, 30))


def test_runtime_keys_live_under_the_prefix() -> None:
    keys = RedisKeys("sc:")

    assert keys.processed_update(123456, 987) == "sc:update:123456:987"
    assert keys.chat_state(-100200300) == "sc:chat:-100200300"
    assert keys.bot_state() == "sc:bot:data"
    assert keys.callback_state() == "sc:bot:callback_data"


def test_scan_patterns_escape_glob_characters_of_the_prefix() -> None:
    keys = RedisKeys("app[1]*:")

    assert keys.all_sessions() == r"app\[1\]\*:session:*"
    assert keys.all_chat_states() == r"app\[1\]\*:chat:*"
    assert RedisKeys("sc:").all_sessions() == "sc:session:*"


@given(bot_id=st.integers(min_value=1), update_id=st.integers(min_value=0))
def test_processed_update_keys_differ_per_bot_and_update(bot_id: int, update_id: int) -> None:
    keys = RedisKeys("sc:")

    assert keys.processed_update(bot_id, update_id).split(":") == [
        "sc",
        "update",
        str(bot_id),
        str(update_id),
    ]
    assert keys.processed_update(bot_id, update_id) != keys.processed_update(bot_id + 1, update_id)
