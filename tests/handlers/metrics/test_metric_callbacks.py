"""The metrics buttons' callback data: Undo names its row exactly, forged stamps name none."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from handlers.metrics.callbacks import LogAction, LogPress, UndoLogged

METRIC = uuid.UUID("5b0f8a7e-2c3d-4e5f-8a9b-0c1d2e3f4a5b")


def test_undo_carries_the_rows_recorded_at_to_the_microsecond_within_64_bytes() -> None:
    recorded_at = datetime(2026, 12, 6, 18, 30, 15, 123456, tzinfo=UTC)
    data = UndoLogged.of(METRIC, recorded_at).pack()
    assert data.startswith("mu:undo:") and len(data.encode()) <= 64
    press = UndoLogged.parse(data)
    assert press is not None and press.recorded_at == recorded_at


def test_an_undo_stamp_no_row_can_have_names_no_moment() -> None:
    assert UndoLogged(METRIC, -1).recorded_at is None
    assert UndoLogged(METRIC, 10**17).recorded_at is None
    assert (
        UndoLogged.parse(f"mu:undo:{UndoLogged.of(METRIC, datetime.now(UTC)).pack()[8:30]}:x")
        is None
    )


def test_a_log_step_keeps_the_wire_format_of_buttons_already_sent() -> None:
    assert LogPress(LogAction.METRIC, "tok3n", "2").pack() == "ml:met:tok3n:2"
    assert LogPress.parse("ml:x:tok3n") == LogPress(LogAction.CANCEL, "tok3n")
    assert LogPress.parse("ml:fly:tok3n") is None
