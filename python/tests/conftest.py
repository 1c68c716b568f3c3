"""Shared fixtures: one small synthetic registry, the shipped mapping, and the
shared FHIR fixture folder."""

import os
from pathlib import Path

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
