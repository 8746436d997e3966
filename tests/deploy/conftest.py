"""The deploy files, read as the tools that run them read them (no engine, no cluster here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def load_yaml(path: Path) -> Any:
    """One YAML document, merge keys (`<<: *anchor`) applied as compose applies them."""
    return yaml.safe_load(path.read_text())


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    return load_yaml(ROOT / "docker-compose.yml")
