"""The emulator is a product of its own: it names no bot it serves and imports none of its code."""

from __future__ import annotations

import ast
from pathlib import Path

import telegram_emulator

PACKAGE = Path(telegram_emulator.__file__).parent
OUR_BOT_PACKAGES = {"bot", "domain", "handlers"}


def package_files() -> list[Path]:
    """Every file the package ships (Python, README, web page, script, style), not caches."""
    return [
        path
        for path in sorted(PACKAGE.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    ]


def imported_roots(source: str) -> set[str]:
    """The top-level packages a module imports absolutely, wherever the import statement is."""
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_scan_sees_the_page_and_the_readme_too() -> None:
    names = {path.relative_to(PACKAGE).as_posix() for path in package_files()}

    assert {"README.md", "web/index.html", "web/app.js", "server.py"} <= names


def test_no_file_of_the_package_names_sportscenter() -> None:
    naming = [
        path.relative_to(PACKAGE).as_posix()
        for path in package_files()
        if b"sportscenter" in path.read_bytes().lower()
    ]

    assert naming == []


def test_no_module_of_the_package_imports_the_bot_domain_or_handlers() -> None:
    importing = {
        path.relative_to(PACKAGE).as_posix(): sorted(roots & OUR_BOT_PACKAGES)
        for path in package_files()
        if path.suffix == ".py"
        and (roots := imported_roots(path.read_text(encoding="utf-8"))) & OUR_BOT_PACKAGES
    }

    assert importing == {}


def test_the_import_scan_finds_imports_inside_functions() -> None:
    source = "def later():\n    from domain.booking import book\n    import bot.app\n"

    assert imported_roots(source) == {"domain", "bot"}
