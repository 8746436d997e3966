"""What the emulator keeps across restarts, in one small JSON file replaced atomically.

Telegram never forgets an account or gives its id to someone else, and a bot's database keeps
people by their Telegram id. An emulator that forgot its people on restart and numbered them
from 100001 again would have the bot greet a newcomer as someone it knew (with their role and
buttons). So the file keeps the people and group chats, each bot's relations with them (who
started it, who blocked it), Stars payments (for refunds) and every id counter. Messages,
files and pending updates are not kept: a restarted emulator starts with empty chats, as a
freshly installed Telegram app does.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telegram_emulator.ids import ID_RESERVE, Ids
from telegram_emulator.world import Chat, Json, Person

if TYPE_CHECKING:
    from telegram_emulator.world import BotState, World

VERSION = 1


class StateFileError(ValueError):
    """The state file cannot be read as the emulator's state."""


class StateFile:
    """One JSON file: read once at start, replaced whole (write, fsync, rename) on changes."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def load(self) -> Json | None:
        """The kept state, or None if there is no file yet."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            state = json.loads(text)
        except ValueError as err:
            raise self.unreadable(f"it is not JSON ({err})") from None
        if not isinstance(state, dict) or state.get("version") != VERSION:
            raise self.unreadable(f"it is not version {VERSION} of the emulator's state")
        return state

    def save(self, state: Json) -> None:
        """Replace the file in one step: a crash leaves the old state or the new, never half."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            with partial.open("w", encoding="utf-8") as out:
                json.dump({"version": VERSION, **state}, out, indent=1)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, self.path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    def unreadable(self, why: str) -> StateFileError:
        """The error that names the file, what is wrong with it and the way out."""
        return StateFileError(
            f"can't read the emulator's state from {self.path}: {why}; "
            "move it away to start with nobody"
        )


def snapshot(world: World, primary_token: str) -> Json:
    """Everything the file keeps, as JSON."""
    return {
        "primary_token": primary_token,
        "last_person_id": world.person_ids.last,
        "last_group_id": world.group_ids.last,
        "people": [asdict(person) for person in world.people.values()],
        "groups": [
            {
                "id": chat.id,
                "type": chat.type,
                "title": chat.title,
                "members": sorted(chat.member_ids),
                "bots": None if chat.bot_ids is None else sorted(chat.bot_ids),
            }
            for chat in world.chats.values()
            if chat.person is None
        ],
        "bots": {token: _bot_snapshot(bot) for token, bot in world.bots.items()},
    }


def _bot_snapshot(bot: BotState) -> Json:
    return {
        "started_by": sorted(bot.started_by),
        "blocked_by": sorted(bot.blocked_by),
        "charges": bot.charges,
        "update_ids_reserved": bot.update_ids.reserved,
        # JSON object keys are strings; chat ids go back to ints on restore.
        "message_ids_reserved": {str(chat): ids.reserved for chat, ids in bot.message_ids.items()},
    }


def restore(world: World, state: Json) -> None:
    """Put a kept state back into a new world (bots already added keep their names)."""
    for saved in state["people"]:
        person = Person(**saved)
        world.people[person.id] = person
        world.chats[person.id] = Chat(person.id, "private", person=person)
    for group in state["groups"]:
        bots = group.get("bots")
        world.chats[group["id"]] = Chat(
            group["id"],
            group["type"],
            title=group["title"],
            member_ids=set(group["members"]),
            bot_ids=None if bots is None else set(bots),
        )
    world.person_ids.resume_after(state["last_person_id"])
    world.group_ids.resume_after(state["last_group_id"])
    for token, saved_bot in state["bots"].items():
        _restore_bot(world.bot(token), saved_bot)


def _restore_bot(bot: BotState, saved: dict[str, Any]) -> None:
    bot.started_by.update(saved["started_by"])
    bot.blocked_by.update(saved["blocked_by"])
    bot.charges.update(saved["charges"])
    bot.update_ids.resume_after(saved["update_ids_reserved"])
    for chat, reserved in saved["message_ids_reserved"].items():
        bot.message_ids.setdefault(int(chat), Ids(ahead=ID_RESERVE)).resume_after(reserved)


def keep(world: World, state_file: StateFile, primary_token: str, saved: Json | None) -> None:
    """Restore what the file kept (if anything) and write the world to it on every change."""
    if saved is not None:
        try:
            restore(world, saved)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise state_file.unreadable(
                f"it does not hold what the emulator keeps ({err!r})"
            ) from None
    world.on_change = lambda: state_file.save(snapshot(world, primary_token))
    world.changed()  # the file exists (and names the token) before anyone appears
