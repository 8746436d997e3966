"""Redis key names, exactly the patterns of the spec's "Redis Cache Schema"."""

import re
from datetime import date, datetime
from uuid import UUID

EntityId = UUID | int | str

# Endpoint names end up inside a key and inside SCAN patterns, so they are kept to characters
# that are neither separators, whitespace nor glob metacharacters.
_ENDPOINT = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class RedisKeys:
    """Builds every Redis key the service uses, under one deployment-wide prefix."""

    def __init__(self, prefix: str = "sc:") -> None:
        # The prefix may end in ':' (it usually does) but must not hold whitespace, which would
        # make the keys awkward in redis-cli and ambiguous in logs.
        if any(ch.isspace() for ch in prefix):
            raise ValueError(f"key prefix must not contain whitespace: {prefix!r}")
        self.prefix = prefix

    def session(self, user_id: EntityId) -> str:
        """Key of a user's session: `{prefix}session:{userId}`."""
        return f"{self.prefix}session:{_id_part(user_id)}"

    def ratelimit(self, user_id: EntityId, endpoint: str) -> str:
        """Key of a user's hit log on one endpoint: `{prefix}ratelimit:{userId}:{endpoint}`."""
        if not _ENDPOINT.fullmatch(endpoint):
            raise ValueError(f"endpoint must be a short identifier: {endpoint!r}")
        return f"{self.prefix}ratelimit:{_id_part(user_id)}:{endpoint}"

    def latest_metrics(self, athlete_id: EntityId) -> str:
        """Key of an athlete's latest metrics: `{prefix}metrics:{athleteId}:latest`."""
        return f"{self.prefix}metrics:{_id_part(athlete_id)}:latest"

    def availability(self, coach_id: EntityId, day: date) -> str:
        """Key of a coach's availability on a day: `{prefix}availability:{coachId}:{YYYY-MM-DD}`."""
        # A datetime is a date too, but its isoformat() carries ':' and a time of day whose
        # timezone decides which day it is; the caller must pick the day.
        if isinstance(day, datetime) or not isinstance(day, date):
            raise TypeError(f"day must be a date, not {type(day).__name__}")
        return f"{self.prefix}availability:{_id_part(coach_id)}:{day.isoformat()}"

    def video_status(self, video_id: EntityId) -> str:
        """Key of a video's processing status: `{prefix}video:status:{videoId}`."""
        return f"{self.prefix}video:status:{_id_part(video_id)}"

    # Keys below are not in the spec: the bot runtime needs them (see docs/schema.md).

    def processed_update(self, bot_id: int, update_id: int) -> str:
        """Key marking a Telegram update as taken: `{prefix}update:{botId}:{updateId}`."""
        return f"{self.prefix}update:{_id_part(bot_id)}:{_id_part(update_id)}"

    def user_turn(self, user_id: int) -> str:
        """Key held by the one update of a user being handled: `{prefix}turn:{userId}`."""
        return f"{self.prefix}turn:{_id_part(user_id)}"

    def chat_state(self, chat_id: int) -> str:
        """Key of one chat's bot-side data: `{prefix}chat:{chatId}`."""
        return f"{self.prefix}chat:{_id_part(chat_id)}"

    def session_cards(self, chat_id: int) -> str:
        """Key of where one chat shows its session cards: `{prefix}card:{chatId}`."""
        return f"{self.prefix}card:{_id_part(chat_id)}"

    def bot_state(self) -> str:
        """Key of the bot-wide data shared by every chat: `{prefix}bot:data`."""
        return f"{self.prefix}bot:data"

    def callback_state(self) -> str:
        """Key of the inline-button payload cache: `{prefix}bot:callback_data`."""
        return f"{self.prefix}bot:callback_data"

    def task_engine(self) -> str:
        """Namespace of the task engine's keys (its queues, heartbeats): `{prefix}dramatiq`."""
        return f"{self.prefix}dramatiq"

    def all_sessions(self) -> str:
        """SCAN pattern matching every `session:{userId}` key under this prefix."""
        return _glob_escape(f"{self.prefix}session:") + "*"

    def all_chat_states(self) -> str:
        """SCAN pattern matching every `chat:{chatId}` key under this prefix."""
        return _glob_escape(f"{self.prefix}chat:") + "*"


def _glob_escape(text: str) -> str:
    # A prefix such as "app[1]:" would otherwise be read as a character class by SCAN MATCH.
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


def _id_part(value: EntityId) -> str:
    if type(value) is int:
        return str(value)  # digits and a sign: nothing to check (every update builds keys)
    # bool is an int subclass; True as a user id is always a bug upstream.
    if isinstance(value, bool) or not isinstance(value, UUID | int | str):
        raise TypeError(f"id must be a UUID, int or str, not {type(value).__name__}")
    part = str(value)
    if not part or ":" in part or any(ch.isspace() for ch in part):
        raise ValueError(f"id must be non-empty without ':' or whitespace: {value!r}")
    return part
