"""The process tuning `sportscenter run` applies."""

from __future__ import annotations

import gc
import subprocess
import sys

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


def test_a_video_worker_can_cap_its_malloc_arenas() -> None:
    # In a child process: the cap is for the worker's whole life, not for the test runner's.
    code = "from bot.tuning import limit_malloc_arenas; print(limit_malloc_arenas())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ("True" if sys.platform.startswith("linux") else "False")
