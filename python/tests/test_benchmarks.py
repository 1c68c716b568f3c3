"""`python/benchmarks/aggregate.py`, called as `benchmarks/compare.py` calls it."""

import json
import subprocess
import sys
from pathlib import Path

import hrh
from conftest import ROOT

SCRIPT = ROOT / "python" / "benchmarks" / "aggregate.py"


def run(*args: str) -> "subprocess.CompletedProcess[str]":
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False)


def test_compare_py_calls_it_this_way() -> None:
    # The argv in benchmarks/compare.py, method (b).
    compare = (ROOT / "benchmarks" / "compare.py").read_text(encoding="utf-8")
    assert '"aggregate.py"), str(data), "--period", year, "--org-unit", ORG_UNIT, "--out", "-"]' in compare


def test_aggregate_to_stdout_matches_the_library(fhir_fixtures: Path) -> None:
    source = fhir_fixtures / "sample-bulk-fhir-10-patients"
    # The sample's job codes are not ISCO-08: it counts nobody, so the guards must be told.
    done = run(str(source), "--period", "2024", "--org-unit", "UZdemoRoot1", "--out", "-")
    assert done.returncode != 0
    assert "no worker counted: 43 worker(s) read" in done.stderr
    done = run(str(source), "--period", "2024", "--org-unit", "UZdemoRoot1", "--out", "-", "--allow-empty")
    assert done.returncode == 0, done.stderr
    registry = hrh.read_registry(source, errors="skip")
    expected = registry.aggregate(
        hrh.Mapping.builtin("nhwa-module1"), period="2024", country="UZ", org_unit="UZdemoRoot1", allow_empty=True
    )
    assert json.loads(done.stdout) == json.loads(expected.to_dhis2_json())
    assert "4 records rejected" in done.stderr
    assert "43 workers" in done.stderr


def test_aggregate_to_file_with_mapping_file(fhir_fixtures: Path, tmp_path: Path) -> None:
    source = fhir_fixtures / "sample-bulk-fhir-10-patients"
    out = tmp_path / "dvs.json"
    mapping = ROOT / "core" / "mappings" / "nhwa-module1.toml"
    done = run(str(source), "--period", "2024", "--org-unit", "OU", "--mapping", str(mapping), "--country", "US", "--out", str(out), "--allow-empty")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["dataSet"] == "FuMctq4PQpf"


def test_bad_mapping_fails() -> None:
    done = run(str(ROOT), "--period", "2024", "--mapping", "nhwa-module9")
    assert done.returncode != 0
    assert "MappingError" in done.stderr
