"""Process settings for long-running processes: fewer, cheaper garbage collections; fewer
malloc arenas in video workers."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import sys

log = logging.getLogger(__name__)

# The first generation's threshold: CPython's default is 700 allocations. ORM work makes many
# short-lived objects, so the default runs a collection every few transactions; measured on the
# booking path, a higher threshold gives 10-20% more transactions per second for a few MB.
GEN0_THRESHOLD = 20_000
# glibc's mallopt parameter number for the arena limit (malloc.h: M_ARENA_MAX).
M_ARENA_MAX = -8
# glibc gives each thread that allocates its own arena (up to 8 per core) and seldom returns
# their memory; a worker's decoder, analysis and pose threads then grew it by about 50 MB per
# video (356 → 611 MB over eight, with pose). Two arenas kept it at 355-401 MB, no slower.
WORKER_ARENAS = 2


def tune_gc() -> None:
    """Freeze what start-up created and collect the young generation less often."""
    # Modules, mappers and settings live as long as the process: never scan them again.
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, max(gen1, 50), max(gen2, 100))


def limit_malloc_arenas(arenas: int = WORKER_ARENAS) -> bool:
    """Cap glibc's malloc arenas (as MALLOC_ARENA_MAX would); whether it took effect."""
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        done = bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # musl and others have no mallopt: nothing to cap
        return False
    if not done:
        log.info("malloc arenas not capped: mallopt refused")
    return done
