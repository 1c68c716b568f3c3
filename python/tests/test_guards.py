"""The guards of `Registry.aggregate()` and `Dhis2Client.push()`: input that would wipe
the figures in DHIS2 (no usable record, too many rejected records, only zeros) raises
`InvalidInput` instead of giving figures or being sent."""

import json
from pathlib import Path

import pytest

import hrh

ISCO = "http://www.ilo.org/public/english/bureau/stat/isco/isco08"


def aggregate(
    registry: hrh.Registry, mapping: hrh.Mapping, max_rejected: float = 0.05, allow_empty: bool = False
) -> hrh.Aggregate:
    """National figures for 2024, with the guards' settings."""
    return registry.aggregate(
        mapping, "2024", "UZ", "UZdemoRoot1", max_rejected=max_rejected, allow_empty=allow_empty
    )


def nurses(path: Path, workers: int, broken: int) -> Path:
    """`workers` employed nurses (a Practitioner and a PractitionerRole each, at one clinic of
    one employer) and `broken` lines that are not JSON, in one NDJSON file."""
    lines = [
        json.dumps({"resourceType": "Organization", "id": "o1", "name": "MoH"}),
        json.dumps({"resourceType": "Location", "id": "l1", "name": "Clinic", "status": "active"}),
    ]
    for i in range(workers):
        lines.append(json.dumps({"resourceType": "Practitioner", "id": f"p{i}", "gender": "female"}))
        lines.append(
            json.dumps(
                {
                    "resourceType": "PractitionerRole",
                    "id": f"r{i}",
                    "practitioner": {"reference": f"Practitioner/p{i}"},
                    "organization": {"reference": "Organization/o1"},
                    "location": [{"reference": "Location/l1"}],
                    "period": {"start": "2020-01-01"},
                    "code": [{"coding": [{"system": ISCO, "code": "3221"}]}],
                }
            )
        )
    lines.extend(["not json"] * broken)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_file_of_garbage_gives_no_figures(tmp_path: Path, mapping: hrh.Mapping) -> None:
    bad = tmp_path / "bad.ndjson"
    bad.write_text("not json\n")
    registry = hrh.read_registry(bad, errors="skip")
    with pytest.raises(hrh.InvalidInput, match="no usable record.*1 rejected.*allow_empty=True"):
        aggregate(registry, mapping)
    # Allowing an empty input does not let only rejected records through.
    with pytest.raises(hrh.InvalidInput, match=r"1 of 1 record\(s\) rejected \(100%\)"):
        aggregate(registry, mapping, allow_empty=True)
    figures = aggregate(registry, mapping, allow_empty=True, max_rejected=1.0)
    assert figures.account["workers"] == 0


def test_rejected_share_above_the_limit_raises(tmp_path: Path, mapping: hrh.Mapping) -> None:
    # 20 workers and their employer and clinic = 42 records; 2 broken lines are 4.5 %, 3 are 6.7 %.
    within = hrh.read_registry(nurses(tmp_path / "two.ndjson", 20, 2), errors="skip")
    assert aggregate(within, mapping).account["counted"] == 20
    above = hrh.read_registry(nurses(tmp_path / "three.ndjson", 20, 3), errors="skip")
    with pytest.raises(hrh.InvalidInput, match=r"3 of 45 record\(s\) rejected \(6.6667%\), more than the 5% allowed"):
        aggregate(above, mapping)
    # The same once the records are read into memory.
    assert len(above.rejected) == 3
    with pytest.raises(hrh.InvalidInput, match="3 of 45"):
        aggregate(above, mapping)
    assert aggregate(above, mapping, max_rejected=0.1).account["counted"] == 20
    for bad in (-0.1, 1.5, float("nan")):
        with pytest.raises(hrh.InvalidInput, match="max_rejected must be a fraction from 0 to 1"):
            aggregate(above, mapping, max_rejected=bad)


def test_nobody_counted_raises_unless_allowed(registry: hrh.Registry, mapping: hrh.Mapping) -> None:
    with pytest.raises(hrh.InvalidInput, match="no worker counted: 300 worker"):
        registry.aggregate(mapping, period="1900", country="UZ", org_unit="UZdemoRoot1")
    figures = registry.aggregate(mapping, period="1900", country="UZ", org_unit="UZdemoRoot1", allow_empty=True)
    assert figures.account["counted"] == 0
    assert all(v["value"] == 0 for v in figures.values)
    empty = hrh.Registry.from_bundle({"resourceType": "Bundle", "type": "collection", "entry": []})
    with pytest.raises(hrh.InvalidInput, match="no usable record"):
        aggregate(empty, mapping)


def test_push_of_only_zeros_or_nothing_raises_before_sending(registry: hrh.Registry, mapping: hrh.Mapping) -> None:
    # Nothing listens on port 9: a refusal must come before any request.
    dhis2 = hrh.Dhis2Client("http://127.0.0.1:9", auth=("admin", "district"), retries=0, timeout=2)
    zeros = registry.aggregate(mapping, period="1900", country="UZ", org_unit="UZdemoRoot1", allow_empty=True)
    with pytest.raises(hrh.InvalidInput, match=f"every one of the {len(zeros)} value"):
        dhis2.push(zeros)
    with pytest.raises(hrh.InvalidInput, match="no data value"):
        dhis2.push({"dataSet": "FuMctq4PQpf", "dataValues": []})
    blank = {"dataValues": [{"dataElement": "tu2P5ALJRow", "period": "2024", "orgUnit": "UZdemoRoot1"}]}
    with pytest.raises(hrh.InvalidInput, match="zero or blank"):
        dhis2.push(blank)
    with pytest.raises(hrh.TransportError):
        dhis2.push(zeros, allow_empty=True, preflight=False)
    with pytest.raises(hrh.TransportError):
        dhis2.push(blank, import_strategy="DELETE")
