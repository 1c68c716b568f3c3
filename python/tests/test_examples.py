"""The notebook-style examples under `examples/python` run as written."""

import json
import runpy
import sys
from pathlib import Path

import pytest

from conftest import ROOT

EXAMPLE = ROOT / "examples" / "python" / "registry_to_dhis2.py"


def test_registry_to_dhis2(
    fhir_fixtures: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pandas")
    source = fhir_fixtures / "sample-bulk-fhir-10-patients"
    monkeypatch.setattr(sys, "argv", [str(EXAMPLE), str(source), str(tmp_path)])
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    printed = capsys.readouterr().out
    assert "practitioners=43" in printed
    assert "43 workers: 43 counted" in printed
    body = json.loads((tmp_path / "datavalueset.json").read_text(encoding="utf-8"))
    assert body["dataSet"] == "FuMctq4PQpf"
    by_key = {(v["dataElement"], v.get("categoryOptionCombo")): v["value"] for v in body["dataValues"]}
    assert sum(int(by_key[("GFfMM55sVzg", combo)]) for combo in ("F3kCvhpDnMM", "sAC6z2IMFrR")) == 43


def test_cells_are_marked() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.count("\n# %%") >= 5
