"""Shared fixtures: one small synthetic registry and the shipped mapping."""

import pytest

import hrh


@pytest.fixture(scope="session")
def registry() -> hrh.Registry:
    return hrh.Registry.synthetic(workers=300, seed=7, country="UZ", year=2024)


@pytest.fixture(scope="session")
def mapping() -> hrh.Mapping:
    return hrh.Mapping.builtin("nhwa-module1")
