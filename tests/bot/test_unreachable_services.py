"""Postgres or Redis down at start-up: one line naming the service, a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def sportscenter(command: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    settings = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATA_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", command],
        env={**settings, "EMULATOR_PORT": "0", "HEALTH_PORT": "0", "MEDIA_DIR": str(tmp_path),
             "EMBEDDED_WORKER_HEALTH_PORT": "0", **env},
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("command", ["migrate", "run"])
def test_postgres_down_is_one_line_and_a_non_zero_exit(tmp_path: Path, command: str) -> None:
    done = sportscenter(
        command, tmp_path, DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:1/nothing"
    )
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    (line,) = [line for line in done.stderr.splitlines() if line.startswith("sportscenter:")]
    assert line == (
        "sportscenter: cannot reach PostgreSQL at 127.0.0.1:1 (DATABASE_URL): connection refused"
    )


def test_a_database_never_migrated_says_to_migrate(tmp_path: Path) -> None:
    done = sportscenter(
        "run", tmp_path, DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:5432/sc_never_made"
    )
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert 'database "sc_never_made" does not exist' in done.stderr
    assert "run `sportscenter migrate`" in done.stderr


def test_a_damaged_emulator_state_file_is_one_line_naming_it(
    tmp_path: Path, database_url: str
) -> None:
    state = tmp_path / "emulator-state.json"
    state.write_text('{"version": 1, "people": [', encoding="utf-8")
    done = sportscenter("run", tmp_path, DATABASE_URL=database_url, EMULATOR_STATE_FILE=str(state))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    (line,) = [line for line in done.stderr.splitlines() if line.startswith("sportscenter:")]
    assert f"can't read the emulator's state from {state}: it is not JSON" in line
    assert line.endswith("move it away to start with nobody")
