"""Ids that only ever grow: people, groups, messages per chat, updates per bot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

FIRST_PERSON_ID = 100_001
# Message and update ids are reserved this many ahead in the state file, so it is written once
# per hundred of them, and even a crash between two writes never hands an id out twice.
ID_RESERVE = 100


@dataclass
class Ids:
    """Increasing ids that never repeat, also across restarts when a state file keeps them.

    `reserved` is what the state file holds: `take` hands an id out only once a value at least
    as high is written (`ahead` at a time), so a restart continues after it. People's and
    groups' ids are written with the person or group itself (`resume_after`).
    """

    last: int = 0
    reserved: int = 0
    ahead: int = 1

    def take(self, reserve: Callable[[], None]) -> int:
        """The next id; `reserve` (writing the state) is called when the reserve is used up."""
        self.last += 1
        if self.last > self.reserved:
            self.reserved = self.last + self.ahead - 1
            reserve()
        return self.last

    def resume_after(self, highest: int) -> None:
        """Continue after `highest` (from the state file): no id up to it is handed out again."""
        self.last = self.reserved = max(self.last, highest)
