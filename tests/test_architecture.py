"""The import contracts (pyproject's [tool.importlinter]) that hold the capability layout and keep
the emulator free of our bot."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
    "contracts"
]
# The domain's independence from Telegram, its layers, and the handlers' two: more may join.
AT_LEAST = 4


def test_every_import_contract_is_kept() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = re.search(r"Contracts: (\d+) kept, (\d+) broken", result.stdout)
    assert summary is not None, result.stdout
    kept, broken = (int(count) for count in summary.groups())
    assert broken == 0
    assert kept == len(CONTRACTS) >= AT_LEAST
    for contract in CONTRACTS:
        assert f"{contract['name']} KEPT" in result.stdout


def test_the_contracts_layer_the_domain_and_keep_the_handlers_apart() -> None:
    kinds = {(c["type"], tuple(c.get("containers", ()))) for c in CONTRACTS}
    assert {("layers", ("domain",)), ("layers", ("handlers",)), ("independence", ())} <= kinds
    assert any(c["type"] == "forbidden" and c["source_modules"] == ["domain"] for c in CONTRACTS)
    assert any(
        c["type"] == "forbidden" and c["source_modules"] == ["telegram_emulator"] for c in CONTRACTS
    )
