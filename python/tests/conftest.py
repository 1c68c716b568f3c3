"""Shared fixtures: one small synthetic registry, the shipped mapping, the
shared FHIR fixture folder, and the DHIS2 stand-in."""

import contextlib
import os
import subprocess
from pathlib import Path
from typing import Iterator, NamedTuple

import pytest

import hrh

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def registry() -> hrh.Registry:
    return hrh.Registry.synthetic(workers=300, seed=7, country="UZ", year=2024)


@pytest.fixture(scope="session")
def mapping() -> hrh.Mapping:
    return hrh.Mapping.builtin("nhwa-module1")


def fixtures_dir() -> Path:
    """`$HRH_FIXTURES`, else `../shared/fixtures` next to the repository.

    When the folder is missing the test is skipped with a message, or fails
    when `CI` is set.
    """
    override = os.environ.get("HRH_FIXTURES")
    folder = Path(override) if override else ROOT.parent / "shared" / "fixtures"
    if not folder.is_dir():
        message = f"fixtures folder {folder} not found (set HRH_FIXTURES)"
        if os.environ.get("CI"):
            pytest.fail(f"{message} and CI is set")
        pytest.skip(message)
    return folder


@pytest.fixture
def fhir_fixtures() -> Path:
    """The shared FHIR fixtures (`<fixtures>/fhir`)."""
    return fixtures_dir() / "fhir"


class StandIn(NamedTuple):
    url: str
    token: str


def standin_binary() -> Path:
    """The stand-in's debug binary, built with cargo when missing."""
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    binary = target / "debug" / "dhis2-standin"
    if not binary.is_file():
        subprocess.run(
            ["cargo", "build", "-q", "-p", "dhis2-standin"],
            cwd=ROOT,
            check=True,
        )
    return binary


@pytest.fixture(scope="session")
def standin_path() -> Path:
    return standin_binary()


@contextlib.contextmanager
def running_standin(binary: Path, *args: str) -> Iterator[StandIn]:
    """The stand-in on a free port (empty data store) with `args`, stopped on exit."""
    process = subprocess.Popen(
        [str(binary), "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        second = process.stdout.readline().strip()
        assert first.startswith("listening on http://127.0.0.1:"), first
        assert second.startswith("api token: "), second
        yield StandIn(first.removeprefix("listening on "), second.removeprefix("api token: "))
    finally:
        process.kill()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture
def standin(standin_path: Path) -> Iterator[StandIn]:
    """A fresh stand-in with DHIS2 2.42 conventions, stopped at teardown."""
    with running_standin(standin_path) as running:
        yield running
