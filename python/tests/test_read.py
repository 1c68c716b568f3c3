"""`hrh.read_registry`, `Registry.from_bundle` and `hrh.ReadConfig`."""

import gzip
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import hrh

PRACTITIONER = {"resourceType": "Practitioner", "id": "p1", "gender": "female", "birthDate": "1980-06-01"}
ROLE = {
    "resourceType": "PractitionerRole",
    "id": "r1",
    "practitioner": {"reference": "Practitioner/p1"},
    "organization": {"reference": "Organization/moh"},
    "code": [{"coding": [{"system": "http://ihris.org/fhir/CodeSystem/ihris-job", "code": "nurse"}]}],
    "period": {"start": "2020-01-01"},
}
ORGANIZATION = {"resourceType": "Organization", "id": "moh", "name": "Ministry of Health"}
BAD_ROLE = {
    "resourceType": "PractitionerRole",
    "id": "r2",
    "practitioner": {"reference": "Practitioner/p1"},
    "period": {"start": "2020-13-45"},
}
IHRIS_JOB = "http://ihris.org/fhir/CodeSystem/ihris-job"


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}


def ndjson(path: Path, *resources: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in resources), encoding="utf-8")
    return path


BULK = "sample-bulk-fhir-10-patients"
BULK_RESOURCES = ["Location.000.ndjson", "Organization.000.ndjson", "Practitioner.000.ndjson", "PractitionerRole.000.ndjson"]


# --- read_registry: inputs -------------------------------------------------


def test_read_bulk_export_files(fhir_fixtures: Path) -> None:
    folder = fhir_fixtures / BULK
    r = hrh.read_registry(*(folder / name for name in BULK_RESOURCES))
    assert isinstance(r, hrh.Registry)
    assert len(r) == 43
    assert r.rejected == []
    records = r.to_records()
    assert all(len(w["employments"]) == 1 for w in records)
    # Identifier-only references (Synthea) are linked to the records.
    assert all(w["employments"][0]["facility"] for w in records)


def test_read_directory_with_a_log_file(fhir_fixtures: Path) -> None:
    folder = fhir_fixtures / BULK
    with pytest.raises(hrh.InvalidInput, match="not a FHIR resource") as info:
        hrh.read_registry(folder)
    err = info.value
    assert err.path == str(folder / "log.ndjson")
    assert err.line == 1
    assert err.record_id is None
    skipped = hrh.read_registry(folder, errors="skip")
    assert len(skipped) == 43
    assert len(skipped.rejected) == 4
    assert {x["path"] for x in skipped.rejected} == {str(folder / "log.ndjson")}
    assert [x["line"] for x in skipped.rejected] == [1, 2, 3, 4]
    assert "rejected=4" in repr(skipped)


def test_read_bundles_and_str_paths(fhir_fixtures: Path) -> None:
    folder = fhir_fixtures / "hl7-r4-examples"
    practitioners = folder / "Bundle-3ad0687e-f477-468c-afd5-fcc2bf897809.json"
    roles = folder / "Bundle-3ad0687e-f477-468c-afd5-fcc2bf897808.json"
    r = hrh.read_registry(str(practitioners), roles)
    assert len(r) == 59
    assert "employments=15" in repr(r)


def test_read_gzip(tmp_path: Path) -> None:
    plain = ndjson(tmp_path / "a.ndjson", PRACTITIONER, ORGANIZATION, ROLE)
    packed = tmp_path / "b.ndjson.gz"
    with gzip.open(packed, "wb") as out:
        out.write(plain.read_bytes())
    plain.unlink()
    r = hrh.read_registry(packed)
    assert [w["id"] for w in r] == ["p1"]
    assert r.to_records()[0]["employments"][0]["employer"] == "moh"


def test_read_directory_recursively(tmp_path: Path) -> None:
    ndjson(tmp_path / "Practitioner.ndjson", PRACTITIONER)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "roles.json").write_text(json.dumps(bundle(ROLE, ORGANIZATION)), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not FHIR", encoding="utf-8")
    r = hrh.read_registry(tmp_path)
    assert len(r) == 1
    assert len(r.to_records()[0]["employments"]) == 1


def test_broken_gzip_is_invalid_input(tmp_path: Path) -> None:
    broken = tmp_path / "a.ndjson.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00not gzip at all")
    with pytest.raises(hrh.InvalidInput) as info:
        hrh.read_registry(broken)
    assert info.value.path == str(broken)


# --- read_registry: errors ------------------------------------------------


def test_malformed_json_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"resourceType": "Practitioner", "id": ', encoding="utf-8")
    ndjson(tmp_path / "good.ndjson", PRACTITIONER)
    with pytest.raises(hrh.InvalidInput, match="invalid JSON") as info:
        hrh.read_registry(tmp_path)
    err = info.value
    assert isinstance(err, hrh.HrhError)
    assert isinstance(err, ValueError)
    assert err.path == str(bad)
    assert (err.line, err.entry, err.record_id, err.field) == (None, None, None, None)
    assert 'errors="skip"' in str(err)
    r = hrh.read_registry(tmp_path, errors="skip")
    assert len(r) == 1
    assert [x["path"] for x in r.rejected] == [str(bad)]


def test_bad_record_names_record_and_field(tmp_path: Path) -> None:
    path = ndjson(tmp_path / "roles.ndjson", PRACTITIONER, BAD_ROLE)
    with pytest.raises(hrh.InvalidInput) as info:
        hrh.read_registry(path)
    err = info.value
    assert err.path == str(path)
    assert err.line == 2
    assert err.entry is None
    assert err.resource_type == "PractitionerRole"
    assert err.record_id == "r2"
    assert err.field == "period.start"
    assert "roles.ndjson:2" in str(err)
    # No personal data in the message.
    assert "1980" not in str(err)


def test_missing_path_is_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "nope.ndjson"
    with pytest.raises(FileNotFoundError) as info:
        hrh.read_registry(missing)
    assert info.value.filename == str(missing)
    assert info.value.strerror == "No such file or directory"


def test_no_inputs(tmp_path: Path) -> None:
    with pytest.raises(hrh.InvalidInput, match="at least one"):
        hrh.read_registry()
    with pytest.raises(hrh.InvalidInput, match="no FHIR files"):
        hrh.read_registry(tmp_path)


def test_errors_argument_is_checked(tmp_path: Path) -> None:
    path = ndjson(tmp_path / "a.ndjson", PRACTITIONER)
    with pytest.raises(hrh.InvalidInput, match="errors must be"):
        hrh.read_registry(path, errors="ignore")  # type: ignore[arg-type]


def test_invalid_input_attributes_default_to_none() -> None:
    err = hrh.InvalidInput("x")
    assert (err.path, err.line, err.entry, err.resource_type, err.record_id, err.field) == (None,) * 6
    assert hrh.InvalidInput.__doc__ and "record_id" in hrh.InvalidInput.__doc__


# --- ReadConfig ------------------------------------------------------------


def test_read_config_maps_job_codes(tmp_path: Path) -> None:
    path = ndjson(tmp_path / "a.ndjson", PRACTITIONER, ORGANIZATION, ROLE)
    plain = hrh.read_registry(path)
    assert plain.to_records()[0]["employments"][0]["occupation"] == "nurse"
    config = hrh.ReadConfig(job_to_isco={(IHRIS_JOB, "nurse"): "2221"}, registry_id_systems=["urn:reg"])
    assert config.job_to_isco == {(IHRIS_JOB, "nurse"): "2221"}
    assert config.registry_id_systems == ["urn:reg"]
    assert config.national_id_systems == []
    assert config.licence_qualification_codes == []
    assert "job_to_isco=1" in repr(config)
    mapped = hrh.read_registry(path, config=config)
    assert mapped.to_records()[0]["employments"][0]["occupation"] == "2221"
    from_bundle = hrh.Registry.from_bundle(bundle(PRACTITIONER, ORGANIZATION, ROLE), config=config)
    assert from_bundle.to_records() == mapped.to_records()


def test_read_config_refuses_bad_isco() -> None:
    with pytest.raises(hrh.InvalidInput, match="ISCO"):
        hrh.ReadConfig(job_to_isco={(IHRIS_JOB, "nurse"): "nurse"})
    config = hrh.ReadConfig(licence_qualification_codes=[("urn:q", "LIC")])
    assert config.licence_qualification_codes == [("urn:q", "LIC")]


def test_read_config_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        hrh.ReadConfig(["urn:reg"])  # type: ignore[call-arg]


# --- Registry.from_bundle --------------------------------------------------


def test_from_bundle_dict_and_text_agree() -> None:
    b = bundle(PRACTITIONER, ORGANIZATION, ROLE)
    from_dict = hrh.Registry.from_bundle(b)
    from_text = hrh.Registry.from_bundle(json.dumps(b))
    assert len(from_dict) == 1
    assert from_dict.to_records() == from_text.to_records()
    worker = next(iter(from_dict))
    assert worker["id"] == "p1"
    assert worker["sex"] == "female"
    assert worker["birth_date"] == "1980-06-01"
    assert worker["employments"][0]["employer"] == "moh"
    assert str(worker["employments"][0]["start"]) == "2020-01-01"


def test_from_bundle_single_resource() -> None:
    assert len(hrh.Registry.from_bundle(PRACTITIONER)) == 1


def test_from_bundle_bad_entry() -> None:
    b = bundle(PRACTITIONER, BAD_ROLE)
    with pytest.raises(hrh.InvalidInput) as info:
        hrh.Registry.from_bundle(b)
    err = info.value
    assert (err.path, err.line, err.entry) == (None, None, 1)
    assert (err.resource_type, err.record_id, err.field) == ("PractitionerRole", "r2", "period.start")
    r = hrh.Registry.from_bundle(b, errors="skip")
    assert len(r) == 1
    assert r.rejected[0]["entry"] == 1
    assert r.rejected[0]["message"].startswith("<bundle>#entry[1]")


def test_from_bundle_refuses_other_types_and_bad_text() -> None:
    with pytest.raises(TypeError, match="dict or JSON text"):
        hrh.Registry.from_bundle([PRACTITIONER])  # type: ignore[arg-type]
    with pytest.raises(hrh.InvalidInput, match="invalid JSON"):
        hrh.Registry.from_bundle("{not json")


def test_synthetic_has_no_rejections(registry: hrh.Registry) -> None:
    assert registry.rejected == []


# --- pandas ----------------------------------------------------------------


def test_read_registry_to_pandas(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    path = ndjson(tmp_path / "a.ndjson", PRACTITIONER, {**PRACTITIONER, "id": "p2", "gender": "male"}, ORGANIZATION, ROLE)
    r = hrh.read_registry(path)
    frame = r.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["id"]) == ["p1", "p2"]
    assert frame.to_dict("records") == r.to_records()


def test_read_registry_to_pandas_without_pandas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = hrh.read_registry(ndjson(tmp_path / "a.ndjson", PRACTITIONER))
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        r.to_pandas()



def test_reading_releases_the_gil(tmp_path: Path) -> None:
    # While another thread reads, this one keeps running Python code.
    lines = (json.dumps({**PRACTITIONER, "id": f"p{i}"}) + "\n" for i in range(40_000))
    path = tmp_path / "many.ndjson"
    path.write_text("".join(lines), encoding="utf-8")
    done: list[hrh.Registry] = []
    worker = threading.Thread(target=lambda: done.append(hrh.read_registry(path)))
    ticks = 0
    worker.start()
    while worker.is_alive():
        ticks += 1
        time.sleep(0)
    worker.join()
    assert len(done[0]) == 40_000
    assert ticks > 200  # ~40 when a native call of this length holds the GIL
