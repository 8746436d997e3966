"""requirements/*.lock: every package pinned with hashes, and every dependency pyproject names."""

from __future__ import annotations

import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy.conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# Each lock and the extras it is compiled with (Makefile, `make lock`).
LOCKS = {
    "runtime.lock": (),
    "dev.lock": ("dev",),
    "pose.lock": ("pose",),
    "pose-dev.lock": ("pose", "dev"),
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pins(lock: str) -> dict[str, set[str]]:
    """Package -> pinned versions (two when a marker forks them, e.g. numpy by Python version)."""
    found: dict[str, set[str]] = {}
    for line in (ROOT / "requirements" / lock).read_text().splitlines():
        if match := PIN.match(line):
            found.setdefault(canonicalize_name(match[1]), set()).add(match[2])
    return found


def wanted(extras: tuple[str, ...]) -> list[Requirement]:
    names = list(PROJECT["dependencies"])
    for extra in extras:
        names += PROJECT["optional-dependencies"][extra]
    return [Requirement(name) for name in names]


@pytest.mark.parametrize("lock", LOCKS)
def test_every_pinned_package_carries_its_hashes(lock: str) -> None:
    # pip --require-hashes refuses a lock with one unhashed line; say which here instead.
    blocks = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements" / lock).read_text())
    unhashed = [b.split()[0] for b in blocks if PIN.match(b) and "--hash=sha256:" not in b]

    assert unhashed == []


@pytest.mark.parametrize(("lock", "extras"), LOCKS.items())
def test_the_lock_satisfies_every_dependency_of_pyproject(
    lock: str, extras: tuple[str, ...]
) -> None:
    pinned = pins(lock)
    stale = [
        str(req)
        for req in wanted(extras)
        if not pinned.get(canonicalize_name(req.name))
        or not all(req.specifier.contains(v) for v in pinned[canonicalize_name(req.name)])
    ]

    assert stale == [], f"requirements/{lock} is behind pyproject.toml: run `make lock`"


@pytest.mark.parametrize(
    ("dev", "base"), [("dev.lock", "runtime.lock"), ("pose-dev.lock", "pose.lock")]
)
def test_the_tests_run_the_versions_that_ship(dev: str, base: str) -> None:
    shipped, tested = pins(base), pins(dev)

    assert {name: tested.get(name) for name in shipped} == shipped


def test_the_pose_lock_keeps_numpy_below_2_for_mediapipe() -> None:
    assert all(v.startswith("1.") for v in pins("pose.lock")["numpy"])
