"""A clock tests move by hand."""

from __future__ import annotations


class FakeClock:
    """Time that moves only when the test says so, so windows pass without sleeping."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
