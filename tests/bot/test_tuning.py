"""The process tuning `sportscenter run` applies."""

from __future__ import annotations

import gc

from bot.tuning import GEN0_THRESHOLD, tune_gc


def test_tuning_freezes_startup_objects_and_raises_the_young_threshold() -> None:
    before = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_threshold()[0] == GEN0_THRESHOLD
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
