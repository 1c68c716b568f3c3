"""`hrh.read_table` and `Registry.from_pandas`: HR exports and spreadsheets through a table mapping."""

import datetime
import gzip
from pathlib import Path

import pytest

import hrh
from conftest import ROOT

TABLES = ROOT / "examples" / "tables"

MAPPING = """
format = 1
name = "frame"
version = "1"
[source]
rows = "per-employment"
[worker]
id = "worker"
sex = { column = "sex", values = "sex" }
birth_date = "born"
country_of_birth = "born_in"
[employment]
id = "job"
occupation = { column = "cadre", values = "cadre" }
start = "start"
fte = "fte"
[facility]
id = "facility"
type = "facility_type"
[values.sex]
F = "female"
M = "male"
[values.cadre]
DOC = "2211"
NUR = "2221"
"""

ROWS = {
    "worker": ["w1", "w2", "w2", "w3"],
    "sex": ["F", "M", "M", "X"],
    "born": ["1980-02-01", "1975-06-30", "1975-06-30", "1990-01-01"],
    "born_in": ["UZ", "KZ", "KZ", "UZ"],
    "job": ["j1", "j2", "j3", "j4"],
    "cadre": ["DOC", "NUR", "DOC", "NUR"],
    "start": ["2020-01-01", "2015-01-01", "2021-03-01", "2022-05-01"],
    "fte": [1.0, 0.5, 0.5, 1.0],
    "facility": ["f1", "f1", "f2", "f2"],
    "facility_type": ["HP.1", "HP.1", "HP.3", "HP.3"],
}


def test_read_table_reads_the_generic_example_sheet(mapping: hrh.Mapping) -> None:
    registry = hrh.read_table(TABLES / "generic-staff-sheet.csv", mapping=TABLES / "generic-staff-sheet.toml")
    assert len(registry) == 7
    records = {r["id"]: r for r in registry}
    assert records["T-0001"]["sex"] == "female"
    assert records["T-0001"]["employments"][0]["occupation"] == "2211"
    assert records["T-0003"]["employments"][0]["fte"] == 0.5
    assert records["T-0005"]["active"] is False
    # The impossible birth date is kept as written and found by the quality check.
    assert records["T-0007"]["birth_date"] == "31.02.1991"
    report = registry.quality(as_of=datetime.date(2024, 12, 31))
    assert report.counts().get("invalid_birth_date") == 1
    result = registry.aggregate(mapping, period="2024", country="UZ", org_unit="ROOT0000001")
    assert result.account["workers"] == 7


def test_a_row_without_a_worker_id_raises_or_is_listed(tmp_path: Path) -> None:
    csv = TABLES / "ihris4-person-position.csv"
    toml = TABLES / "ihris4-person-position.toml"
    with pytest.raises(hrh.InvalidInput) as raised:
        hrh.read_table(csv, mapping=toml)
    assert raised.value.line == 8
    assert raised.value.path == str(csv)
    assert "no worker id" in str(raised.value)
    registry = hrh.read_table(csv, mapping=toml, errors="skip")
    assert len(registry) == 5
    assert [(r["path"], r["line"]) for r in registry.rejected] == [(str(csv), 8)]
    # A directory: its table files in name order, the rows of each accounted for.
    for name in ("a.csv", "b.csv.gz"):
        data = csv.read_bytes()
        (tmp_path / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    (tmp_path / "notes.txt.bak").write_text("not a table", encoding="utf-8")
    registry = hrh.read_table(tmp_path, mapping=toml, errors="skip")
    assert len(registry) == 5  # the same workers twice: joined
    assert [(Path(str(r["path"])).name, r["line"]) for r in registry.rejected] == [("a.csv", 8), ("b.csv.gz", 8)]


def test_mapping_mistakes_and_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(hrh.MappingError) as raised:
        hrh.read_table(TABLES / "generic-staff-sheet.csv", mapping='format = 1\nname = "x"\nversion = "1"\n[worker]\nid = "a"\nsexx = "b"\n')
    assert raised.value.issues == [(6, "unknown key worker.sexx (known: id, name, sex, birth_date, nationality, country_of_birth, active, national_id)")]
    with pytest.raises(hrh.InvalidInput, match=r'"Staff No" \(worker.id\).*the table has: "person_id'):
        hrh.read_table(TABLES / "ihris4-person-position.csv", mapping=TABLES / "generic-staff-sheet.toml")
    with pytest.raises(FileNotFoundError):
        hrh.read_table(tmp_path / "none.csv", mapping=TABLES / "generic-staff-sheet.toml")
    with pytest.raises(FileNotFoundError):
        hrh.read_table(TABLES / "generic-staff-sheet.csv", mapping=tmp_path / "none.toml")


def test_from_pandas_reads_a_frame_as_the_same_table_written_to_csv(tmp_path: Path, mapping: hrh.Mapping) -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(ROWS)
    from_frame = hrh.Registry.from_pandas(frame, MAPPING)
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    from_file = hrh.read_table(path, mapping=MAPPING)
    assert from_frame.to_records() == from_file.to_records()
    assert len(from_frame) == 3
    w2 = next(r for r in from_frame if r["id"] == "w2")
    assert [e["occupation"] for e in w2["employments"]] == ["2221", "2211"]
    assert next(r for r in from_frame if r["id"] == "w3")["sex"] == "X"  # kept as invalid
    figures = from_frame.aggregate(mapping, period="2024", country="UZ", org_unit="ROOT0000001")
    assert figures.values == from_file.aggregate(mapping, period="2024", country="UZ", org_unit="ROOT0000001").values
    assert figures.account["workers"] == 3


def test_from_pandas_takes_date_columns_and_rejects_other_objects() -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(ROWS)
    frame["born"] = pandas.to_datetime(frame["born"])
    frame["start"] = pandas.to_datetime(frame["start"])
    registry = hrh.Registry.from_pandas(frame, MAPPING)
    w1 = next(r for r in registry if r["id"] == "w1")
    assert w1["birth_date"] == "1980-02-01"
    assert w1["employments"][0]["start"] == datetime.date(2020, 1, 1)
    missing_id = frame.copy()
    missing_id.loc[1, "worker"] = None
    with pytest.raises(hrh.InvalidInput) as raised:
        hrh.Registry.from_pandas(missing_id, MAPPING)
    assert raised.value.line == 3
    assert len(hrh.Registry.from_pandas(missing_id, MAPPING, errors="skip").rejected) == 1
    with pytest.raises(TypeError, match="pandas or polars DataFrame"):
        hrh.Registry.from_pandas([1, 2], MAPPING)
