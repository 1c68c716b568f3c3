import sys

import pytest

import hrh


def test_synthetic_defaults() -> None:
    r = hrh.Registry.synthetic()
    assert len(r) == 1000
    assert "practitioners=1000" in repr(r)


def test_synthetic_is_reproducible() -> None:
    a = hrh.Registry.synthetic(workers=50, seed=1).to_records()
    b = hrh.Registry.synthetic(workers=50, seed=1).to_records()
    c = hrh.Registry.synthetic(workers=50, seed=2).to_records()
    assert a == b
    assert a != c


def test_unknown_country_is_invalid_input() -> None:
    with pytest.raises(hrh.InvalidInput, match="country"):
        hrh.Registry.synthetic(workers=10, country="XX")


def test_records(registry: hrh.Registry) -> None:
    records = registry.to_records()
    assert len(records) == len(registry) == 300
    first = records[0]
    assert set(first) == {"id", "active", "sex", "birth_date", "nationality", "country_of_birth", "employments"}
    assert "name" not in first
    assert all(isinstance(r["employments"], list) for r in records)
    employments = [e for r in records for e in r["employments"]]
    assert employments
    assert set(employments[0]) == {"id", "occupation", "employer", "facility", "start", "end", "active", "fte"}
    assert {r["sex"] for r in records} >= {"female", "male"}


def test_iteration_matches_records(registry: hrh.Registry) -> None:
    assert list(registry) == registry.to_records()


def test_to_pandas(registry: hrh.Registry) -> None:
    pytest.importorskip("pandas")
    frame = registry.to_pandas()
    assert len(frame) == len(registry)
    assert list(frame.columns) == list(registry.to_records()[0])
    assert list(frame["id"]) == [r["id"] for r in registry.to_records()]


def test_to_pandas_without_pandas(registry: hrh.Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        registry.to_pandas()
