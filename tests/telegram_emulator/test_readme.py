"""The emulator's README documents a stable HTTP interface: its tables must match the code."""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp import web

import telegram_emulator
from telegram_emulator.methods import load_all
from telegram_emulator.server import EmulatorServer
from telegram_emulator.world import World

README = Path(telegram_emulator.__file__).with_name("README.md")
ROW = re.compile(r"^\| `(?P<method>[A-Z]+)` \| `(?P<path>/[^`]*)` \|")
Route = tuple[str, str]


def section(heading: str) -> str:
    """The README's text under a heading, up to the next heading of the same or a higher level."""
    text = README.read_text(encoding="utf-8")
    level = heading.split(" ", 1)[0]
    start = text.index(f"\n{heading}\n")
    ends = [
        found.start()
        for found in re.finditer(r"\n(#+) ", text[start + 1 :])
        if len(found.group(1)) <= len(level)
    ]
    return text[start : start + 1 + ends[0]] if ends else text[start:]


def same_shape(path: str) -> str:
    """A path with its placeholders unnamed: {file_path} and {path} are the same route."""
    return re.sub(r"\{[^}]+\}", "{}", path)


def documented_routes() -> set[Route]:
    rows = [ROW.match(line) for line in section("## HTTP routes").splitlines()]
    return {(row["method"], same_shape(row["path"])) for row in rows if row}


def served_routes() -> set[Route]:
    app = EmulatorServer(World(), primary_token="123:abcdefghijkl").app()
    routes: set[Route] = set()
    for route in app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if isinstance(route.resource, web.StaticResource):
            path += "/{}"  # a folder of files
        # "*" (the Bot API) is documented as the GET and POST Telegram accepts; HEAD comes
        # with every GET route.
        for method in ("GET", "POST") if route.method == "*" else (route.method,):
            if method != "HEAD":
                routes.add((method, same_shape(path)))
    return routes


def documented_methods() -> set[str]:
    rows = [line for line in section("### Methods").splitlines() if line.startswith("| ")]
    return {name for row in rows[1:] for name in re.findall(r"`(\w+)`", row.split("|")[2])}


def test_the_route_table_is_found_and_read() -> None:
    assert ("POST", "/api/people/{}/send") in documented_routes()
    assert ("GET", "/bot{}/{}") in documented_routes()


def test_every_documented_route_is_served_and_every_served_route_documented() -> None:
    assert documented_routes() == served_routes()


def test_the_documented_bot_api_methods_are_exactly_the_implemented_ones() -> None:
    assert documented_methods() == {method.name for method in load_all().values()}


def test_every_web_chat_route_has_its_own_paragraph() -> None:
    api = same_shape(section("### The web chat API"))
    undocumented = [
        f"{method} {path}"
        for method, path in documented_routes()
        if not path.startswith(("/bot", "/file/"))  # the Bot API has its own section
        and not re.search(rf"\*\*`{method} {re.escape(path)}[`?]", api)
    ]

    assert undocumented == []
