import datetime
import sys

import pytest
from conftest import TABLES, assert_missing_library, assert_table

import hrh


def test_findings(registry: hrh.Registry) -> None:
    report = registry.quality(as_of=datetime.date(2024, 12, 31))
    assert isinstance(report, hrh.QualityReport)
    assert report.records_checked > len(registry)
    assert not report.is_clean
    findings = report.findings
    assert len(findings) == len(report) > 0
    assert set(findings[0]) == {"record_kind", "record_id", "field", "problem", "severity", "message"}
    assert {f["severity"] for f in findings} <= {"error", "warning", "info"}
    severities = report.severities()
    assert set(severities) == {"error", "warning", "info"}
    assert sum(severities.values()) == len(findings)
    assert severities["error"] == len([f for f in findings if f["severity"] == "error"]) > 0
    # 300 workers may hold no invalid sex; 2,000 of the same seed hold several.
    larger = hrh.Registry.synthetic(workers=2000, seed=7, country="UZ", year=2024)
    bad_sex = [f for f in larger.quality(as_of=datetime.date(2024, 12, 31)).findings if f["problem"] == "invalid_sex"]
    assert bad_sex and "(accepted: male, female, other, unknown)" in bad_sex[0]["message"]
    assert {f["severity"] for f in findings if f["problem"] == "overlapping_employments"} == {"warning"}
    assert sum(report.counts().values()) == len(findings)
    assert set(report.counts()) == {f["problem"] for f in findings}
    assert "QualityReport(" in repr(report)


def test_default_as_of_is_today(registry: hrh.Registry) -> None:
    assert registry.quality().records_checked == registry.quality(as_of=datetime.date.today()).records_checked


def test_clean_registry() -> None:
    clean = hrh.Registry.synthetic(workers=50, seed=3, bad_records=False)
    report = clean.quality(as_of=datetime.date(2024, 12, 31))
    # Without bad records, the only errors can be concurrent jobs that only the record ids tell apart.
    errors = {f["problem"] for f in report.findings if f["severity"] == "error"}
    assert errors <= {"ambiguous_main_employment"}


def test_to_pandas(registry: hrh.Registry) -> None:
    pytest.importorskip("pandas")
    report = registry.quality(as_of=datetime.date(2024, 12, 31))
    frame = report.to_pandas()
    assert len(frame) == len(report.findings)
    assert list(frame.columns) == ["record_kind", "record_id", "field", "problem", "severity", "message"]
    assert frame.to_dict("records") == report.findings


def test_empty_to_pandas_keeps_columns() -> None:
    pytest.importorskip("pandas")
    frame = hrh.Registry.synthetic(workers=0).quality().to_pandas()
    assert len(frame) == 0
    assert "problem" in frame.columns


def test_to_pandas_without_pandas(registry: hrh.Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="needs pandas"):
        registry.quality().to_pandas()


@pytest.mark.parametrize(("method", "module"), TABLES)
def test_tables(registry: hrh.Registry, method: str, module: str) -> None:
    result = registry.quality(as_of=datetime.date(2024, 12, 31))
    assert_table(result, method, module, result.findings)


@pytest.mark.parametrize(("method", "module"), TABLES)
def test_tables_without_their_library(
    registry: hrh.Registry, monkeypatch: pytest.MonkeyPatch, method: str, module: str
) -> None:
    assert_missing_library(registry.quality(as_of=datetime.date(2024, 12, 31)), method, module, monkeypatch)
