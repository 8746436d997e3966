"""The import contracts (pyproject's [tool.importlinter]) that hold the capability layout and keep
the emulator free of our bot."""

from __future__ import annotations

import ast
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


# What builds a SQL statement; only query modules may import these (docs/architecture.md).
STATEMENT_BUILDERS = frozenset({"select", "insert", "update", "delete", "text"})


def _is_query_module(path: Path) -> bool:
    """domain/<capability>/queries.py, a module under domain/<capability>/queries/, and the
    kernel's own: domain/repositories/ (and the models and adapters, which are not services)."""
    parts = path.relative_to(ROOT / "domain").parts
    return (
        parts[0] in {"repositories", "models", "adapters"}
        or path.stem == "queries"
        or "queries" in parts[:-1]
    )


def _statement_builders_imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found |= {alias.name for alias in node.names} & STATEMENT_BUILDERS
        if (
            isinstance(node, ast.Attribute)
            and node.attr in STATEMENT_BUILDERS
            and isinstance(node.value, ast.Name)
            and node.value.id in {"sa", "sqlalchemy"}
        ):
            found.add(node.attr)
    return found


def test_only_query_modules_build_sql_statements() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(builders)
        for path in sorted((ROOT / "domain").rglob("*.py"))
        if not _is_query_module(path) and (builders := _statement_builders_imported(path))
    }
    assert offenders == {}


def test_the_rule_sees_a_statement_built_outside_a_query_module(tmp_path: Path) -> None:
    service = tmp_path / "service.py"
    service.write_text(
        "import sqlalchemy as sa\n"
        "from sqlalchemy.dialects.postgresql import insert\n"
        "query = sa.select(1)\n"
    )
    assert _statement_builders_imported(service) == {"insert", "select"}
    assert _is_query_module(ROOT / "domain" / "booking" / "queries" / "sessions.py")
    assert _is_query_module(ROOT / "domain" / "payments" / "queries.py")
    assert not _is_query_module(ROOT / "domain" / "booking" / "book.py")


# The kernel stays small: beside its capability packages, domain/ holds at most this many modules.
KERNEL_MODULES_AT_MOST = 10


def test_the_domain_top_level_is_a_small_kernel_beside_its_packages() -> None:
    modules = sorted(p.name for p in (ROOT / "domain").glob("*.py") if p.name != "__init__.py")
    assert len(modules) <= KERNEL_MODULES_AT_MOST, modules


def test_the_handlers_top_level_has_no_private_helper_modules() -> None:
    helpers = sorted(p.name for p in (ROOT / "handlers").glob("_*.py") if p.name != "__init__.py")
    assert helpers == []
